/**
 * The request body sent as cached pieces (issue 18): the pieces always join to exactly the JSON the body
 * builder gives, their byte count is the UTF-8 length of that text, and a growing history reuses the
 * text of the items it already sent.
 */
import { expect, test } from 'vitest';
import { BodyPieceCache, bodyText } from '../../../src/model/body-pieces.js';
import { buildResponsesBody } from '../../../src/model/request-body.js';
import type { ModelRequest } from '../../../src/model/types.js';
import { modelRequest } from './helpers.js';

const expected = (request: ModelRequest) => JSON.stringify(buildResponsesBody(request));

test('pieces join to the whole body, with its UTF-8 byte length, for empty, one and many items', () => {
  const cache = new BodyPieceCache();
  const items = [
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'base "instructions" \\ here' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'héllo ✓ 🎉 \u2028' }] },
    { type: 'function_call', name: 'exec_command', arguments: '{"cmd":"true"}', call_id: 'c1' },
  ];
  for (const input of [[], items.slice(0, 1), items]) {
    const request = modelRequest({ input, model: 'gpt-"odd" model', tools: [{ type: 'function', name: 'input' }] });
    const body = cache.body(request);
    expect(bodyText(body)).toBe(expected(request));
    expect(body.byteLength).toBe(Buffer.byteLength(expected(request)));
    expect(JSON.parse(bodyText(body))).toEqual(buildResponsesBody(request));
  }
});

test('a growing history: every turn is exact, and earlier items are not serialised again', () => {
  const cache = new BodyPieceCache();
  const input: Record<string, unknown>[] = [];
  let serialised = 0;
  const counted = (item: Record<string, unknown>) => ({
    ...item,
    toJSON() {
      serialised += 1;
      const { toJSON: _omit, ...plain } = this as Record<string, unknown>;
      return plain;
    },
  });
  for (let turn = 1; turn <= 50; turn += 1) {
    input.push(counted({ type: 'message', role: 'user', content: [{ type: 'input_text', text: `step ${turn}` }] }));
    input.push(counted({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Done' }] }));
    const request = modelRequest({ input: [...input] });
    const body = cache.body(request);
    const whole = expected(request);
    expect(bodyText(body)).toBe(whole);
    expect(body.byteLength).toBe(Buffer.byteLength(whole));
  }
  // `expected()` serialises every item each turn (2 + 4 + … + 100 = 2,550); the cache only the 100 new ones.
  expect(serialised).toBe(2550 + 100);
});
