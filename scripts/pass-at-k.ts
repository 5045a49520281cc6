/**
 * How much a checkpoint could gain by sharpening alone: its held-out pass@k for k = 1, 2, 4, … n from n samples a
 * prompt, drawn and scored as a run's evaluation does (training/evaluation.ts, the config's evaluation sampling).
 * pass@1 is avg@n; RL that only sharpens the policy moves pass@1 towards pass@k, so pass@k − pass@1 bounds what it
 * can add at k samples. One JSON line per task.
 * Usage: node --import tsx scripts/pass-at-k.ts [--config examples/demo.yaml] [--checkpoint DIR] [--n 32] [--seed N]
 *   [--tasks math,qa]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readExperimentFile } from '../cli/experiment-file.ts';
import { prepareTask } from '../data/prepare.ts';
import { initBackend } from '../engine/backend.ts';
import { Policy } from '../engine/policy.ts';
import { ROOT } from '../infra/paths.mjs';
import { meanPassAtK } from '../rl/pass-at-k.ts';
import { formatIssues, parseExperimentConfig } from '../schemas/parse.ts';
import { openBlobStore } from '../storage/open.ts';
import { evaluatedRows, evaluateTask } from '../training/evaluation.ts';
import { tokenizerSpecOf } from '../training/policy-config.ts';

const { values: args } = parseArgs({
  options: {
    config: { type: 'string', default: path.join(ROOT, 'examples', 'demo.yaml') },
    checkpoint: { type: 'string' },
    n: { type: 'string', default: '32' },
    seed: { type: 'string' },
    tasks: { type: 'string' },
  },
});
const n = Number(args.n);
if (!Number.isInteger(n) || n < 1) throw new Error(`--n must be a whole number ≥ 1, got '${args.n}'`);

const file = args.config as string;
const read = await readExperimentFile(file);
if (!read.ok) throw new Error(`${file}: ${read.problems.join('; ')}`);
// n samples a prompt for every task, validated as the config's own evaluation would be.
const raw = read.raw as { evaluation?: Record<string, unknown> };
const result = parseExperimentConfig({ ...raw, evaluation: { ...raw.evaluation, avgK: n, perTask: {} } });
if (!result.ok) throw new Error(`${file} with evaluation.avgK=${n}: ${formatIssues(result.issues)}`);
const config = result.config;

await initBackend();
const checkpoint = args.checkpoint ?? config.model.checkpoint?.replace(/^file:\/\//, '');
if (!checkpoint) throw new Error('give --checkpoint or a config with a file:// model.checkpoint');
const policy = await Policy.load(path.resolve(ROOT, checkpoint), {
  learningRate: 1e-6,
  tokenizer: tokenizerSpecOf(config),
  seed: args.seed === undefined ? config.seed : Number(args.seed),
});
const ctx = { config, run: { configHash: `pass-at-k-${Date.now()}` } };
const ks = [...new Set([...Array.from({ length: Math.floor(Math.log2(n)) + 1 }, (_, i) => 2 ** i), n])];
const round = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);

const tasks = args.tasks === undefined ? Object.keys(config.tasks).sort() : args.tasks.split(',');
const unknown = tasks.filter((t) => !config.tasks[t]);
if (unknown.length > 0) throw new Error(`--tasks: ${unknown.join(', ')} not tasks of ${file}`);
for (const task of tasks) {
  const data = await prepareTask(task, config.tasks[task], {
    seed: config.seed,
    countTokens: (x) => policy.tokenizer.encode(x).length,
    openStore: openBlobStore,
  });
  const started = performance.now();
  const part = await evaluateTask(policy, evaluatedRows(config, task, data.heldOut), ctx, { task, step: 0 });
  const prompts = part.prompts ?? [];
  console.log(
    JSON.stringify({
      task,
      checkpoint,
      prompts: prompts.length,
      n,
      passAtK: Object.fromEntries(ks.map((k) => [k, round(meanPassAtK(prompts, k))])),
      seconds: Math.round((performance.now() - started) / 100) / 10,
    })
  );
}
