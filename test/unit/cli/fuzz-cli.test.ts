/**
 * Malformed experiment configs, sweep files and command-line arguments, generated from a fixed seed, given to the
 * real `omni-zero` process: every one must end with exit code 1 and a stderr that says what is wrong (the problem the
 * in-process validator finds, or the option at fault), never a stack trace. A bounded number of child processes run a
 * few at a time; no child can reach a Temporal server (TEMPORAL_ADDRESS points at a closed port) and none needs one,
 * since everything here is refused before connecting. Counts are reported as a test diagnostic.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { readExperimentFile } from '../../../cli/experiment-file.ts';
import { readSweepFile } from '../../../cli/sweep-file.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(ROOT, 'bin/omni-zero.js');
const DEMO = path.join(ROOT, 'examples/demo.yaml');
const SEED = 0x16_c1;
const CONFIGS = 15;
const SWEEPS = 4;
const ARGS = 22;
const PARALLEL = 3;

interface Case {
  what: string;
  args: string[];
  /** What stderr must contain: the problem found in-process, or the option at fault. */
  expect: string | RegExp;
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function omniZero(args: string[], cwd: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, timeout: 30_000, env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1', NO_COLOR: '1' } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr })
    );
  });
}

// ---- generated configs -------------------------------------------------------------------------------------------

/** Every path into a parsed document, so junk lands in fields that really exist. */
function paths(value: unknown, at: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [at];
  const keys = Array.isArray(value) ? value.map((_, i) => String(i)) : Object.keys(value);
  return [at, ...keys.flatMap((k) => paths((value as Record<string, unknown>)[k], [...at, k]))];
}

function poke(doc: unknown, at: string[], junk: unknown): unknown {
  if (at.length === 0) return junk;
  const out = structuredClone(doc) as Record<string, unknown>;
  let o = out;
  for (const k of at.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[at.at(-1) as string] = junk;
  return out;
}

const junk = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(-1, 0, 1e308, 0.5, '', 'nope', [], {}, null, true, '../../etc/passwd', 'x'.repeat(5000))
);

/** A document of the given base with a defect: junk in real fields, a typo'd key, cut-off or garbled text. */
function badDocument(baseText: string): fc.Arbitrary<{ kind: string; bytes: Buffer; ext: string }> {
  const base = parseYaml(baseText);
  const all = paths(base);
  const asText = (doc: unknown, json: boolean) => Buffer.from(json ? JSON.stringify(doc) : toYaml(doc));
  return fc.oneof(
    fc
      .tuple(fc.array(fc.tuple(fc.constantFrom(...all), junk), { minLength: 1, maxLength: 3 }), fc.boolean())
      .map(([pokes, json]) => ({
        kind: 'junk in fields',
        bytes: asText(
          pokes.reduce((d, [at, v]) => poke(d, at, v), base as unknown),
          json
        ),
        ext: json ? '.json' : '.yaml',
      })),
    fc
      .tuple(fc.constantFrom(...all.filter((p) => p.length > 0)), fc.string({ minLength: 1, maxLength: 3 }))
      .map(([at, s]) => {
        const doc = structuredClone(base) as Record<string, unknown>;
        let o = doc;
        for (const k of at.slice(0, -1)) o = o[k] as Record<string, unknown>;
        if (!Array.isArray(o)) {
          o[`${at.at(-1)}${s}`] = o[at.at(-1) as string];
          delete o[at.at(-1) as string];
        }
        return { kind: 'misspelt key', bytes: asText(doc, false), ext: '.yaml' };
      }),
    fc
      .nat()
      .map((n) => ({ kind: 'cut-off text', bytes: Buffer.from(baseText.slice(0, n % baseText.length)), ext: '.yaml' })),
    fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([n, b]) => {
      const bytes = Buffer.from(baseText);
      const at = n % bytes.length;
      return {
        kind: 'garbled bytes',
        bytes: Buffer.concat([bytes.subarray(0, at), b, bytes.subarray(at)]),
        ext: '.yaml',
      };
    }),
    fc.constantFrom('', '- a\n- b\n', '42\n', '"just a string"\n', '{]', '\u0000\u0001').map((t) => ({
      kind: 'not a mapping',
      bytes: Buffer.from(t),
      ext: '.yaml',
    }))
  );
}

/** Commands that take an experiment config, as argument lists around the file. */
const CONFIG_COMMANDS: ((file: string, out: string) => string[])[] = [
  (f) => ['validate', f],
  (f) => ['run', f],
  (f) => ['schedule', 'create', f, '--every', '1h'],
  (f, out) => ['data', 'prepare', f, '--out', out],
  (f) => ['length-penalty', '--think', '10', '--answer', '5', '--config', f],
  (f) => ['pretrain-base', '--config', f],
];

async function configCases(dir: string): Promise<{ cases: Case[]; kinds: Record<string, number> }> {
  const demo = await readFile(DEMO, 'utf8');
  const drawn = fc.sample(badDocument(demo), { seed: SEED, numRuns: CONFIGS * 4 });
  const cases: Case[] = [];
  const kinds: Record<string, number> = {};
  for (const [i, d] of drawn.entries()) {
    if (cases.length === CONFIGS) break;
    const file = path.join(dir, `config-${i}${d.ext}`);
    await writeFile(file, d.bytes);
    const read = await readExperimentFile(file);
    if (read.ok) continue; // the defect happened to leave a valid config: not a case
    const command = CONFIG_COMMANDS[cases.length % CONFIG_COMMANDS.length];
    cases.push({
      what: `${d.kind} → ${command('F', 'O').slice(0, 2).join(' ')}`,
      args: command(file, path.join(dir, 'out')),
      expect: read.problems[0],
    });
    kinds[d.kind] = (kinds[d.kind] ?? 0) + 1;
  }
  return { cases, kinds };
}

async function sweepCases(dir: string): Promise<Case[]> {
  const text = (await readFile(path.join(ROOT, 'examples/sweeps/demo-order.yaml'), 'utf8')).replace(
    '../demo.yaml',
    DEMO
  );
  const drawn = fc.sample(badDocument(text), { seed: SEED + 1, numRuns: SWEEPS * 6 });
  const cases: Case[] = [];
  for (const [i, d] of drawn.entries()) {
    if (cases.length === SWEEPS) break;
    const file = path.join(dir, `sweep-${i}${d.ext}`);
    await writeFile(file, d.bytes);
    const read = await readSweepFile(file);
    if (read.ok) continue;
    cases.push({ what: `sweep ${d.kind}`, args: ['sweep', file], expect: read.problems[0] });
  }
  return cases;
}

// ---- generated arguments -----------------------------------------------------------------------------------------

/** Text that is no number (and cannot be taken for an option or a shell-free argv problem). */
const notNumber = fc
  .string({ minLength: 1, maxLength: 12 })
  .filter((s) => !s.includes('\0') && !s.startsWith('-') && (s.trim() === '' || !Number.isFinite(Number(s))));
/** Run ids that are not one plain path segment. */
const badRunId = fc
  .oneof(
    fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })).map(([a, b]) => `${a}/${b}`),
    fc.string({ maxLength: 8 }).map((s) => `.${s}`),
    fc.constantFrom('..', 'a b', 'ü', '')
  )
  .filter((s) => !s.includes('\0') && !s.startsWith('-'));
const word = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);

function argCases(dir: string): Case[] {
  const sweep = path.join(ROOT, 'examples/sweeps/demo-order.yaml');
  const templates: fc.Arbitrary<Case>[] = [
    notNumber.map((v) => ({
      what: 'adjust --lr',
      args: ['adjust', 'r', '--lr', v],
      expect: /--lr <rate>.*expected a number/,
    })),
    notNumber.map((v) => ({
      what: 'adjust --stage-steps',
      args: ['adjust', 'r', '--stage-steps', v],
      expect: /--stage-steps <n>.*expected a number/,
    })),
    fc.constant({ what: 'adjust nothing', args: ['adjust', 'r'], expect: /nothing to change/ }),
    badRunId.map((id) => ({ what: 'run --id', args: ['run', DEMO, '--id', id], expect: /invalid run id/ })),
    badRunId.map((id) => ({ what: 'resume --id', args: ['resume', 'r', '--id', id], expect: /invalid run id/ })),
    badRunId.map((id) => ({ what: 'sweep --id', args: ['sweep', sweep, '--id', id], expect: /invalid run id/ })),
    badRunId.map((id) => ({
      what: 'report RUN',
      args: ['report', id, '--storage', `file://${dir}`],
      expect: /invalid run id|no run/,
    })),
    word.map((w) => ({
      what: 'report --storage',
      args: ['report', 'r', '--storage', `${w}://x`],
      expect: /unsupported storage URI/,
    })),
    notNumber.map((v) => ({
      what: 'schedule --every',
      args: ['schedule', 'create', DEMO, '--every', v],
      expect: /--every/,
    })),
    notNumber.map((v) => ({
      what: 'schedule --catchup-window',
      args: ['schedule', 'create', DEMO, '--every', '1h', '--catchup-window', v],
      expect: /--catchup-window/,
    })),
    word.map((w) => ({
      what: 'schedule --overlap',
      args: ['schedule', 'create', DEMO, '--every', '1h', '--overlap', `x${w}`],
      expect: /overlap policy/,
    })),
    notNumber.map((v) => ({ what: 'watch --interval', args: ['watch', 'r', '--interval', v], expect: /--interval/ })),
    notNumber.map((v) => ({
      what: 'length-penalty --think',
      args: ['length-penalty', '--think', v, '--answer', '1'],
      expect: /--think/,
    })),
    word.map((w) => ({ what: 'unknown option', args: ['validate', DEMO, `--x${w}`], expect: /unknown option/ })),
    fc
      .constantFrom('validate', 'run', 'sweep', 'status', 'report')
      .map((c) => ({ what: 'missing argument', args: [c], expect: /missing required argument/ })),
  ];
  // Commands that load the engine, the data pipeline or every command take seconds to start: tried once each.
  const slow: fc.Arbitrary<Case>[] = [
    word.map((w) => ({ what: 'worker --queue', args: ['worker', '--queue', `x${w}`], expect: /--queue/ })),
    notNumber.map((v) => ({ what: 'worker --threads', args: ['worker', '--threads', v], expect: /--threads/ })),
    notNumber.map((v) => ({
      what: 'pretrain --steps',
      args: ['pretrain', '--corpus', 'c.jsonl', '--steps', v, '--out', dir],
      expect: /--steps/,
    })),
    word.map((w) => ({
      what: 'data inspect --adapter',
      args: ['data', 'inspect', DEMO, '--adapter', `x${w}`],
      expect: /unknown adapter/,
    })),
    word.map((w) => ({
      what: 'data corpus --world',
      args: ['data', 'corpus', '--world', `x${w}`],
      expect: /unknown world/,
    })),
    word.map((w) => ({ what: 'unknown command', args: [`x${w}`], expect: /unknown command/ })),
  ];
  // Each template once, then more of the quick ones drawn at random, all from the seed.
  const once = [...templates, ...slow].map((t, i) => fc.sample(t, { seed: SEED + 10 + i, numRuns: 1 })[0]);
  const more = fc.sample(fc.oneof(...templates), { seed: SEED + 2, numRuns: ARGS - once.length });
  return [...once, ...more];
}

// ---- the test ----------------------------------------------------------------------------------------------------

async function pool<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    })
  );
  return out;
}

test('malformed configs, sweep files and arguments: exit 1, a reason on stderr, no stack trace', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'oz-fuzz-cli-'));
  try {
    const { cases: configs, kinds } = await configCases(dir);
    const sweeps = await sweepCases(dir);
    const args = argCases(dir);
    const all = [...configs, ...sweeps, ...args];
    const outcomes = await pool(all, PARALLEL, (c) => omniZero(c.args, dir));
    const failures: string[] = [];
    outcomes.forEach((o, i) => {
      const c = all[i];
      const why: string[] = [];
      if (o.code !== 1) why.push(`exit ${o.code}`);
      if (/^\s+at .+(:\d+:\d+\)?|native\))$/m.test(o.stderr)) why.push('stack trace');
      const says = typeof c.expect === 'string' ? o.stderr.includes(c.expect) : c.expect.test(o.stderr);
      if (!says) why.push(`stderr does not say ${String(c.expect).slice(0, 120)}`);
      if (why.length)
        failures.push(`${c.what} ${JSON.stringify(c.args.slice(0, 6))}: ${why.join(', ')}\n${o.stderr.slice(0, 600)}`);
    });
    assert.deepEqual(failures, [], failures.join('\n\n'));
    assert.equal(configs.length, CONFIGS);
    t.diagnostic(
      JSON.stringify({
        processes: all.length,
        configs: configs.length,
        configDefects: kinds,
        sweeps: sweeps.length,
        args: args.length,
        exit1: outcomes.filter((o) => o.code === 1).length,
      })
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
