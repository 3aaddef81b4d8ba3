/**
 * The one method table: the queue key each request waits on, and the schema side (params, result, type
 * names) read from the same entries.
 */
import { describe, expect, test } from 'vitest';
import { IMPLEMENTED_METHODS, METHODS, buildJsonSchemaDefinitions, methodSchemas, queueKeyOf } from '../../../src/protocol/index.js';

describe('queue keys', () => {
  test('a thread-scoped request waits on its thread id, lower-cased: one thread named in two cases is one queue', () => {
    const id = '019A1B2C-3D4E-7F00-8123-456789ABCDEF';
    expect(queueKeyOf('turn/start', { threadId: id, input: [] })).toBe(id.toLowerCase());
    expect(queueKeyOf('thread/read', { threadId: id.toLowerCase(), includeTurns: false })).toBe(id.toLowerCase());
  });

  test('requests that touch no existing thread wait on nothing', () => {
    expect(queueKeyOf('thread/start', { experimentalRawEvents: false, allowProviderModelFallback: false })).toBeNull();
    expect(queueKeyOf('model/list', {})).toBeNull();
  });
});

describe('schema side', () => {
  test('every method has a params and a result schema, and the export names them after its type name', () => {
    const definitions = buildJsonSchemaDefinitions();
    for (const method of IMPLEMENTED_METHODS) {
      const { params, result } = methodSchemas(method);
      const { typeName } = METHODS[method];
      expect(definitions[`${typeName}Params`], method).toBeDefined();
      expect(definitions[`${typeName}Response`], method).toBeDefined();
      // Memoised: the export and tests see the same schema objects.
      expect(methodSchemas(method).params).toBe(params);
      expect(methodSchemas(method).result).toBe(result);
    }
  });

  test('the table lists its methods once, in a stable order', () => {
    expect(IMPLEMENTED_METHODS).toEqual(Object.keys(METHODS));
    expect(new Set(IMPLEMENTED_METHODS).size).toBe(IMPLEMENTED_METHODS.length);
  });
});
