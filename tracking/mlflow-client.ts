/**
 * A small client for MLflow's tracking REST API (`/api/2.0/mlflow/…`, the API every MLflow client speaks): MLflow
 * ships no maintained JavaScript client, and the handful of calls a trainer needs are plain JSON over HTTP.
 * Authentication follows MLflow's own environment variables, so the same worker environment serves Python tools too.
 */

export interface MlflowClientOptions {
  /** Tracking server URL, e.g. `http://127.0.0.1:5000`. */
  uri: string;
  /** Per-request timeout, ms. */
  timeoutMs: number;
  /** Where credentials are read: `MLFLOW_TRACKING_TOKEN`, or `MLFLOW_TRACKING_USERNAME` + `MLFLOW_TRACKING_PASSWORD`. */
  env?: NodeJS.ProcessEnv;
}

export interface MlflowMetric {
  key: string;
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  step: number;
}
export interface MlflowKeyValue {
  key: string;
  value: string;
}
export interface MlflowRunInfo {
  run_id: string;
  run_name?: string;
  experiment_id: string;
  status: string;
  start_time: number;
  artifact_uri?: string;
}
export interface MlflowRun {
  info: MlflowRunInfo;
  data: { metrics?: MlflowMetric[]; params?: MlflowKeyValue[]; tags?: MlflowKeyValue[] };
}

/** A request MLflow answered with an error, or could not be sent. */
export class MlflowError extends Error {
  constructor(
    message: string,
    /** HTTP status, or 0 when no answer came (refused, timed out). */
    readonly status: number,
    /** MLflow's `error_code`, e.g. RESOURCE_DOES_NOT_EXIST. */
    readonly code?: string
  ) {
    super(message);
    this.name = 'MlflowError';
  }
}

/** MLflow's log-batch limits (mlflow/utils/validation.py): at most 1000 metrics, 100 params, 100 tags per call. */
const BATCH = { metrics: 1000, params: 100, tags: 100 } as const;

export class MlflowClient {
  readonly uri: string;
  private readonly timeoutMs: number;
  private readonly auth: string | undefined;

  constructor(options: MlflowClientOptions) {
    this.uri = options.uri.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
    this.auth = authHeader(options.env ?? process.env);
  }

  /** The experiment's id, creating it when it does not exist yet (a concurrent creator wins the race harmlessly). */
  async experimentId(name: string): Promise<string> {
    const found = await this.experimentByName(name);
    if (found) return found;
    try {
      return (await this.call<{ experiment_id: string }>('POST', 'experiments/create', { name })).experiment_id;
    } catch (err) {
      const again =
        err instanceof MlflowError && err.code === 'RESOURCE_ALREADY_EXISTS' && (await this.experimentByName(name));
      if (again) return again;
      throw err;
    }
  }

  private async experimentByName(name: string): Promise<string | null> {
    try {
      const r = await this.call<{ experiment: { experiment_id: string } }>(
        'GET',
        `experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`
      );
      return r.experiment.experiment_id;
    } catch (err) {
      if (err instanceof MlflowError && err.code === 'RESOURCE_DOES_NOT_EXIST') return null;
      throw err;
    }
  }

  /** Active runs of an experiment whose tag `key` equals `value`, oldest first. */
  async runsTagged(experimentId: string, key: string, value: string): Promise<MlflowRun[]> {
    const r = await this.call<{ runs?: MlflowRun[] }>('POST', 'runs/search', {
      experiment_ids: [experimentId],
      filter: `tags.\`${key}\` = '${value.replace(/'/g, "\\'")}'`,
      order_by: ['attributes.start_time ASC'],
      max_results: 10,
    });
    return r.runs ?? [];
  }

  async createRun(experimentId: string, runName: string, tags: MlflowKeyValue[]): Promise<MlflowRunInfo> {
    const r = await this.call<{ run: MlflowRun }>('POST', 'runs/create', {
      experiment_id: experimentId,
      run_name: runName,
      start_time: Date.now(),
      tags,
    });
    return r.run.info;
  }

  async getRun(runId: string): Promise<MlflowRun> {
    return (await this.call<{ run: MlflowRun }>('GET', `runs/get?run_id=${encodeURIComponent(runId)}`)).run;
  }

  async deleteRun(runId: string): Promise<void> {
    await this.call('POST', 'runs/delete', { run_id: runId });
  }

  /** Status RUNNING, FINISHED, FAILED or KILLED; an end time with every status but RUNNING. */
  async setStatus(runId: string, status: 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED'): Promise<void> {
    await this.call('POST', 'runs/update', {
      run_id: runId,
      status,
      ...(status === 'RUNNING' ? {} : { end_time: Date.now() }),
    });
  }

  /** Logs everything given, in as many log-batch calls as MLflow's limits need. Same param, same value: a no-op. */
  async logBatch(
    runId: string,
    batch: { metrics?: MlflowMetric[]; params?: MlflowKeyValue[]; tags?: MlflowKeyValue[] }
  ): Promise<void> {
    const metrics = batch.metrics ?? [];
    const params = batch.params ?? [];
    const tags = batch.tags ?? [];
    const calls = Math.max(
      Math.ceil(metrics.length / BATCH.metrics),
      Math.ceil(params.length / BATCH.params),
      Math.ceil(tags.length / BATCH.tags)
    );
    for (let i = 0; i < calls; i++) {
      await this.call('POST', 'runs/log-batch', {
        run_id: runId,
        metrics: metrics.slice(i * BATCH.metrics, (i + 1) * BATCH.metrics),
        params: params.slice(i * BATCH.params, (i + 1) * BATCH.params),
        tags: tags.slice(i * BATCH.tags, (i + 1) * BATCH.tags),
      });
    }
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    try {
      await this.call('POST', 'runs/delete-tag', { run_id: runId, key });
    } catch (err) {
      if (!(err instanceof MlflowError && err.code === 'RESOURCE_DOES_NOT_EXIST')) throw err;
    }
  }

  /** Every recorded value of one metric. */
  async metricHistory(runId: string, key: string): Promise<MlflowMetric[]> {
    const r = await this.call<{ metrics?: MlflowMetric[] }>(
      'GET',
      `metrics/get-history?run_id=${encodeURIComponent(runId)}&metric_key=${encodeURIComponent(key)}&max_results=25000`
    );
    return r.metrics ?? [];
  }

  /**
   * Stores `body` as the run's artifact `name` through the server's artifact proxy (`mlflow server` serves artifacts
   * by default) and returns its artifact URI. A run whose artifact store the server does not proxy is refused.
   */
  async uploadArtifact(run: MlflowRunInfo, name: string, body: string, contentType: string): Promise<string> {
    const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/(.+)$/.exec(run.artifact_uri ?? '');
    if (!m)
      throw new MlflowError(
        `MLflow run ${run.run_id} keeps artifacts at '${run.artifact_uri}', which the server does not proxy: start the server with --serve-artifacts (its default) to upload through it`,
        0
      );
    const url = `${this.uri}/api/2.0/mlflow-artifacts/artifacts/${m[1]}/${encodeURIComponent(name)}`;
    await this.send(url, 'PUT', body, contentType);
    return `${run.artifact_uri}/${name}`;
  }

  /** An artifact's bytes as text, through the server's artifact proxy. */
  async downloadArtifact(artifactUri: string): Promise<string> {
    const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/(.+)$/.exec(artifactUri);
    if (!m) throw new MlflowError(`not a proxied artifact URI: '${artifactUri}'`, 0);
    return this.send(`${this.uri}/api/2.0/mlflow-artifacts/artifacts/${m[1]}`, 'GET');
  }

  private async call<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const text = await this.send(
      `${this.uri}/api/2.0/mlflow/${path}`,
      method,
      body === undefined ? undefined : JSON.stringify(body),
      'application/json'
    );
    return (text === '' ? {} : JSON.parse(text)) as T;
  }

  /** One HTTP request; the answer's text, or an MlflowError carrying MLflow's error code. */
  private async send(url: string, method: string, body?: string, contentType?: string): Promise<string> {
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          ...(body === undefined || !contentType ? {} : { 'content-type': contentType }),
          ...(this.auth ? { authorization: this.auth } : {}),
        },
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const why = e.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : (e.cause?.code ?? e.message);
      throw new MlflowError(`MLflow ${method} ${url}: ${why}`, 0);
    }
    const text = await res.text();
    if (!res.ok) {
      let code: string | undefined;
      let message = text.slice(0, 500);
      try {
        const j = JSON.parse(text) as { error_code?: string; message?: string };
        code = j.error_code;
        message = j.message ?? message;
      } catch {}
      throw new MlflowError(
        `MLflow ${method} ${url}: HTTP ${res.status} ${code ?? ''} ${message}`.trim(),
        res.status,
        code
      );
    }
    return text;
  }
}

function authHeader(env: NodeJS.ProcessEnv): string | undefined {
  if (env.MLFLOW_TRACKING_TOKEN) return `Bearer ${env.MLFLOW_TRACKING_TOKEN}`;
  if (env.MLFLOW_TRACKING_USERNAME && env.MLFLOW_TRACKING_PASSWORD)
    return `Basic ${Buffer.from(`${env.MLFLOW_TRACKING_USERNAME}:${env.MLFLOW_TRACKING_PASSWORD}`).toString('base64')}`;
  return undefined;
}
