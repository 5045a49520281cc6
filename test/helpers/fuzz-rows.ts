/**
 * Generated dataset lines for the loader fuzz tests: valid source rows of every adapter (each made unique by an index
 * tag, so dedup keeps them all and the test knows exactly which rows must come out) and malformed ones derived from
 * them — a field missing, of the wrong type, blank or replaced by nested junk, invalid UTF-8 bytes, a cut-off or
 * non-JSON line, binary garbage, a JSON value that is not an object — each with the reason it must be quarantined for.
 */
import fc from 'fast-check';
import type { DatasetAdapterName } from '../../data/adapters/index.ts';
import type { TaskKind } from '../../schemas/experiment/tasks.ts';

/** One line of a generated file: the rows it must give (good) or the quarantine reason it must get (bad). */
export type FuzzLine =
  | { bytes: Buffer; good: string[] }
  | { bytes: Buffer; bad: string; reason: RegExp }
  | { bytes: Buffer; blank: true };

/** A valid source row, and the ids of the dataset rows it must give. */
export interface GoodRow {
  value: Record<string, unknown>;
  ids: string[];
}

export interface AdapterSpec {
  /** Task kind the adapter's rows are loaded as. */
  kind: TaskKind;
  /** A valid source row whose prompt starts with `tag` (unique per row). */
  good: (i: number, tag: string) => fc.Arbitrary<GoodRow>;
  /** Fields a row cannot do without, each with values the adapter must reject. */
  required: Record<string, fc.Arbitrary<unknown>>;
  /** Text fields a blank value must be rejected in. */
  nonBlank: string[];
  /** Adapter-specific malformations: a row and the field the reason must name. */
  extra?: (g: GoodRow) => fc.Arbitrary<{ value: unknown; field: string }>[];
}

/** Characters that break naive code: NUL, bidi override, BOM, lone surrogates, combining marks, escapes. */
const WEIRD = [
  '\u0000',
  '\u202e',
  '\ufeff',
  '\ud800',
  '\udfff',
  '😀',
  '\u0301',
  '\\',
  '"',
  '\t',
  '\u2028',
  '\r\n',
  '§',
];

/** Short text of any code points, possibly empty. */
export const text: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.string({ unit: 'grapheme', maxLength: 12 }),
      fc.constantFrom(...WEIRD)
    ),
    { maxLength: 5 }
  )
  .map((parts) => parts.join(''));

/** Mostly short text, now and then a huge string (100 kB to 1 MB). */
export const textOrHuge: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: text, weight: 300 },
  {
    arbitrary: fc.tuple(text, fc.constantFrom(100_000, 1_000_000)).map(([t, n]) => `${t}x`.repeat(n / (t.length + 1))),
    weight: 1,
  }
);

const junk = fc.jsonValue({ maxDepth: 4 });
const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
/** JSON values of any type but string (nested objects and arrays included). */
export const notString = junk.filter((v) => typeof v !== 'string');
const notText = junk.filter((v) => typeof v !== 'string' && typeof v !== 'number');
const blank = fc.constantFrom('', ' ', '\t\n ', '\u3000');
/** Unknown top-level fields with junk values, which an adapter that does not read them must ignore. */
const extras = fc.dictionary(
  fc.string({ maxLength: 6 }).map((k) => `x_${k}`),
  junk,
  { maxKeys: 2 }
);

const webinstruct: AdapterSpec = {
  kind: 'stem',
  good: (i, tag) =>
    fc
      .record({
        question: textOrHuge.map((t) => `${tag} ${t}`),
        answer: fc.oneof(
          text.map((t) => `A${t}`),
          fc.integer(),
          fc.double({ noNaN: true, noDefaultInfinity: true })
        ),
        category: fc.option(text, { nil: undefined }),
        x: extras,
      })
      .map(({ x, ...r }) => ({ value: { ...x, id: `wi-${i}`, ...defined(r) }, ids: [`wi-${i}`] })),
  required: { question: notString, answer: notText },
  nonBlank: ['question', 'answer'],
};

const openr1Math: AdapterSpec = {
  kind: 'math',
  good: (i, tag) =>
    fc
      .record({
        problem: textOrHuge.map((t) => `${tag} ${t}`),
        answer: fc.oneof(
          text.map((t) => `A${t}`),
          fc.integer()
        ),
        solution: fc.option(
          text.filter((t) => !/boxed|fbox/.test(t)),
          { nil: undefined }
        ),
        x: extras,
      })
      .map(({ x, ...r }) => ({ value: { ...x, uuid: `or-${i}`, ...defined(r) }, ids: [`or-${i}`] })),
  // With no \boxed{} in the solution a placeholder answer leaves nothing to verify against.
  required: { problem: notString, answer: fc.oneof(notText, fc.constantFrom('proof', 'NotFound', ' n/a ')) },
  nonBlank: ['problem', 'answer'],
};

const codeTests = fc.oneof(
  fc.tuple(text, text).map(([a, b]) => JSON.stringify({ inputs: [a], outputs: [b] })),
  text.map((t) => ({ functional: `assert f(${JSON.stringify(t)}) is None` }))
);
const codeR1: AdapterSpec = {
  kind: 'code',
  good: (i, tag) =>
    fc
      .record({
        prompt: fc.oneof(
          textOrHuge.map((t) => `${tag} ${t}`),
          fc.tuple(text, textOrHuge).map(([s, t]) => [
            { role: 'system', content: s },
            { role: 'user', content: `${tag} ${t}` },
          ])
        ),
        tests: codeTests,
        x: extras,
      })
      .map(({ prompt, tests, x }) => ({
        value: { ...x, prompt, reward_model: { ground_truth: tests }, extra_info: { index: i } },
        ids: [String(i)],
      })),
  required: {
    prompt: fc.oneof(
      junk.filter((v) => typeof v !== 'string' && !Array.isArray(v)),
      fc.array(junk.filter((m) => !isObject(m) || (m as { role?: unknown }).role !== 'user'))
    ),
    reward_model: fc.oneof(
      notString,
      fc.constantFrom(
        { ground_truth: 'not json' },
        { ground_truth: '{"inputs":["1"],"outputs":[]}' },
        { ground_truth: { functional: '  ' } },
        { ground_truth: { inputs: [1], outputs: [2] } }
      )
    ),
  },
  nonBlank: ['prompt'],
};

const option = text.map((t) => t.replace(/;/g, ','));
const supergpqa: AdapterSpec = {
  kind: 'qa',
  good: (i, tag) =>
    fc
      .record({
        question: textOrHuge.map((t) => `${tag} ${t}`),
        options: fc.array(option, { minLength: 2, maxLength: 5 }).map((os) => os.map((o, k) => `(${k}) ${o}`.trim())),
        pick: fc.nat(),
        discipline: fc.option(text, { nil: undefined }),
        x: extras,
      })
      .map(({ options, pick, x, ...r }) => ({
        value: { ...x, uuid: `sg-${i}`, options, answer: options[pick % options.length], ...defined(r) },
        ids: [`sg-${i}`],
      })),
  required: {
    question: notString,
    answer: fc.oneof(notString, fc.constant('not one of the options')),
    options: fc.oneof(
      junk.filter((v) => !Array.isArray(v)),
      fc.array(junk, { maxLength: 1 }),
      fc.tuple(fc.constant('(0) a'), notString).map((xs) => xs)
    ),
  },
  nonBlank: ['question', 'answer'],
};

const sharegpt: AdapterSpec = {
  kind: 'writing',
  good: (i, tag) =>
    fc
      .record({
        system: fc.option(text, { nil: undefined }),
        turns: fc.array(fc.tuple(textOrHuge, text), { minLength: 1, maxLength: 3 }),
        x: extras,
      })
      .map(({ system, turns, x }) => {
        const conversations = [
          ...(system === undefined ? [] : [{ from: 'system', value: system }]),
          ...turns.flatMap(([q, a], k) => [
            { from: k % 2 ? 'user' : 'human', value: `${tag}.${k} ${q}` },
            { from: k % 2 ? 'assistant' : 'gpt', value: `R ${a}` },
          ]),
        ];
        const id = `sh-${i}`;
        return {
          value: { ...x, id, conversations },
          ids: turns.length === 1 ? [id] : turns.map((_, k) => `${id}#${k}`),
        };
      }),
  required: {
    conversations: fc.oneof(
      junk.filter((v) => !Array.isArray(v)),
      fc.constant([]),
      fc.tuple(
        fc.constant({ from: 'human', value: 'q' }),
        junk.filter((m) => !isObject(m))
      ),
      fc.constant([{ from: 'alien', value: 'q' }]),
      fc.tuple(
        fc.constant({ from: 'human', value: 'q' }),
        notString.map((v) => ({ from: 'gpt', value: v }))
      ),
      fc.constant([{ from: 'human', value: 'only a question' }])
    ),
  },
  nonBlank: [],
};

const omni: AdapterSpec = {
  kind: 'math',
  good: (i, tag) =>
    fc
      .record({
        prompt: textOrHuge.map((t) => `${tag} ${t}`),
        reference: text.map((t) => `R${t}`),
        category: fc.option(text, { nil: undefined }),
        meta: fc.option(fc.dictionary(fc.string({ maxLength: 6 }), junk, { maxKeys: 3 }), { nil: undefined }),
        named: fc.boolean(),
      })
      .map(({ named, ...r }) => ({
        value: { id: `om-${i}`, ...(named ? { task: 't', kind: 'math' } : {}), ...defined(r) },
        ids: [`om-${i}`],
      })),
  required: { id: notString, prompt: notString, reference: notString },
  nonBlank: ['id', 'prompt', 'reference'],
  extra: (g) => [
    fc
      .string({ minLength: 1, maxLength: 8 })
      .map((k) => ({ value: { ...g.value, [`zz${k}`]: 1 }, field: 'Unrecognized key' })),
    fc.constantFrom('code', 'qa').map((kind) => ({ value: { ...g.value, kind }, field: 'kind' })),
    fc.constant({ value: { ...g.value, task: 'another' }, field: 'task' }),
  ],
};

/** One spec per registered adapter: the type makes a new adapter without a fuzz spec a compile error. */
export const SPECS: Record<DatasetAdapterName, AdapterSpec> = {
  webinstruct,
  'openr1-math': openr1Math,
  'code-r1': codeR1,
  supergpqa,
  sharegpt,
  omni,
};

function defined(r: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const line = (value: unknown) => Buffer.from(JSON.stringify(value));

/** Byte sequences no UTF-8 decoder may accept: stray bytes, a lone lead byte, surrogates, overlong, past U+10FFFF. */
const INVALID_UTF8 = [
  [0xff],
  [0xc3, 0x28],
  [0x80],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xc0, 0xaf],
  [0xe2, 0x82],
];
const MARK = Buffer.from('§§');

/** A malformed line made from the i-th row of an adapter: the defect, and the reason the quarantine must give. */
export function badLine(spec: AdapterSpec, i: number): fc.Arbitrary<FuzzLine> {
  const tag = `[${i}§§]`;
  return spec.good(i, tag).chain((g) => {
    const fieldBad = (kind: string, value: unknown, field: string): FuzzLine => ({
      bytes: line(value),
      bad: kind,
      reason: new RegExp(`\\b${escapeRe(field)}\\b`),
    });
    const fields = Object.keys(spec.required);
    const mutations: fc.Arbitrary<FuzzLine>[] = [
      fc.constantFrom(...fields).map((f) => {
        const { [f]: _, ...rest } = g.value;
        return fieldBad('missing field', rest, f);
      }),
      fc
        .constantFrom(...fields)
        .chain((f) => spec.required[f].map((v) => fieldBad('wrong type or nested junk', { ...g.value, [f]: v }, f))),
      fc.constantFrom(...INVALID_UTF8).map((bad) => {
        const bytes = line(g.value);
        const at = bytes.indexOf(MARK);
        return {
          bytes: Buffer.concat([bytes.subarray(0, at), Buffer.from(bad), bytes.subarray(at + MARK.length)]),
          bad: 'invalid utf-8',
          reason: /^utf-8: /,
        };
      }),
      fc.nat().map((n) => {
        const t = JSON.stringify(g.value);
        return { bytes: Buffer.from(t.slice(0, 1 + (n % (t.length - 1)))), bad: 'cut-off json', reason: /^json: / };
      }),
      text.map((t) => ({ bytes: Buffer.from(`#${t.replace(/[\r\n]/g, ' ')}`), bad: 'not json', reason: /^json: / })),
      fc
        .uint8Array({ minLength: 1, maxLength: 64 })
        .map((b) => Buffer.from(b.filter((x) => x !== 0x0a && x !== 0x0d)))
        .filter(
          (b) =>
            b
              .toString()
              .replace(/^\uFEFF/, '')
              .trim() !== '' && !/^\s*\{/.test(b.toString())
        )
        .map((bytes) => ({ bytes, bad: 'binary garbage', reason: /^(json|utf-8): |: row: must be a JSON object/ })),
      junk
        .filter((v) => !isObject(v))
        .map((v) => ({ bytes: line(v), bad: 'not an object', reason: /: row: must be a JSON object/ })),
    ];
    if (spec.nonBlank.length > 0)
      mutations.push(
        fc
          .tuple(fc.constantFrom(...spec.nonBlank), blank)
          .map(([f, b]) => fieldBad('blank text', { ...g.value, [f]: b }, f))
      );
    for (const e of spec.extra?.(g) ?? [])
      mutations.push(e.map(({ value, field }) => fieldBad('adapter rule', value, field)));
    return fc.oneof(...mutations);
  });
}

export function goodLine(spec: AdapterSpec, i: number): fc.Arbitrary<FuzzLine> {
  return spec.good(i, `[${i}]`).map((g) => ({ bytes: line(g.value), good: g.ids }));
}

export const blankLine: fc.Arbitrary<FuzzLine> = fc
  .constantFrom('', ' ', '\t', '\r')
  .map((s) => ({ bytes: Buffer.from(s), blank: true as const }));
