/** Short prompts of every synthetic domain's shape, shared by the sampling benches so their figures compare. */
export const BENCH_PROMPT_TEXTS = [
  '12+35=',
  'What is 7*8? ',
  'Write a haiku',
  'def f(x):',
  'Solve x+3=5.',
  '9-4=',
  'Hello',
  'The capital of',
];
