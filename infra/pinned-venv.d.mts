export declare function venvReady(dir: string, requirements: readonly string[], probe?: string): boolean;
export declare function installVenv(
  run: (cmd: string, args: string[], opts?: object) => void,
  dir: string,
  requirements: readonly string[]
): void;
