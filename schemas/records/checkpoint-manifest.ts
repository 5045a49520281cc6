/**
 * The manifest written last, after every file of a checkpoint: a checkpoint without a valid manifest does not exist
 * (DESIGN). Resume reads the newest valid one and checks every file's size and sha256.
 */
import { z } from 'zod';

export const manifestFileSchema = z.strictObject({
  /** Path relative to the checkpoint directory/prefix, no `..`. */
  path: z
    .string()
    .min(1)
    .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), {
      error: 'must be a relative path inside the checkpoint',
    }),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be 64 lower-case hex digits' }),
  bytes: z.int().min(0),
});

export const checkpointManifestSchema = z
  .strictObject({
    version: z.literal(1),
    experiment: z.string().min(1),
    run: z.string().min(1),
    /** Global step completed when written. */
    step: z.int().min(0),
    /** Stage in progress (or just finished) at that step. */
    stage: z.string().min(1),
    /** configHash of the run's config. */
    configHash: z.string().regex(/^[0-9a-f]{64}$/),
    /** ISO 8601 time, e.g. 2026-11-22T04:00:00.000Z. */
    createdAt: z.iso.datetime(),
    files: z.array(manifestFileSchema).min(1),
    /** Small summary metrics (eval score for keep-best). */
    metrics: z.record(z.string(), z.number()).optional(),
    /**
     * The plan in force when it was written, which `adjust` may have changed from the config's: the stage's index and
     * global step range, and the learning rate. Resume continues with these.
     */
    stageIndex: z.int().min(0).optional(),
    stageStartStep: z.int().min(0).optional(),
    stageEndStep: z.int().min(0).optional(),
    learningRate: z.number().positive().optional(),
    /**
     * sha256 of the manifest's own text without this field (JSON, 2-space indent, as written): the files' hashes
     * protect the files, this protects the manifest, so one damaged byte in it is caught too. Absent in manifests
     * written before it was recorded.
     */
    manifestSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
  })
  .refine((m) => new Set(m.files.map((f) => f.path)).size === m.files.length, {
    error: 'file paths must be unique',
    path: ['files'],
  })
  .meta({ title: 'Checkpoint manifest' });

export type CheckpointManifest = z.output<typeof checkpointManifestSchema>;
export type ManifestFile = z.output<typeof manifestFileSchema>;
