/**
 * Training a run's held policy as a step that either ends in its snapshot or leaves nothing behind: weights an
 * abandoned attempt trained are never written and never held. The caller holds the run's lock (run-lock.ts), so no
 * other attempt in this process mutates the same policy meanwhile.
 */
import type { Policy } from '../engine/policy.ts';
import { dropPolicy, type PolicyRef, type PolicyRun, policyFor, snapshotPolicy } from './policy-store.ts';

export interface TrainSnapshotOptions {
  /** Stage named in the snapshot's metadata. */
  stage: string;
  /** Further snapshot metadata (data cursor, fine-tune chunk). */
  extra?: Record<string, unknown>;
  /** Aborts when the attempt is abandoned (under Temporal: the activity's cancellation, e.g. a heartbeat timeout). */
  signal: AbortSignal;
  /**
   * Whether another attempt already completed this step (its done marker exists), asked just before the snapshot is
   * written. A workflow only ever accepts a result whose done marker was written first, so a snapshot it may hold
   * always has the marker beside it: with the marker present, writing would replace an accepted snapshot (the next
   * rollout then rightly refuses it). Without it, an existing snapshot was accepted by nobody (an attempt that died
   * between snapshot and marker) and is safely replaced by this attempt's own weights, which is why the rule is the
   * marker and not "never overwrite a complete manifest". Across workers a marker written while this snapshot is
   * uploading is not seen; within a worker the run lock rules that out.
   */
  settled?: () => Promise<boolean>;
}

/**
 * Trains the policy `from` names with `train` and writes it as the snapshot of its new step. Aborted (before the
 * snapshot), or failed, the held policy is dropped and the error thrown; settled by another attempt, the held policy
 * is dropped and nothing is written: null.
 */
export async function trainAndSnapshot<R>(
  ctx: PolicyRun,
  from: PolicyRef,
  train: (policy: Policy) => Promise<R>,
  o: TrainSnapshotOptions
): Promise<{ policy: PolicyRef; trained: R } | null> {
  const policy = await policyFor(ctx, from);
  let trained: R;
  try {
    trained = await train(policy);
    o.signal.throwIfAborted();
    if (await o.settled?.()) {
      dropPolicy(ctx);
      return null;
    }
  } catch (err) {
    dropPolicy(ctx); // half-trained or abandoned weights must never be reused
    throw err;
  }
  return { policy: await snapshotPolicy(ctx, policy, o.stage, o.extra), trained };
}

/** Throws the abort reason, dropping the held policy first, when `signal` has aborted: an abandoned attempt stops. */
export function abandonIfAborted(ctx: PolicyRun, signal: AbortSignal): void {
  if (!signal.aborted) return;
  dropPolicy(ctx);
  signal.throwIfAborted();
}
