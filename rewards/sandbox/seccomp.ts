/**
 * A classic-BPF seccomp filter handed to bwrap (`--seccomp FD`), applied just before the program starts: it shrinks
 * the kernel surface a hostile program can reach (io_uring, bpf, userfaultfd, perf events, keyrings, ptrace, mounts,
 * module loading...). Syscalls on the list fail with EPERM, and a foreign syscall ABI kills the process: on x86-64,
 * i386 (`int 0x80`, reachable through ctypes) and x32 would otherwise bypass a list written in x86-64 numbers.
 * Numbers are from the kernel's uapi headers (x86-64: asm/unistd_64.h; arm64: asm-generic/unistd.h).
 */

const AUDIT_ARCH = { x64: 0xc000003e, arm64: 0xc00000b7 } as const;
export type SeccompArch = keyof typeof AUDIT_ARCH;

// name → [x86-64, arm64]; null where the syscall does not exist on that architecture.
const DENIED: Record<string, readonly [number | null, number | null]> = {
  ptrace: [101, 117],
  process_vm_readv: [310, 270],
  process_vm_writev: [311, 271],
  kexec_load: [246, 104],
  kexec_file_load: [320, 294],
  bpf: [321, 280],
  userfaultfd: [323, 282],
  perf_event_open: [298, 241],
  keyctl: [250, 219],
  add_key: [248, 217],
  request_key: [249, 218],
  io_uring_setup: [425, 425],
  io_uring_enter: [426, 426],
  io_uring_register: [427, 427],
  mount: [165, 40],
  umount2: [166, 39],
  pivot_root: [155, 41],
  chroot: [161, 51],
  unshare: [272, 97],
  setns: [308, 268],
  init_module: [175, 105],
  finit_module: [313, 273],
  delete_module: [176, 106],
  acct: [163, 89],
  swapon: [167, 224],
  swapoff: [168, 225],
  reboot: [169, 142],
  settimeofday: [164, 170],
  clock_settime: [227, 112],
  adjtimex: [159, 171],
  quotactl: [179, 60],
  open_by_handle_at: [304, 265],
  name_to_handle_at: [303, 264],
  fanotify_init: [300, 262],
  open_tree: [428, 428],
  move_mount: [429, 429],
  fsopen: [430, 430],
  fsconfig: [431, 431],
  fsmount: [432, 432],
  fspick: [433, 433],
  mount_setattr: [442, 442],
  vhangup: [153, 58],
  syslog: [103, 116],
  lookup_dcookie: [212, 18],
  iopl: [172, null],
  ioperm: [173, null],
  uselib: [134, null],
  ustat: [136, null],
  sysfs: [139, null],
  _sysctl: [156, null],
};

export const DENIED_SYSCALLS: readonly string[] = Object.keys(DENIED);

const BPF_LD_W_ABS = 0x20;
const BPF_JMP_JEQ_K = 0x15;
const BPF_JMP_JGE_K = 0x35;
const BPF_RET_K = 0x06;
const SECCOMP_RET_KILL_PROCESS = 0x80000000;
const SECCOMP_RET_ERRNO = 0x00050000;
const SECCOMP_RET_ALLOW = 0x7fff0000;
const EPERM = 1;
/** x32 syscalls are x86-64 numbers with this bit set. */
const X32_SYSCALL_BIT = 0x40000000;

/** The architecture of this process, if the filter knows it. */
export function hostSeccompArch(arch: string = process.arch): SeccompArch | undefined {
  return arch === 'x64' || arch === 'arm64' ? arch : undefined;
}

/** The filter as bytes of `struct sock_filter[]` in the host's (little-endian) byte order. */
export function seccompFilter(arch: SeccompArch): Buffer {
  const column = arch === 'x64' ? 0 : 1;
  const numbers = Object.values(DENIED)
    .map((n) => n[column])
    .filter((n): n is number => n !== null);
  type Insn = [code: number, jt: number, jf: number, k: number];
  const program: Insn[] = [
    [BPF_LD_W_ABS, 0, 0, 4], // seccomp_data.arch
    [BPF_JMP_JEQ_K, 1, 0, AUDIT_ARCH[arch]],
    [BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS],
    [BPF_LD_W_ABS, 0, 0, 0], // seccomp_data.nr
  ];
  const checks: Array<[code: number, k: number]> = [
    ...(arch === 'x64' ? [[BPF_JMP_JGE_K, X32_SYSCALL_BIT] as [number, number]] : []),
    ...numbers.map((n) => [BPF_JMP_JEQ_K, n] as [number, number]),
  ];
  // Each check jumps forward to the final DENY on a match: past the remaining checks and the ALLOW.
  checks.forEach(([code, k], i) => {
    program.push([code, checks.length - i, 0, k]);
  });
  program.push([BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW]);
  program.push([BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM]);
  const bytes = Buffer.alloc(program.length * 8);
  program.forEach(([code, jt, jf, k], i) => {
    bytes.writeUInt16LE(code, i * 8);
    bytes.writeUInt8(jt, i * 8 + 2);
    bytes.writeUInt8(jf, i * 8 + 3);
    bytes.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return bytes;
}
