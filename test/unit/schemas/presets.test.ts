/** schemas/ may not import engine/, so its preset table is a copy: this keeps the names and lengths in step. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PRESETS } from '../../../engine/model/config.ts';
import { MODEL_PRESETS } from '../../../schemas/experiment/model.ts';

test('the config accepts exactly the engine presets, with the same maxPositions', () => {
  assert.deepEqual(Object.keys(MODEL_PRESETS).sort(), Object.keys(PRESETS).sort());
  for (const [name, preset] of Object.entries(PRESETS))
    assert.equal(MODEL_PRESETS[name as keyof typeof MODEL_PRESETS].maxPositions, preset.maxPositions, name);
});
