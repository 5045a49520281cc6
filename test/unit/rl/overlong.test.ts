import assert from 'node:assert/strict';
import { test } from 'node:test';
import { overlongPenalty } from '../../../rl/overlong.ts';

// rl-anchors Ex 5: exceed = |o| − (L_max − L_buf); penalty = −exceed/L_buf · f.
test('Ex 5 DAPO soft overlong penalty', () => {
  const dapo = { maxTokens: 20480, buffer: 4096 };
  assert.equal(overlongPenalty(16000, dapo), 0);
  assert.equal(overlongPenalty(16384, dapo), 0); // exactly L_max − L_buf
  assert.equal(overlongPenalty(18432, dapo), -0.5); // 2048/4096
  assert.equal(overlongPenalty(20480, dapo), -1);
  const stage1 = { maxTokens: 2048, buffer: 512 };
  assert.equal(overlongPenalty(1500, stage1), 0);
  assert.equal(overlongPenalty(1536, stage1), 0);
  assert.equal(overlongPenalty(1800, stage1), -0.515625); // 264/512
  assert.equal(overlongPenalty(2048, stage1), -1);
  assert.equal(overlongPenalty(1800, { ...stage1, factor: 0.5 }), -0.2578125);
  assert.equal(overlongPenalty(2048, { ...stage1, factor: 0.5 }), -0.5);
  assert.equal(overlongPenalty(5000, stage1), -1, 'capped beyond L_max');
});

test('the buffer must fit in the window', () => {
  assert.throws(() => overlongPenalty(10, { maxTokens: 100, buffer: 0 }), /overlong\.buffer/);
  assert.throws(() => overlongPenalty(10, { maxTokens: 100, buffer: 101 }), /overlong\.buffer/);
  assert.throws(() => overlongPenalty(-1, { maxTokens: 100, buffer: 10 }), /responseTokens/);
});
