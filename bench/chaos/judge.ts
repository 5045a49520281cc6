/**
 * The drill's LLM judge: a real OpenAI-compatible HTTP server (test/helpers/fake-openai-server.ts) whose score is a
 * fixed function of the request text, so a retried judgement gives the same score and a run's rewards do not depend
 * on when they were asked. `hang(ms)` makes it stop answering for that long from the next request on (a hang that
 * starts when no step is scoring would hit nothing): requests that arrive meanwhile stay open until the client's
 * per-call timeout gives up on them.
 */
import { nameHash } from '../../rl/random.ts';
import { startFakeOpenAI, userText } from '../../test/helpers/fake-openai-server.ts';

export interface ChaosJudge {
  baseURL: string;
  /** Requests answered so far, and requests left hanging. */
  counts(): { answered: number; hung: number };
  /** Leaves the next request, and every one in the `ms` after it, unanswered. */
  hang(ms: number): void;
  /** Answers again at once, armed or hanging: a hang must not outlive the run it was planned for. */
  calm(): void;
  /** When the last hang began (its first unanswered request), ms since the epoch; null before any. */
  lastHangStartedAt(): number | null;
  close(): Promise<void>;
}

/** A score in [-5, 5] from the judged text: varied enough that a group's rewards differ, the same on every retry. */
export function judgeScore(text: string): number {
  return (nameHash(text) % 11) - 5;
}

export async function startChaosJudge(): Promise<ChaosJudge> {
  let hangUntil = 0;
  let armedMs = 0;
  let hangStartedAt: number | null = null;
  let answered = 0;
  let hung = 0;
  const server = await startFakeOpenAI((req) => {
    if (armedMs > 0) {
      hangStartedAt = Date.now();
      hangUntil = hangStartedAt + armedMs;
      armedMs = 0;
    }
    if (Date.now() < hangUntil) {
      hung++;
      return { kind: 'hang' };
    }
    answered++;
    return { kind: 'reply', content: JSON.stringify({ score: judgeScore(userText(req)) }) };
  });
  return {
    baseURL: server.baseURL,
    counts: () => ({ answered, hung }),
    hang(ms) {
      armedMs = ms;
    },
    calm() {
      armedMs = 0;
      hangUntil = 0;
    },
    lastHangStartedAt: () => hangStartedAt,
    close: () => server.close(),
  };
}
