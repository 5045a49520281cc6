/**
 * A stage's reports to its experiment (`stepCompleted`). A report is not awaited before the next step starts (the
 * server's confirmation would cost every step a workflow-task round trip); its failure still fails the stage, at the
 * next report or at `flushed()`.
 */
import { getExternalWorkflowHandle } from '@temporalio/workflow';
import type { StepSummary } from '../activities/types.ts';
import { stepCompletedSignal } from './messages.ts';

export class StepReports {
  private readonly parent;
  private sending: Promise<void> = Promise.resolve();
  private failure: { err: unknown } | null = null;

  constructor(parentId: string) {
    this.parent = getExternalWorkflowHandle(parentId);
  }

  async send(summary: StepSummary): Promise<void> {
    await this.flushed(); // the previous report, long confirmed in practice
    this.sending = this.parent.signal(stepCompletedSignal, summary).then(
      () => {},
      (err) => {
        this.failure = { err };
      }
    );
  }

  /** Resolves once every report is confirmed; rethrows a report's failure. */
  async flushed(): Promise<void> {
    await this.sending;
    if (this.failure) throw this.failure.err;
  }
}
