/** `tracking` is off unless written, leaves the hash of configs without it alone, and rejects what cannot be a server. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configHash } from '../../../schemas/config-hash.ts';
import { parseExperimentConfig } from '../../../schemas/parse.ts';
import { minimal } from './minimal.ts';

test('no tracking section: no tracker, and the resolved config has no tracking key to hash', () => {
  const r = parseExperimentConfig(minimal());
  assert.ok(r.ok);
  assert.equal(r.config.tracking, undefined);
  assert.ok(!('tracking' in r.config));
});

test('an MLflow section gets its defaults and changes the hash', () => {
  const plain = parseExperimentConfig(minimal());
  const r = parseExperimentConfig({ ...minimal(), tracking: { mlflow: { uri: 'http://127.0.0.1:5000' } } });
  assert.ok(r.ok && plain.ok);
  assert.deepEqual(r.config.tracking, { mlflow: { uri: 'http://127.0.0.1:5000', timeout: '10s' } });
  assert.notEqual(configHash(r.config), configHash(plain.config));
});

test('a tracking URI that is not an http(s) server URL is refused with what to write', () => {
  const r = parseExperimentConfig({ ...minimal(), tracking: { mlflow: { uri: 'file:///tmp/mlruns' } } });
  assert.ok(!r.ok);
  assert.match(
    r.issues.map((i) => `${i.path}: ${i.message}`).join('\n'),
    /tracking\.mlflow\.uri: .*MLflow tracking server/
  );
  const typo = parseExperimentConfig({ ...minimal(), tracking: { mlflow: { url: 'http://x' } } });
  assert.ok(!typo.ok);
  assert.match(typo.issues.map((i) => i.message).join('\n'), /did you mean 'uri'/);
});
