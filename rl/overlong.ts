/**
 * DAPO's soft overlong punishment (DAPO §3.4; verl `dapo` reward manager, TRL `get_soft_overlong_punishment`):
 * not one of GZ's or OT's rewards, but the shape GZ's eq. 5 is modelled on, and the usual guard for verifiable tasks
 * under a growing window. Its threshold must follow the window in force, so the caller passes the window per step.
 */
import { RlInputError, requireNonNegative, requireNonNegativeInteger } from './errors.ts';

export interface OverlongOptions {
  /** L_max: the window in force (maximum response tokens). */
  maxTokens: number;
  /** L_buf: the ramp's width below L_max, tokens (≤ maxTokens). DAPO uses 4096 of 20480. */
  buffer: number;
  /** Penalty at L_max. Default 1 (DAPO, TRL). */
  factor?: number;
}

/** 0 up to `L_max − L_buf`, then linear to −factor at L_max; capped at −factor beyond (OpenRLHF caps the excess too). */
export function overlongPenalty(responseTokens: number, { maxTokens, buffer, factor = 1 }: OverlongOptions): number {
  requireNonNegativeInteger(responseTokens, 'responseTokens');
  requireNonNegativeInteger(maxTokens, 'overlong.maxTokens');
  requireNonNegativeInteger(buffer, 'overlong.buffer');
  requireNonNegative(factor, 'overlong.factor');
  if (buffer === 0 || buffer > maxTokens) {
    throw new RlInputError('overlong.buffer', `must be between 1 and maxTokens (${maxTokens}), got ${buffer}`);
  }
  const exceed = Math.min(buffer, responseTokens - (maxTokens - buffer));
  return exceed <= 0 ? 0 : (-exceed / buffer) * factor;
}
