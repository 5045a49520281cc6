/**
 * HuggingFace Math-Verify as the math verifier's reference: its public test suite as cases, and the package itself
 * as a batch oracle. The cases come from the pinned package's source distribution (the PyPI sdist ships tests/),
 * fetched with pip and turned into JSON by test/fixtures/math-verify/make-cases.py; nothing of Math-Verify is
 * committed here. Used by the suite test, the differential test and the rewards-math benchmark.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE_DIR } from '../../infra/paths.mjs';
import { PYTHON_TEST_TOOLS_REQUIREMENTS } from '../../infra/setup.d/python-test-tools.mjs';
import type { VerifyMathOptions } from '../../rewards/math/index.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/math-verify/', import.meta.url));

/** Math-Verify's verify() keywords for one case, as its tests' compare_strings helper passes them. */
export interface SuiteOptions {
  match_types: string[];
  precision: number;
  strict: boolean;
  allow_set_relation_comp: boolean;
  /** 'default': the test calls parse() with its default extraction targets. */
  parse?: 'default';
}

export interface SuiteCase {
  id: number;
  source: string;
  gold: string;
  prediction: string;
  expected: boolean;
  options: SuiteOptions;
}

export interface OraclePair {
  gold: string;
  prediction: string;
  /** Absent: Math-Verify's defaults (parse, parse, verify). */
  options?: SuiteOptions;
}

export function mathVerifyVersion(): string {
  const pin = PYTHON_TEST_TOOLS_REQUIREMENTS.find((r) => r.startsWith('math-verify=='));
  if (!pin) throw new Error('infra/setup.d/python-test-tools.mjs pins no math-verify version');
  return pin.slice('math-verify=='.length);
}

function run(python: string, args: string[], input?: string): string {
  const r = spawnSync(python, args, { encoding: 'utf8', input, maxBuffer: 256 * 2 ** 20 });
  if (r.status !== 0)
    throw new Error(`'${path.basename(python)} ${args.join(' ')}' failed (exit ${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** The cases of Math-Verify's test suite at the pinned version (downloaded and extracted once, then cached). */
export function mathVerifySuite(python: string): SuiteCase[] {
  const version = mathVerifyVersion();
  const dir = path.join(CACHE_DIR, `math-verify-suite-${version}`);
  const casesFile = path.join(dir, 'cases.json');
  if (!existsSync(casesFile)) {
    // per-process staging: test files run in parallel processes, and the last rename wins with the same content
    const staging = path.join(dir, `staging-${process.pid}`);
    mkdirSync(staging, { recursive: true });
    try {
      run(python, [
        '-m',
        'pip',
        'download',
        '--quiet',
        '--disable-pip-version-check',
        '--no-deps',
        '--no-binary',
        ':all:',
        `math-verify==${version}`,
        '-d',
        staging,
      ]);
      const archive = readdirSync(staging).find((f) => f.endsWith('.tar.gz'));
      if (!archive) throw new Error(`pip download left no math-verify sdist in ${staging}`);
      const extract = 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2], filter="data")';
      run(python, ['-c', extract, path.join(staging, archive), staging]);
      const tests = path.join(staging, archive.replace(/\.tar\.gz$/, ''), 'tests');
      writeFileSync(path.join(staging, 'cases.json'), run(python, [path.join(FIXTURES, 'make-cases.py'), tests]));
      renameSync(path.join(staging, 'cases.json'), casesFile);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return JSON.parse(readFileSync(casesFile, 'utf8'));
}

/** Math-Verify's verdicts on `pairs`, in one Python process; the seconds are its time in parse+verify alone. */
export function mathVerifyOracle(
  python: string,
  pairs: OraclePair[]
): { verdicts: boolean[]; seconds: number; cpuSeconds: number } {
  const out = JSON.parse(run(python, [path.join(FIXTURES, 'oracle.py')], JSON.stringify(pairs)));
  if (out.verdicts.length !== pairs.length)
    throw new Error(`oracle returned ${out.verdicts.length} verdicts for ${pairs.length} pairs`);
  return out;
}

/** A suite case's Math-Verify options as ours. */
export function suiteOptions(c: SuiteCase): VerifyMathOptions {
  return {
    timeoutMs: 5000,
    allowSetRelationComparison: c.options.allow_set_relation_comp,
    floatRounding: c.options.precision,
  };
}

/**
 * Case id → why we keep a verdict other than the one Math-Verify's test pins (mirrored in docs/math-verifier.md,
 * "Divergences from Math-Verify"). Ids are make-cases.py's, stable for the pinned math-verify version.
 */
export const DIVERGENCES: Record<number, string> = {
  31: 'Math-Verify (latex-only extraction) does not read a $…$ that spans lines; the answer 9 is stated',
  32: 'same as 31 for \\( … \\)',
  218: 'the gold \\boxed{ never closes: a truncated box is not graded',
  254: "Math-Verify's strict=False (variables interchangeable, f(x) = f(y)) has no counterpart: variables matter",
  260: 'a sum with symbolic bounds (\\sum_{k=0}^{n-1}) is not understood',
  264: 'the test pins 1 - 1/e = 1 + 1/e, which is false',
};
