/** The worker's Prometheus endpoint: `GET /metrics` answers the registry in the text exposition format. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServerOptions {
  /** What a scrape answers: a prom-client registry, or anything that renders like one. */
  registry: Pick<Registry, 'metrics' | 'contentType'>;
  /** TCP port; 0 picks a free one (read it back from `port`). */
  port: number;
  /** Interface to bind. Default `127.0.0.1`; `0.0.0.0` lets a Prometheus on another host scrape. */
  host?: string;
}

export interface MetricsServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const host = opts.host ?? '127.0.0.1';
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || (path !== '/metrics' && path !== '/')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('omni-zero worker metrics are at GET /metrics\n');
      return;
    }
    opts.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': opts.registry.contentType }).end(body),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`)
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`metrics port ${opts.port} on ${host} is in use; choose another with --metrics-port`)
          : err
      )
    );
    server.listen(opts.port, host, resolve);
  });
  // Scrapes must not keep a stopping worker alive.
  server.unref();
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
