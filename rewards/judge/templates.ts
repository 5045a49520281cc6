/**
 * Default judge prompts, one per mode. Each is a template with `{name}` placeholders filled in one pass, so a policy
 * answer that itself contains `{answer}` is inserted verbatim and never expanded again.
 */
import { JudgeConfigError } from './errors.ts';

/**
 * GZ eq. 3: a generative reward model gives a scalar in [−5, 5] for a (question, answer) pair. GZ trains its own
 * Qwen2.5-72B reward model whose prompt is not published; this default asks a general chat model for the same scale and
 * for a machine-readable last line (`[[score]]`), which parseScalarScore reads first among its rules.
 */
export const DEFAULT_SCALAR_TEMPLATE = `Please act as an impartial judge and evaluate the quality of the answer an AI assistant gave to the user question below. Consider helpfulness, relevance, accuracy, depth, creativity and level of detail. Do not let the length of the answer influence you: a longer answer is not a better one by itself.

[Question]
{question}

[Answer]
{answer}

Give a short explanation, then rate the answer on an integer or decimal scale from -5 (very poor) to 5 (excellent). End with your rating on its own line in exactly this form: [[score]], for example: [[3]]`;

/**
 * OT §3.1 (Creative Writing): pairwise comparison against a reference answer, 1 better / 0.5 tie / 0 worse. The verdict
 * markers follow the MT-Bench / Arena-Hard convention ([[A>B]], [[B>A]], [[A=B]]), which judge models are used to.
 */
export const DEFAULT_PAIRWISE_TEMPLATE = `Please act as an impartial judge and compare the two responses to the user prompt below. Judge which response is better overall: helpfulness, relevance, accuracy, creativity, depth and writing quality. Avoid any position bias: the order in which the responses appear must not influence you. Do not let response length influence you.

[User prompt]
{question}

[Response A]
{answerA}

[Response B]
{answerB}

Explain briefly, then output your final verdict on its own line, exactly one of: [[A>B]] if A is better, [[B>A]] if B is better, [[A=B]] for a tie.`;

/**
 * General-Reasoner's General-Verifier protocol (seed 001): question, ground-truth answer and student answer in, a
 * "Final Decision: Yes/No" out; the model must not solve the question itself, only compare.
 */
export const DEFAULT_VERIFY_TEMPLATE = `### Question: {question}

### Ground Truth Answer: {reference}

### Student Answer: {answer}

For the above question, please verify whether the student's answer is equivalent to the ground truth answer. Do not solve the question yourself; only check whether the student's answer is equivalent to the ground truth answer (the same value, expression or meaning, possibly in a different but equivalent form or unit).
If the student's answer is correct, output "Final Decision: Yes". If it is incorrect, output "Final Decision: No".`;

/**
 * The placeholders each mode's template must contain (any one of the listed sets); a template missing one is a
 * configuration error. Pairwise templates name the two slots either `{answerA}`/`{answerB}` or, as the config schema
 * documents, `{answer}`/`{reference}`: in both spellings the FIRST name is slot A of the verdict ([[A>B]]) and the
 * client swaps the texts between the slots for the second order, so `{answer}` holds the reference in that order.
 */
export const TEMPLATE_PLACEHOLDERS = {
  scalar: [['question', 'answer']],
  pairwise: [
    ['question', 'answerA', 'answerB'],
    ['question', 'answer', 'reference'],
  ],
  verify: [['question', 'reference', 'answer']],
} as const;

export type JudgeMode = keyof typeof TEMPLATE_PLACEHOLDERS;

/** Throws JudgeConfigError naming the missing placeholders, so a typo in a config template fails at start-up. */
export function checkTemplate(mode: JudgeMode, template: string): void {
  const sets: readonly (readonly string[])[] = TEMPLATE_PLACEHOLDERS[mode];
  const missingPerSet = sets.map((set) => set.filter((name) => !template.includes(`{${name}}`)));
  if (missingPerSet.some((m) => m.length === 0)) return;
  const wanted = sets.map((set) => set.map((m) => `{${m}}`).join(', ')).join(' or ');
  throw new JudgeConfigError(
    `judge template for mode '${mode}' lacks ${missingPerSet[0].map((m) => `{${m}}`).join(', ')}; it must contain ${wanted}`
  );
}

/** Placeholder values for one pairwise order: `a` is shown in slot A, `b` in slot B, under both spellings. */
export function pairwiseSlots(question: string, a: string, b: string): Record<string, string> {
  return { question, answerA: a, answerB: b, answer: a, reference: b };
}

/** Single pass over `{name}` occurrences: known names are replaced, anything else (e.g. `{x}` in LaTeX) is kept. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? values[name] : whole
  );
}
