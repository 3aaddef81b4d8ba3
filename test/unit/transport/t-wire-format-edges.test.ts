/** Edges of the wire envelope (issue 17): null/undefined ids, null errors and data, own timestamps, refusals. */
import { expect, test } from 'vitest';
import type { Message } from 'vscode-jsonrpc';
import { encodeMessage } from '../../../src/transport/wire-format.js';

const encode = (m: object) => encodeMessage(m as unknown as Message, () => 99);

test.for([
  // A notification is a method without an id (undefined or null); the clock stamps it unless it carries its own number.
  [{ method: 'n', id: null, params: { a: 1 } }, '{"method":"n","params":{"a":1},"emittedAtMs":99}'],
  [{ method: 'n', emittedAtMs: '5' }, '{"method":"n","emittedAtMs":99}'],
  [{ method: 'n', emittedAtMs: 0 }, '{"method":"n","emittedAtMs":0}'],
  // A server request keeps its id, even an empty string, and omits undefined params.
  [{ method: 'r', id: '' }, '{"method":"r","id":""}'],
  [{ method: 'r', id: 7, params: null }, '{"method":"r","id":7,"params":null}'],
  // Responses: an undefined id becomes null; so does an undefined result.
  [{ id: undefined, result: 1 }, '{"id":null,"result":1}'],
  [{ id: null, result: false }, '{"id":null,"result":false}'],
  [{ id: 2, result: 0 }, '{"id":2,"result":0}'],
  // An error of null is no error: the message is a response with a null result.
  [{ id: 3, error: null }, '{"id":3,"result":null}'],
  [{ id: 4, error: null, result: 'r' }, '{"id":4,"result":"r"}'],
  // Errors: a null data is left out; an undefined id becomes null; a falsy data is kept.
  [{ id: 5, error: { code: 1, message: 'm', data: null } }, '{"error":{"code":1,"message":"m"},"id":5}'],
  [{ id: undefined, error: { code: 1, message: 'm' } }, '{"error":{"code":1,"message":"m"},"id":null}'],
  [{ id: 6, error: { code: 1, message: 'm', data: 0 } }, '{"error":{"code":1,"data":0,"message":"m"},"id":6}'],
  [{ id: 8, error: { code: 1, message: 'm' }, result: 'ignored' }, '{"error":{"code":1,"message":"m"},"id":8}'],
] as const)('%j → %s', ([message, wire]) => {
  expect(encode(message)).toBe(wire);
});

test.for([
  [{ id: 1 }],
  [{ result: 1 }],
  [{ error: { code: 1, message: 'm' } }],
  [{ method: 5, id: 1 }],
  [{}],
] as const)('%j is refused', ([message]) => {
  expect(() => encode(message)).toThrow(new TypeError('not a JSON-RPC request, notification or response'));
});

test('a value JSON cannot encode throws', () => {
  expect(() => encode({ id: 1, result: 10n })).toThrow(TypeError);
});
