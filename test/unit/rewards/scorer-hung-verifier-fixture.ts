/**
 * Fault injection for the scorer tests: rule verifiers that never return, standing in for the pathological CAS input
 * that froze verl's reward loop (verl #6673). The real verifiers are built not to hang, so a hang has to be made.
 */
export function verifyMathAnswer(): never {
  for (;;) {
    // spins until the pool terminates the thread
  }
}

export const verifyStemAnswer = verifyMathAnswer;

export function matchQaAnswer(answer: string, gold: string[]) {
  return { equivalent: gold.includes(answer), reason: 'fixture exact match' };
}
