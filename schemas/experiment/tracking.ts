/**
 * `tracking`: experiment trackers that mirror a run's params and metrics where a team already looks (MLflow,
 * TensorBoard). Off unless configured; a tracker that fails never fails a step (activities/tracking.ts counts them).
 * Credentials come from the worker's environment (MLflow's own `MLFLOW_TRACKING_TOKEN`, or
 * `MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD`), never from the config.
 */
import { z } from 'zod';
import { duration, strict } from './primitives.ts';

const httpUrl = z.string().regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, {
  error: 'must be the http(s) URL of an MLflow tracking server, e.g. "http://127.0.0.1:5000"',
});

export const mlflowSchema = strict({
  uri: httpUrl.meta({
    description: 'Tracking server URL (what `mlflow server` prints, e.g. http://127.0.0.1:5000). Required.',
  }),
  experiment: z.string().min(1).max(500).optional().meta({
    description: "MLflow experiment the run is logged under; created when missing. Default: the config's name.",
  }),
  timeout: duration.default('10s').meta({
    description: 'Per-request timeout; a slower server counts as a logging failure, the step goes on. Default 10s.',
  }),
}).meta({
  title: 'MLflow',
  description:
    'One MLflow run per run (name = run id, tag omni-zero.run), a resumed run continuing it: the flattened config as params, step metrics and evaluation scores as metrics, checkpoint URIs as tags.',
});

export const tensorboardSchema = strict({
  dir: z.string().min(1).meta({
    description:
      "Local folder of the worker that runs the GPU activities; each run writes event files to <dir>/<run id> (a resumed run to its first run's folder). Point `tensorboard --logdir` at it. Required.",
  }),
}).meta({ title: 'TensorBoard', description: 'Step metrics and evaluation scores as TensorBoard scalars.' });

export const trackingSchema = strict({
  mlflow: mlflowSchema.optional(),
  tensorboard: tensorboardSchema.optional(),
}).meta({
  title: 'Experiment trackers',
  description: 'Off by default: each tracker logs only when its section is present.',
});

export type MlflowConfig = z.output<typeof mlflowSchema>;
