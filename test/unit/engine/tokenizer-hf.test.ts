import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { renderChatTemplate } from '../../../engine/tokenizer/chat-template.ts';
import { HfTokenizer } from '../../../engine/tokenizer/hf.ts';
import { loadTokenizer, loadTokenizerFromDir, saveTokenizer } from '../../../engine/tokenizer/load.ts';
import { requirePython, runPython } from '../../helpers/python.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/tokenizers');
const BPE_DIR = path.join(FIXTURES, 'qwen-style-bpe');
/** Produced by test/fixtures/tokenizers/make.py with Python `tokenizers` and jinja2. */
const expected = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as {
  vocab_size: number;
  specials: Record<string, number>;
  templates: Record<string, string>;
  encodings: { text: string; ids: number[]; decoded: string }[];
  chats: {
    template: string;
    messages: { role: string; content: string }[];
    kwargs: Record<string, unknown>;
    rendered: string;
  }[];
};

const tmp = mkdtempSync(path.join(os.tmpdir(), 'omni-zero-tokenizer-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const tok = new HfTokenizer(BPE_DIR);

test('encodes every fixture string to exactly the ids Python tokenizers produced, and decodes them back the same', () => {
  for (const { text, ids, decoded } of expected.encodings) {
    assert.deepEqual(tok.encode(text), ids, `encode ${JSON.stringify(text)}`);
    assert.equal(tok.decode(ids), decoded, `decode ${JSON.stringify(text)}`);
  }
});

test('vocabulary size, special ids and tag ids agree with Python; eos/pad come from tokenizer_config.json', () => {
  assert.equal(tok.vocabSize, expected.vocab_size);
  for (const [text, id] of Object.entries(expected.specials)) assert.equal(tok.tokenToId(text), id, text);
  assert.equal(tok.eosId, expected.specials['<|im_end|>']);
  assert.equal(tok.padId, expected.specials['<|endoftext|>']);
  assert.equal(tok.bosId, null);
});

test('the id is the sha256 of the tokenizer.json bytes, so any change to the file changes it', () => {
  const bytes = readFileSync(path.join(BPE_DIR, 'tokenizer.json'));
  assert.equal(tok.id, createHash('sha256').update(bytes).digest('hex'));
  const changed = path.join(tmp, 'changed');
  cpSync(BPE_DIR, changed, { recursive: true });
  writeFileSync(path.join(changed, 'tokenizer.json'), `${bytes.toString('utf8')}\n`);
  assert.notEqual(new HfTokenizer(changed).id, tok.id);
  // The file path or the directory path name the same tokenizer.
  assert.equal(new HfTokenizer(path.join(BPE_DIR, 'tokenizer.json')).id, tok.id);
});

test('chat templates render exactly as jinja2 configured like transformers renders them', () => {
  for (const c of expected.chats) {
    const { add_generation_prompt, ...variables } = c.kwargs;
    const got = renderChatTemplate(expected.templates[c.template], c.messages, {
      addGenerationPrompt: add_generation_prompt as boolean,
      variables,
    });
    assert.equal(got, c.rendered, `${c.template}: ${JSON.stringify(c.messages)}`);
  }
});

test("the tokenizer's own template (tokenizer_config.json) with add_generation_prompt ends in an assistant turn", () => {
  const text = tok.applyChatTemplate([{ role: 'user', content: 'What is 2+2?' }]);
  assert.equal(text, '<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n');
  const ids = tok.encode(text);
  // ChatML markers are single special ids: <|im_start|> = 1, <|im_end|> = 2 in this vocabulary.
  assert.equal(ids[0], 1);
  assert.equal(ids.filter((id) => id === 1).length, 2);
  assert.equal(ids.filter((id) => id === 2).length, 1);
  assert.equal(tok.decode(ids), text);
  const noPrompt = tok.applyChatTemplate([{ role: 'user', content: 'Hi' }], { addGenerationPrompt: false });
  assert.equal(noPrompt, '<|im_start|>user\nHi<|im_end|>\n');
});

test('a template may refuse messages (raise_exception) and bad templates fail with a readable error', () => {
  assert.throws(
    () => tok.applyChatTemplate([{ role: 'tool', content: 'x' }]),
    /chat template failed to render the messages: unsupported role: tool/
  );
  assert.throws(() => renderChatTemplate('{% for %}', []), /chat template does not parse/);
  assert.throws(() => renderChatTemplate('x', [{ role: 'user' } as never]), /needs string 'role' and 'content'/);
  assert.equal(tok.applyChatTemplate([]), '<|im_start|>assistant\n');
});

test('decode refuses ids that are not in the vocabulary and accepts an empty list', () => {
  assert.equal(tok.decode([]), '');
  assert.throws(() => tok.decode([expected.vocab_size]), /id 623 is not in the vocabulary \(0..622\)/);
});

test('loadTokenizer builds both kinds and rejects bad specs with what to fix', () => {
  assert.equal(loadTokenizer({ type: 'byte', tagTokens: ['<think>'] }).vocabSize, 260);
  const hf = loadTokenizer({
    type: 'hf',
    path: BPE_DIR,
    chatTemplate: '{{ messages[0].content }}',
    eosToken: '<|endoftext|>',
  });
  assert.equal(hf.eosId, 0);
  assert.equal(hf.applyChatTemplate([{ role: 'user', content: 'plain' }]), 'plain');
  assert.throws(() => loadTokenizer({ type: 'sentencepiece' } as never), /'type' must be 'byte' or 'hf'/);
  // The experiment config spells it 'huggingface' and gives the template as a file.
  const templateFile = path.join(tmp, 'template.jinja');
  writeFileSync(templateFile, '{{ messages[0].role }}|{{ eos_token }}');
  const fromConfig = loadTokenizer({ type: 'huggingface', path: BPE_DIR, chatTemplateFile: templateFile } as never);
  assert.equal(fromConfig.applyChatTemplate([{ role: 'user', content: '' }]), 'user|<|im_end|>');
  assert.deepEqual(fromConfig.spec, {
    type: 'hf',
    path: BPE_DIR,
    chatTemplate: '{{ messages[0].role }}|{{ eos_token }}',
  });
  assert.throws(
    () => loadTokenizer({ type: 'byte', chatTemplateFile: path.join(tmp, 'missing.jinja') }),
    /missing.jinja: cannot read the chat template file \(ENOENT\)/
  );
  assert.throws(() => loadTokenizer({ type: 'hf' } as never), /needs 'path'/);
  assert.throws(() => loadTokenizer({ type: 'hf', path: path.join(tmp, 'nowhere') }), /no such file or directory/);
  assert.throws(() => loadTokenizer({ type: 'hf', path: tmp }), /directory has no tokenizer.json/);
  assert.throws(
    () => loadTokenizer({ type: 'hf', path: BPE_DIR, eosToken: '</s>' }),
    /eos token '<\/s>' is not in the vocabulary/
  );
});

test('save → load in a checkpoint directory gives the same tokenizer (byte and Hugging Face)', async () => {
  const byteDir = mkdtempSync(path.join(tmp, 'byte-'));
  const byte = loadTokenizer({
    type: 'byte',
    tagTokens: ['<answer>', '</answer>'],
    chatTemplate: '{{ messages[0].content }}',
  });
  assert.deepEqual(await saveTokenizer(byte, byteDir), ['tokenizer.omni.json']);
  const byteBack = await loadTokenizerFromDir(byteDir);
  assert.equal(byteBack.id, byte.id);
  assert.equal(byteBack.chatTemplate, byte.chatTemplate);

  const hfDir = mkdtempSync(path.join(tmp, 'hf-'));
  const hf = loadTokenizer({ type: 'hf', path: BPE_DIR, padToken: '<|im_start|>' });
  assert.deepEqual(await saveTokenizer(hf, hfDir), ['tokenizer.json', 'tokenizer_config.json', 'tokenizer.omni.json']);
  // Moving the checkpoint directory keeps it loadable: the spec's path is relative to it.
  const moved = path.join(tmp, 'moved');
  cpSync(hfDir, moved, { recursive: true });
  rmSync(hfDir, { recursive: true });
  const hfBack = await loadTokenizerFromDir(moved);
  assert.equal(hfBack.id, hf.id);
  assert.equal(hfBack.padId, 1);
  assert.deepEqual(hfBack.encode('Hello <think>'), hf.encode('Hello <think>'));

  // A plain Hugging Face model directory (no tokenizer.omni.json) loads from its tokenizer.json.
  assert.equal((await loadTokenizerFromDir(BPE_DIR)).id, tok.id);
  await assert.rejects(loadTokenizerFromDir(mkdtempSync(path.join(tmp, 'empty-'))), /neither tokenizer.omni.json nor/);
});

test('random text: our ids and decodings equal Python tokenizers on the same file', async (t) => {
  const python = await requirePython(t);
  if (!python) return;
  const pieces = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom(
      ' ',
      '  ',
      '\n',
      '\r\n',
      '\t',
      "'s",
      "'LL",
      '123',
      'é',
      'e\u0301',
      '数学',
      '🙂',
      '👩‍💻',
      '<think>',
      '</answer>',
      '<|im_end|>'
    ),
    fc.array(fc.integer({ min: 0x20, max: 0x2fff }), { maxLength: 6 }).map((cps) => String.fromCodePoint(...cps))
  );
  const texts = fc.sample(
    fc.array(pieces, { maxLength: 10 }).map((p) => p.join('')),
    { numRuns: 300, seed: 42 }
  );
  const input = path.join(tmp, 'texts.json');
  writeFileSync(input, JSON.stringify(texts));
  const script = `
import json, sys
from tokenizers import Tokenizer
tok = Tokenizer.from_file(sys.argv[1])
out = []
for text in json.load(open(sys.argv[2])):
    ids = tok.encode(text, add_special_tokens=False).ids
    out.append({'ids': ids, 'decoded': tok.decode(ids, skip_special_tokens=False)})
print(json.dumps(out))
`;
  const want = JSON.parse(runPython(python, script, [path.join(BPE_DIR, 'tokenizer.json'), input]));
  texts.forEach((text, i) => {
    assert.deepEqual(tok.encode(text), want[i].ids, `encode ${JSON.stringify(text)}`);
    assert.equal(tok.decode(want[i].ids), want[i].decoded, `decode ${JSON.stringify(text)}`);
  });
});

test("the template may sit in chat_template.jinja or be the 'default' of a named list, as transformers allows", async () => {
  const dir = path.join(tmp, 'jinja-file');
  cpSync(BPE_DIR, dir, { recursive: true });
  const config = JSON.parse(readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8'));
  writeFileSync(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      ...config,
      chat_template: [
        { name: 'tool_use', template: 'T' },
        { name: 'default', template: 'D' },
      ],
    })
  );
  assert.equal(new HfTokenizer(dir).chatTemplate, 'D');
  writeFileSync(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({ ...config, chat_template: [{ name: 'x', template: 'X' }] })
  );
  assert.throws(() => new HfTokenizer(dir), /not a string nor a list with a template named 'default'/);
  const { chat_template: _drop, ...noTemplate } = config;
  writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(noTemplate));
  writeFileSync(path.join(dir, 'chat_template.jinja'), '{{ messages | length }} message(s)');
  const fromFile = new HfTokenizer(dir);
  assert.equal(fromFile.applyChatTemplate([{ role: 'user', content: 'x' }]), '1 message(s)');
  // Saved beside a checkpoint, the template file travels with the tokenizer.
  const saved = mkdtempSync(path.join(tmp, 'saved-'));
  assert.ok((await saveTokenizer(fromFile, saved)).includes('chat_template.jinja'));
  assert.equal((await loadTokenizerFromDir(saved)).chatTemplate, '{{ messages | length }} message(s)');
});

test('saving a tokenizer into the directory it was loaded from keeps its files intact', async () => {
  const own = path.join(tmp, 'own');
  cpSync(BPE_DIR, own, { recursive: true });
  const fromOwn = new HfTokenizer(own);
  assert.deepEqual(await saveTokenizer(fromOwn, own), [
    'tokenizer.json',
    'tokenizer_config.json',
    'tokenizer.omni.json',
  ]);
  assert.equal((await loadTokenizerFromDir(own)).id, tok.id);
  // A byte tokenizer saved over it removes the Hugging Face files, which would otherwise describe another vocabulary.
  await saveTokenizer(loadTokenizer({ type: 'byte' }), own);
  assert.equal((await loadTokenizerFromDir(own)).id, 'byte-v1');
  assert.throws(() => new HfTokenizer(own), /directory has no tokenizer.json/);
});
