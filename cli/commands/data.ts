/**
 * `omni-zero data …`: data preparation outside a workflow.
 * - `data prepare CONFIG --out DIR_OR_URI [--task NAME…] [--reference-url URL --reference-model NAME]`: every task's
 *   rows, quarantine and manifest, written under `<out>/<task>/`; prints `{task: manifest}` as JSON.
 * - `data inspect FILE --adapter NAME [--kind KIND]`: what an adapter makes of a JSONL file (rows, quarantine reasons,
 *   categories, prompt lengths) without writing anything.
 * - `data corpus --world NAME [--seed N] [--n N] [--noise P] [--think-tag T] [--answer-tag A] [--out FILE]`: a world's
 *   pretraining corpus as `{"prompt","response"}` JSONL (what `omni-zero pretrain` reads).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { adapterByName } from '../../data/adapters/index.ts';
import { categoryOf } from '../../data/filters/category-downsample.ts';
import { promptTokens } from '../../data/filters/token-length.ts';
import { toJsonl } from '../../data/jsonl.ts';
import { loadRows } from '../../data/load.ts';
import { prepareTask } from '../../data/prepare.ts';
import { worldByName, worldPretrainCorpus } from '../../data/worlds/index.ts';
import { TASK_KINDS, type TaskKind } from '../../schemas/experiment/tasks.ts';
import { openBlobStore } from '../../storage/open.ts';
import { OpenAIReferencePolicy } from '../../training/openai-reference-policy.ts';
import { readExperimentFile } from '../experiment-file.ts';

function wholeNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`${flag} must be a whole number ≥ 0 (got '${value}')`);
  return Number(value);
}

export function register(program: Command, write: (text: string) => void = (t) => process.stdout.write(t)): void {
  const data = program
    .command('data')
    .description('Prepare, inspect and generate datasets (loaders, filters, synthetic worlds)');

  data
    .command('prepare <config>')
    .description(
      "Run every task's data preparation (or --task ones) and write rows, quarantine and manifest under --out"
    )
    .requiredOption('--out <dirOrUri>', 'output folder or blob store URI (file:///abs/dir, s3://bucket/prefix)')
    .option('--task <name...>', 'only these tasks')
    .option(
      '--reference-url <url>',
      'OpenAI-compatible endpoint for the difficulty filter, e.g. http://127.0.0.1:8000/v1'
    )
    .option('--reference-model <name>', 'model name served at --reference-url')
    .action(
      async (file: string, opts: { out: string; task?: string[]; referenceUrl?: string; referenceModel?: string }) => {
        const read = await readExperimentFile(file);
        if (!read.ok) throw new Error(read.problems.join('; '));
        const { config } = read;
        const names = opts.task ?? Object.keys(config.tasks);
        for (const n of names) {
          if (!(n in config.tasks))
            throw new Error(`--task ${n}: no such task in ${file}; tasks: ${Object.keys(config.tasks).join(', ')}`);
        }
        if ((opts.referenceUrl === undefined) !== (opts.referenceModel === undefined)) {
          throw new Error('--reference-url and --reference-model go together');
        }
        const referencePolicy = opts.referenceUrl
          ? new OpenAIReferencePolicy({
              baseURL: opts.referenceUrl,
              model: opts.referenceModel as string,
              systemPrompt: config.template.systemPrompt,
            })
          : undefined;
        const store = openBlobStore(opts.out.includes('://') ? opts.out : path.resolve(opts.out));
        const out: Record<string, unknown> = {};
        for (const n of names) {
          const r = await prepareTask(n, config.tasks[n], {
            seed: config.seed,
            referencePolicy,
            verify: { thinkTag: config.template.thinkTag, answerTag: config.template.answerTag },
            output: { store, prefix: n },
            openStore: openBlobStore,
          });
          out[n] = r.manifest;
        }
        write(`${JSON.stringify(out, null, 2)}\n`);
      }
    );

  data
    .command('inspect <file>')
    .description('Load a JSONL or Parquet file through an adapter and summarise it (nothing is written)')
    .requiredOption('--adapter <name>', 'webinstruct | openr1-math | code-r1 | supergpqa | sharegpt | omni')
    .option('--kind <kind>', `task kind: ${TASK_KINDS.join(' | ')}`, 'math')
    .option('--category-field <field>', 'row field or meta key holding the category', 'category')
    .action(async (file: string, opts: { adapter: string; kind: string; categoryField: string }) => {
      if (!(TASK_KINDS as readonly string[]).includes(opts.kind))
        throw new Error(`--kind must be one of ${TASK_KINDS.join(', ')} (got '${opts.kind}')`);
      const adapter = adapterByName(opts.adapter);
      const ctx = { task: 'inspect', kind: opts.kind as TaskKind, seed: 0 };
      const r = await loadRows(file, adapter, ctx, { openStore: openBlobStore });
      const categories: Record<string, number> = {};
      for (const row of r.rows)
        categories[categoryOf(row, opts.categoryField)] = (categories[categoryOf(row, opts.categoryField)] ?? 0) + 1;
      const bytes = r.rows.map((row) => promptTokens(row)).sort((a, b) => a - b);
      const q = (p: number) => (bytes.length ? bytes[Math.min(bytes.length - 1, Math.floor(p * bytes.length))] : 0);
      write(
        `${JSON.stringify(
          {
            lines: r.lines,
            rows: r.rows.length,
            adapterDropped: r.adapterDropped,
            quarantine: r.quarantine.summary(10),
            categories,
            promptBytes: { p50: q(0.5), p90: q(0.9), max: bytes.at(-1) ?? 0 },
            example: r.rows[0] ?? null,
          },
          null,
          2
        )}\n`
      );
    });

  data
    .command('corpus')
    .description("A synthetic world's pretraining corpus ({prompt, response} JSONL) with systematic errors at --noise")
    .requiredOption('--world <name>', 'code | math | qa | writing')
    .option('--seed <n>', "world seed (use the experiment's seed so QA facts match)", '0')
    .option('--n <count>', 'pairs to generate', '1000')
    .option('--noise <p>', 'probability that an error-prone example carries its systematic error', '0')
    .option('--think-tag <name>', 'reasoning tag', 'think')
    .option('--answer-tag <name>', 'answer tag', 'answer')
    .option('--out <file>', 'write here instead of stdout')
    .action(
      async (opts: {
        world: string;
        seed: string;
        n: string;
        noise: string;
        thinkTag: string;
        answerTag: string;
        out?: string;
      }) => {
        worldByName(opts.world);
        const noise = Number(opts.noise);
        if (!(noise >= 0 && noise <= 1)) throw new Error(`--noise must be a number in [0, 1] (got '${opts.noise}')`);
        const pairs = worldPretrainCorpus(
          opts.world,
          wholeNumber('--seed', opts.seed, 0),
          wholeNumber('--n', opts.n, 1000),
          {
            noise,
            thinkTag: opts.thinkTag,
            answerTag: opts.answerTag,
          }
        );
        const text = toJsonl(pairs.map(({ prompt, response }) => ({ prompt, response })));
        if (opts.out === undefined) write(text);
        else {
          await writeFile(opts.out, text);
          write(
            `${JSON.stringify({ out: path.resolve(opts.out), pairs: pairs.length, withError: pairs.filter((p) => p.bug).length })}\n`
          );
        }
      }
    );
}
