/**
 * Every run of a workflow id's continue-as-new chain with its history: events and serialised bytes (the protobuf
 * size, what the server's history limits count). Used by the history-bound test and the orchestration benchmark.
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { temporal } = proto; // CommonJS package: named exports are not visible to ESM

type History = proto.temporal.api.history.v1.IHistory;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

export interface ChainRun {
  runId: string;
  events: number;
  bytes: number;
  history: History;
}

export async function historyChain(client: Client, workflowId: string): Promise<ChainRun[]> {
  const latest = await client.workflow.getHandle(workflowId).fetchHistory();
  let runId: string | undefined =
    latest.events?.[0]?.workflowExecutionStartedEventAttributes?.firstExecutionRunId ?? undefined;
  if (!runId) throw new Error(`${workflowId}: its history has no first execution run id`);
  const chain: ChainRun[] = [];
  while (runId) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events: HistoryEvent[] = history.events ?? [];
    chain.push({
      runId,
      events: events.length,
      bytes: temporal.api.history.v1.History.encode(history).finish().length,
      history,
    });
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return chain;
}

/** Milliseconds of a history event's timestamp. */
export function eventMs(e: HistoryEvent): number {
  const t = e.eventTime;
  if (!t) return Number.NaN;
  return Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}
