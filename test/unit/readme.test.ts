import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../infra/paths.mjs';
import { parseExperimentConfig } from '../../schemas/parse.ts';

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

test('the README opens with exactly the two commands for a fresh machine', () => {
  const firstBlock = readme.match(/```bash\n([\s\S]*?)```/)?.[1] ?? '';
  const commands = firstBlock
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => l.replace(/#.*/, '').trim());
  assert.deepEqual(commands, ['npm run demo', 'npm test']);
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  assert.match(pkg.scripts.demo, /infra\/setup\.mjs/, 'npm run demo installs what it needs');
  assert.match(pkg.scripts.test, /infra\/setup\.mjs/, 'npm test installs what it needs');
});

test('the JSON the README says to paste into the Web UI is a valid experiment config', () => {
  const json = readme.match(/```json\n([\s\S]*?)```/)?.[1];
  assert.ok(json, 'README has a JSON input example');
  const parsed = parseExperimentConfig(JSON.parse(json));
  assert.equal(parsed.ok, true, parsed.ok ? '' : JSON.stringify(parsed.issues));
});
