/**
 * `writeJsonSchemas` (generate-json-schema --out DIR): the files it writes, and that the schemas
 * compile with ajv and accept/reject like the decoders do.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, test } from 'vitest';
import { SCHEMA_BUNDLE_FILE, writeJsonSchemas } from '../../../src/protocol/index.js';
import { completedTurn, loadedThread, threadStartResponse } from './samples.js';

const outDir = mkdtempSync(path.join(os.tmpdir(), 'protocol-schema-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('writeJsonSchemas', async () => {
  const written = await writeJsonSchemas(outDir);
  const bundle = JSON.parse(readFileSync(path.join(outDir, SCHEMA_BUNDLE_FILE), 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema(bundle, 'ours');
  const valid = (name: string, value: unknown): boolean => {
    const validate = ajv.getSchema(`ours#/definitions/${name}`);
    if (!validate) throw new Error(`no definition ${name}`);
    return validate(value) as boolean;
  };

  test('writes the bundle first, then one existing file per definition', () => {
    expect(written[0]).toBe(path.join(outDir, SCHEMA_BUNDLE_FILE));
    expect(written).toHaveLength(1 + Object.keys(bundle.definitions).length);
    for (const file of written) expect(existsSync(file)).toBe(true);
    expect(written).toContain(path.join(outDir, 'v2', 'ThreadStartParams.json'));
    expect(written).toContain(path.join(outDir, 'InitializeParams.json'));
  });

  test('the bundle is draft-07 with definitions keyed by type name', () => {
    expect(bundle.$schema).toBe('http://json-schema.org/draft-07/schema#');
    for (const name of [
      'InitializeParams', 'InitializeResponse', 'ThreadStartParams', 'ThreadStartResponse', 'ThreadListParams', 'TurnStartParams',
      'UserInput', 'Thread', 'Turn', 'ThreadItem', 'TurnError', 'ThreadTokenUsage', 'ItemStartedNotification', 'ModelListResponse',
    ]) {
      expect(bundle.definitions).toHaveProperty(name);
    }
    expect(bundle.definitions.ThreadStartResponse.properties.thread).toEqual({ $ref: '#/definitions/Thread' });
  });

  test('params schemas accept what the decoder accepts and reject what it rejects', () => {
    expect(valid('ThreadStartParams', {})).toBe(true);
    expect(valid('ThreadListParams', { limit: 5, cwd: ['a'], sortKey: 'updated_at' })).toBe(true);
    expect(valid('ThreadListParams', { limit: -1 })).toBe(false);
    expect(valid('ThreadListParams', { archived: 1 })).toBe(false);
    expect(valid('InitializeParams', {})).toBe(false);
    expect(valid('TurnStartParams', { threadId: 't', input: [{ type: 'text', text: 'hi' }] })).toBe(true);
    expect(valid('TurnStartParams', { threadId: 't', input: [{ type: 'bogus' }] })).toBe(false);
  });

  test('emitted objects validate against our own export', () => {
    expect(valid('Thread', loadedThread())).toBe(true);
    expect(valid('Turn', completedTurn())).toBe(true);
    expect(valid('ThreadStartResponse', threadStartResponse())).toBe(true);
  });

  test('per-type files are self-contained', () => {
    const file = JSON.parse(readFileSync(path.join(outDir, 'v2', 'ThreadStartResponse.json'), 'utf8'));
    expect(file.title).toBe('ThreadStartResponse');
    const validate = new Ajv({ strict: false }).compile(file);
    expect(validate(threadStartResponse())).toBe(true);
    expect(validate({ ...threadStartResponse(), thread: { id: 1 } })).toBe(false);
  });
});
