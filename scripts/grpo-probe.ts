/**
 * A fast in-process GRPO loop (no Temporal, no blob store) over the code paths the workflow's activities run:
 * data/prepare (the synthetic worlds' rows), data/step-batch (the seeded data cursor), Policy.sample (rollout), the
 * batch scorer with the config's reward options (scoring, code in the bubblewrap sandbox), training/update-batch
 * (advantages, samples and update options, as the update activity) and Policy.train; held-out evaluation with the
 * config's evaluation sampling, as the evaluate activity. Stages run one task each, in the order given, with a global
 * step counter (the window schedule follows it) and held-out scores of every task before and after each stage.
 *
 * Besides the held-out set, `--eval-train N` scores the stage's first N training prompts with k rollout-sampled
 * responses each at fixed draws: the training distribution's accuracy without the prompt mix of one step's batch
 * (a step's batch accuracy follows the data cursor's prompt order, which is the same in every run of a seed).
 *
 * `--plan` runs the config's own schedule instead of `--tasks`/`--steps`: its stages in run order (schedule.order),
 * their step budgets and windows (workflows/run-plan.ts), at each stage's learning rate as the experiment workflow passes it.
 * `--save DIR` writes the policy (weights and Adam state) after each stage to DIR/after-<stage>; `--checkpoint D --start-step N` then
 * continues from it at global step N (window, draws and data order follow the global step, as in the run), so a
 * curriculum can be explored one stage at a time (`--skip-base` leaves out the held-out scores before the first stage);
 * `--reference DIR` names the KL term's frozen reference (the base).
 * `--families` adds held-out accuracy by problem family (row meta.family) to every evaluation line; `--show-eval TASK`
 * prints every held-out response of TASK at each evaluation.
 *
 * Usage: node --import tsx scripts/grpo-probe.ts [--tasks math] [--steps 24] [--plan] [--config examples/demo.yaml]
 *   [--set grpo.learningRate=0.0002 …] [--held-out 64] [--eval-train 128] [--eval-k 4] [--eval-every 0]
 *   [--rollout-seed N] [--checkpoint DIR] [--start-step N] [--save DIR] [--skip-base] [--reference DIR] [--families] [--show-eval TASK] [--dump STEPS] [--check-ratio] [--json]
 * ~0.5 s a step for math/qa on the 2-core dev machine (code ~2–6 s: one sandbox run per sample).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfigText } from '../cli/experiment-file.ts';
import { referenceMaxTokens } from '../data/filters/difficulty.ts';
import { prepareTask } from '../data/prepare.ts';
import { type DataCursor, stepBatch } from '../data/step-batch.ts';
import { initBackend } from '../engine/backend.ts';
import { Policy } from '../engine/policy.ts';
import { toTokenBatch } from '../engine/train/batch.ts';
import { scoreTokensNoGrad } from '../engine/train/logprobs.ts';
import { ROOT } from '../infra/paths.mjs';
import { evalScore } from '../rl/step-metrics.ts';
import { windowAt as windowAtRl } from '../rl/window.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';
import { parseExperimentConfig } from '../schemas/parse.ts';
import type { DatasetRow } from '../schemas/records/dataset-row.ts';
import { openBlobStore } from '../storage/open.ts';
import { EngineReferencePolicy } from '../training/engine-reference-policy.ts';
import { templateOf, tokenizerSpecOf } from '../training/policy-config.ts';
import { promptIds, sampleRows } from '../training/sampling.ts';
import { scoreResponses, scoreSamples, toScorerSample } from '../training/scoring.ts';
import { grpoTrainOptions, grpoTrainSamples, klCoefOf } from '../training/update-batch.ts';
import { runLearningRate, runPlan, windowAtStep } from '../workflows/run-plan.ts';

const { values: args } = parseArgs({
  options: {
    config: { type: 'string', default: path.join(ROOT, 'examples', 'demo.yaml') },
    tasks: { type: 'string', default: 'math' },
    steps: { type: 'string', default: '24' },
    plan: { type: 'boolean', default: false },
    families: { type: 'boolean', default: false },
    'show-eval': { type: 'string' },
    set: { type: 'string', multiple: true, default: [] },
    checkpoint: { type: 'string' },
    'held-out': { type: 'string' },
    'eval-train': { type: 'string', default: '0' },
    'eval-k': { type: 'string', default: '4' },
    'eval-every': { type: 'string', default: '0' },
    'rollout-seed': { type: 'string' },
    'start-step': { type: 'string', default: '0' },
    save: { type: 'string' },
    'skip-base': { type: 'boolean', default: false },
    reference: { type: 'string' },
    dump: { type: 'string', default: '0' },
    'check-ratio': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

function setPath(obj: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let o = obj;
  for (const p of parts.slice(0, -1)) {
    if (typeof o[p] !== 'object' || o[p] === null) o[p] = {};
    o = o[p] as Record<string, unknown>;
  }
  o[parts[parts.length - 1]] = value;
}

/** The config file with `--set path=value` overrides (value as JSON, else a string), validated. */
async function loadConfig(): Promise<ExperimentConfig> {
  const file = args.config as string;
  const parsed = parseConfigText(await readFile(file, 'utf8'), file);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const raw = parsed.value as Record<string, unknown>;
  for (const s of args.set as string[]) {
    const at = s.indexOf('=');
    const text = s.slice(at + 1);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    setPath(raw, s.slice(0, at), value);
  }
  if (args['held-out'] !== undefined) {
    for (const t of Object.values(raw.tasks as Record<string, { source: Record<string, unknown> }>))
      t.source.heldOutSize = Number(args['held-out']);
  }
  const result = parseExperimentConfig(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

const config = await loadConfig();
const plan = runPlan(config);
/** The stages this probe runs: the config's plan (`--plan`) or one stage per `--tasks` entry of `--steps` steps. */
const stages: { name: string; task: string; steps: number; learningRate: number }[] = args.plan
  ? plan.stages.map((s) => {
      if (s.tasks.length !== 1) throw new Error(`stage ${s.name} mixes tasks: the probe runs single-task stages`);
      return { name: s.name, task: s.tasks[0].task, steps: s.steps, learningRate: s.learningRate };
    })
  : (args.tasks as string).split(',').map((task) => ({
      name: task,
      task,
      steps: Number(args.steps),
      learningRate: runLearningRate(config),
    }));
const tasks = stages.map((s) => s.task);
const dump = Number(args.dump);
const evalEvery = Number(args['eval-every']);
const started = performance.now();
const seconds = () => Math.round((performance.now() - started) / 100) / 10;
const r3 = (v: number) => Math.round(v * 1000) / 1000;
const log = (o: Record<string, unknown>) =>
  console.log(
    args.json
      ? JSON.stringify(o)
      : Object.entries(o)
          .map(([k, v]) => `${k}=${typeof v === 'number' ? r3(v) : typeof v === 'object' ? JSON.stringify(v) : v}`)
          .join(' ')
  );

await initBackend();
const template = templateOf(config);
const checkpoint = args.checkpoint ?? config.model.checkpoint?.replace(/^file:\/\//, '');
if (!checkpoint) throw new Error('give --checkpoint or a config with model.checkpoint');
const policy = await Policy.load(path.resolve(ROOT, checkpoint), {
  learningRate: config.grpo.learningRate as number,
  tokenizer: tokenizerSpecOf(config),
  // The rollout draws are keyed on the policy's seed (the experiment seed in a run); the data stay on config.seed.
  seed: args['rollout-seed'] !== undefined ? Number(args['rollout-seed']) : config.seed,
});
const tokenizer = policy.tokenizer;
// The KL term's frozen reference, as the update activity's: the base checkpoint (`--reference` when the probe
// continues from a saved stage), loaded only when some β > 0.
const needsReference = stages.some((s) => klCoefOf(config, s.name)(s.task) > 0);
const referenceDir = args.reference ?? checkpoint;
const reference = needsReference
  ? (
      await Policy.load(path.resolve(ROOT, referenceDir), {
        learningRate: config.grpo.learningRate as number,
        tokenizer: tokenizerSpecOf(config),
      })
    ).params
  : undefined;
// The difficulty filter samples the base policy at the rollout's sampling, as prepareData does with no referenceModel
// (activities/difficulty-reference.ts); its draws are keyed on the rollout seed, a run's experiment seed.
const filterBase = Object.values(config.tasks).some((t) => t.filters.difficulty.enabled)
  ? await Policy.load(path.resolve(ROOT, referenceDir), {
      learningRate: config.grpo.learningRate as number,
      tokenizer: tokenizerSpecOf(config),
      seed: policy.seed,
    })
  : undefined;
const data: Record<string, { train: DatasetRow[]; heldOut: DatasetRow[] }> = {};
for (const t of Object.keys(config.tasks)) {
  const r = config.rollout;
  const filtered = filterBase && config.tasks[t].filters.difficulty.enabled;
  data[t] = await prepareTask(t, config.tasks[t], {
    seed: config.seed,
    countTokens: (x) => tokenizer.encode(x).length,
    openStore: openBlobStore,
    ...(filtered
      ? {
          referencePolicy: new EngineReferencePolicy(filterBase, {
            template,
            maxTokens: referenceMaxTokens(config, config.tasks[t]),
            sampling: {
              temperature: r.temperature,
              topP: r.topP,
              topK: r.topK,
              repetitionPenalty: r.repetitionPenalty,
            },
          }),
          verify: { thinkTag: config.template.thinkTag, answerTag: config.template.answerTag },
          difficulty: { concurrency: 1 },
        }
      : {}),
  });
  if (filtered) log({ task: t, difficultyFilter: 'kept', train: data[t].train.length, s: seconds() });
}
const ctx = { config, run: { configHash: `probe-${Date.now()}` } };
const idsOf = (row: DatasetRow) => promptIds(policy, row, template);
const windowAt = (step: number): number =>
  args.plan ? (windowAtStep(plan, step) ?? 128) : windowAtRl(config.window, step);
const v = config.rewards.verifiable;
const scaleOf = (task: string) =>
  ({ kind: config.tasks[task].scorer === 'constraints' ? 'constraints' : 'verifier', ...v }) as const;
/** Policy tokens inside the first `<tag>…</tag>` of a response (to its end when unclosed); 0 without the tag. */
const innerTokens = (response: string, tag: string): number => {
  const start = response.indexOf(`<${tag}>`);
  if (start < 0) return 0;
  const from = start + tag.length + 2;
  const end = response.indexOf(`</${tag}>`, from);
  return tokenizer.encode(response.slice(from, end < 0 ? undefined : end)).length;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/**
 * Mean score of `rows`: by default with the config's evaluation sampling (what a run reports for the held-out set);
 * with `rollout`, k rollout-sampled responses per row at fixed draws.
 */
const familyScores: Record<string, Record<string, number>> = {};

async function score(task: string, rows: DatasetRow[], step: number, rollout = false): Promise<number> {
  const ev = config.evaluation;
  const r = config.rollout;
  const sampling = rollout
    ? { samplesPerPrompt: Number(args['eval-k']), step: 2_000_000_000, ...r }
    : { samplesPerPrompt: ev.avgK, step: 1_000_000_000 + step, ...ev };
  const rollouts = await policy.sample(rows.map(idsOf), {
    samplesPerPrompt: sampling.samplesPerPrompt,
    step: sampling.step,
    temperature: sampling.temperature,
    topP: sampling.topP,
    topK: sampling.topK,
    repetitionPenalty: sampling.repetitionPenalty,
    maxNewTokens: ev.maxTokens ?? 128,
    template,
  });
  const scored = await scoreResponses(ctx, rows, rollouts, 'e', tokenizer);
  const values = scored.records.map((x) => evalScore(x.components.accuracy, scaleOf(task)));
  if (!rollout && args['show-eval'] === task) {
    for (const [i, ro] of rollouts.entries()) {
      const row = rows[ro.promptIndex];
      console.log(
        `  eval ${task} ${row.meta?.family ?? '-'} ${JSON.stringify(row.prompt)} gold=${row.reference ?? '-'} ${values[i]} ${JSON.stringify(ro.text)}`
      );
    }
  }
  if (!rollout) {
    const byFamily: Record<string, number[]> = {};
    values.forEach((x, i) => {
      const family = String(rows[rollouts[i].promptIndex].meta?.family ?? '-');
      if (x === null) return;
      byFamily[family] = [...(byFamily[family] ?? []), x];
    });
    familyScores[task] = Object.fromEntries(Object.entries(byFamily).map(([f, xs]) => [f, r3(mean(xs))]));
  }
  return mean(values.filter((x): x is number => x !== null));
}

async function heldOutAll(step: number): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const t of Object.keys(config.tasks).sort()) out[t] = r3(await score(t, data[t].heldOut, step));
  if (args.families) for (const t of Object.keys(config.tasks).sort()) out[`${t}Families`] = familyScores[t];
  return out;
}

log({
  tasks: tasks.join(','),
  checkpoint,
  lr: String(config.grpo.learningRate),
  G: config.rollout.groupSize,
  prompts: config.rollout.promptsPerStep,
  stages: stages.map((s) => `${s.task} ${s.steps}`).join(' → '),
  avgK: config.evaluation.avgK,
  heldOut: data[tasks[0]].heldOut.length,
});
let step = Number(args['start-step']);
if (!args['skip-base']) log({ stage: 'base', heldOut: await heldOutAll(step), s: seconds() });
for (const { name: stageName, task, steps: stepsPerStage, learningRate } of stages) {
  const { train } = data[task];
  const trainEval = train.slice(0, Number(args['eval-train']));
  if (trainEval.length > 0) log({ stage: task, at: 'start', trainAcc: await score(task, trainEval, step, true) });
  let cursor: DataCursor = {};
  for (let k = 0; k < stepsPerStage; k++, step++) {
    const batch = stepBatch({
      trainSizes: { [task]: train.length },
      mixture: { [task]: 1 },
      count: config.rollout.promptsPerStep,
      seed: config.seed,
      step,
      cursor,
    });
    cursor = batch.cursor;
    const rows = batch.picks.map((p) => train[p.row]);
    const r = config.rollout;
    const responses = await sampleRows(policy, rows, {
      template,
      sampling: { temperature: r.temperature, topP: r.topP, topK: r.topK, repetitionPenalty: r.repetitionPenalty },
      samplesPerPrompt: r.groupSize,
      maxNewTokens: windowAt(step),
      step,
    });
    const records = responses.map((ro) => ({
      id: `${step}/${ro.promptIndex}/${ro.sampleIndex}`,
      groupId: `${step}/${ro.promptIndex}`,
      task: rows[ro.promptIndex].task,
      promptIndex: ro.promptIndex,
      response: ro.text,
      tokens: ro.tokens,
      oldLogProbs: ro.logprobs,
      truncated: ro.truncated,
    }));
    const scored = await scoreSamples(
      ctx,
      records.map((x) => toScorerSample(rows[x.promptIndex], x.id, x.groupId, x.response, x.truncated)),
      tokenizer
    );
    const rewards = scored.records;
    const {
      samples,
      advantages,
      scored: kept,
    } = grpoTrainSamples(records, rewards, (i) => idsOf(rows[i]), config, stageName);
    if (k < dump) {
      const advOf = new Map(kept.map((x, i) => [x.id, advantages.advantages[i]]));
      records.forEach((x, i) => {
        const rw = rewards[i];
        console.log(
          `  ${x.id} gold=${rows[x.promptIndex].reference ?? '-'} acc=${rw.components.accuracy} fmt=${rw.components.format} ` +
            `len=${rw.components.length === null ? '-' : r3(rw.components.length)} total=${rw.total === null ? '-' : r3(rw.total)} ` +
            `adv=${r3(advOf.get(x.id) ?? Number.NaN)} tokens=${x.tokens.length} ${JSON.stringify(x.response)}`
        );
      });
    }
    let ratioCheck: number | undefined;
    if (args['check-ratio'] && samples.length > 0) {
      // The sampler's log-probs against the trainer's on the same weights (the update rescores π_old itself).
      const lp = scoreTokensNoGrad(policy.params, policy.config, toTokenBatch(samples, tokenizer.padId), {
        temperature: r.temperature,
      }).logprobs;
      ratioCheck = 0;
      samples.forEach((s, i) => {
        kept[i].oldLogProbs.forEach((o, j) => {
          ratioCheck = Math.max(ratioCheck!, Math.abs(lp[i][s.prompt.length + j] - o));
        });
      });
    }
    const metrics =
      samples.length > 0
        ? await policy.train(samples, {
            ...grpoTrainOptions(config),
            ...(reference ? { reference } : {}),
            learningRate,
          })
        : undefined;
    const correct = rewards.map((x) =>
      x.components.accuracy === null ? 0 : (evalScore(x.components.accuracy, scaleOf(task)) ?? 0)
    );
    const line: Record<string, unknown> = {
      step,
      task,
      acc: mean(correct),
      format: mean(rewards.map((x) => x.components.format ?? 0)),
      reward: mean(rewards.map((x) => x.total ?? 0)),
      zeroVar: advantages.zeroVarianceFraction,
      tokens: mean(records.map((x) => x.tokens.length)),
      thinkTok: mean(records.map((x) => innerTokens(x.response, template.thinkTag))),
      answerTok: mean(records.map((x) => innerTokens(x.response, template.answerTag))),
      loss: metrics?.loss ?? 0,
      kl: metrics?.approxKl ?? 0,
      ent: metrics?.entropy ?? 0,
      grad: metrics?.gradNorm ?? 0,
      ...(ratioCheck !== undefined ? { maxLogpDiff: ratioCheck } : {}),
      s: seconds(),
    };
    if (evalEvery > 0 && (k + 1) % evalEvery === 0 && k + 1 < stepsPerStage) {
      line.heldOut = r3(await score(task, data[task].heldOut, step + 1));
      if (trainEval.length > 0) line.trainAcc = await score(task, trainEval, step + 1, true);
    }
    log(line);
  }
  if (trainEval.length > 0) log({ stage: task, at: 'end', trainAcc: await score(task, trainEval, step, true) });
  if (args.save) await policy.save(path.resolve(args.save, `after-${stageName}`), { configHash: ctx.run.configHash });
  log({ stage: task, heldOut: await heldOutAll(step), s: seconds() });
}
log({ done: true, seconds: seconds() });
process.exit(0);
