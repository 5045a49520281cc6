import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SEARCH_ATTRIBUTES } from '../../schemas/search-attributes.ts';
import { type TemporalTestEnv, temporalTestEnv } from '../helpers/temporal.ts';

let env: TemporalTestEnv;
before(async () => {
  env = await temporalTestEnv();
});
after(async () => env.teardown());

test('the dev server answers and has every omni-zero search attribute registered with its type', async () => {
  const res = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
  const kinds: Record<string, number> = {
    Text: 1,
    Keyword: 2,
    Int: 3,
    Double: 4,
    Bool: 5,
    Datetime: 6,
    KeywordList: 7,
  };
  for (const [name, kind] of Object.entries(SEARCH_ATTRIBUTES)) {
    assert.equal(res.customAttributes?.[name], kinds[kind], `${name} should be registered as ${kind}`);
  }
});

test('the Web UI is served', async () => {
  assert.ok(env.uiUrl, 'the test server runs with its UI on');
  const res = await fetch(env.uiUrl!);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<html/i);
});
