/**
 * A small but real OpenAI-compatible HTTP server for tests: `POST /v1/chat/completions` and `/chat/completions` on
 * 127.0.0.1, answering each request with a scripted behaviour (normal, slow, HTTP error, 429 with Retry-After,
 * malformed JSON, connection reset, no answer at all). It records every request body it saw and the maximum number
 * in flight, so tests check what reached the wire rather than what the client believes it sent.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequestBody {
  model: string;
  messages: { role: string; content: string }[];
  temperature?: number;
  max_tokens?: number;
  [k: string]: unknown;
}

export type Behaviour =
  /** 200 with a chat.completion whose first choice's content is `content`, after `delayMs` (default 0). */
  | { kind: 'reply'; content: string; delayMs?: number }
  /** Sends nothing for `delayMs` then replies normally — beyond a client timeout, the client gives up first. */
  | { kind: 'slow'; delayMs: number; content: string }
  /** Any status with a JSON error body, plus extra headers (e.g. `retry-after`). */
  | { kind: 'status'; status: number; headers?: Record<string, string>; message?: string; delayMs?: number }
  /** 200 with content-type application/json and a truncated, unparsable body. */
  | { kind: 'malformed' }
  /** Destroys the socket without any response. */
  | { kind: 'reset' }
  /** Never answers: the request stays open until the client gives up (a hung judge). */
  | { kind: 'hang' };

/** Decides the behaviour of the n-th request (0-based, in arrival order). */
export type Script = (req: ChatRequestBody, n: number) => Behaviour;

export interface FakeOpenAIServer {
  /** Base URL including `/v1`, for the client's `baseURL`. */
  baseURL: string;
  /** Every parsed request body, in arrival order. */
  requests: ChatRequestBody[];
  /** `authorization` header of each request, in arrival order. */
  authorizations: (string | undefined)[];
  /** Requests currently being handled. */
  readonly inFlight: number;
  /** Highest number of requests handled at the same time. */
  readonly maxInFlight: number;
  close(): Promise<void>;
}

function completionBody(model: string, content: string): string {
  return JSON.stringify({
    id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      { index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  });
}

/** The user message's text — what a script usually inspects to decide how to answer. */
export function userText(req: ChatRequestBody): string {
  return req.messages
    .filter((m) => m.role === 'user')
    .map((m) => m.content)
    .join('\n');
}

export async function startFakeOpenAI(script: Script): Promise<FakeOpenAIServer> {
  const requests: ChatRequestBody[] = [];
  const authorizations: (string | undefined)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const server = http.createServer((req, res) => {
    const url = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || (url !== '/v1/chat/completions' && url !== '/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${url}`, type: 'invalid_request_error' } }));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: ChatRequestBody;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequestBody;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'request body is not JSON', type: 'invalid_request_error' } }));
        return;
      }
      const n = requests.length;
      requests.push(body);
      authorizations.push(req.headers.authorization);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      let done = false;
      const finish = () => {
        if (!done) {
          done = true;
          inFlight--;
        }
      };
      res.on('close', finish);
      const b = script(body, n);
      const reply = (content: string) => {
        if (res.destroyed) return finish();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(completionBody(body.model, content));
      };
      switch (b.kind) {
        case 'reply':
          if (b.delayMs) later(b.delayMs, () => reply(b.content));
          else reply(b.content);
          break;
        case 'slow':
          later(b.delayMs, () => reply(b.content));
          break;
        case 'status': {
          const send = () => {
            if (res.destroyed) return finish();
            res.writeHead(b.status, { 'content-type': 'application/json', ...(b.headers ?? {}) });
            res.end(JSON.stringify({ error: { message: b.message ?? `scripted ${b.status}`, type: 'server_error' } }));
          };
          if (b.delayMs) later(b.delayMs, send);
          else send();
          break;
        }
        case 'malformed':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"id": "chatcmpl-x", "object": "chat.completion", "choices": [{"message": {"content": "[[3');
          break;
        case 'reset':
          req.socket.destroy();
          finish();
          break;
        case 'hang':
          break;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    authorizations,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
