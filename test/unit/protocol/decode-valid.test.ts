/**
 * Valid params decode to what handlers expect: unknown fields dropped, serde defaults filled in, every
 * UserInput variant accepted, and the decoder agreeing with the exported zod schema on the same input.
 * Also the method table's queue scopes.
 */
import { describe, expect, test } from 'vitest';
import { METHODS, type ImplementedMethod, decodeParams, isKnownMethod, methodSchemas } from '../../../src/protocol/index.js';

/** Decodes and asserts success. */
function decoded(method: ImplementedMethod, raw: unknown): unknown {
  const result = decodeParams(method, raw);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

const samples: [ImplementedMethod, unknown][] = [
  ['initialize', { clientInfo: { name: 'my_client', title: null, version: '0.0.1' } }],
  [
    'initialize',
    {
      clientInfo: { name: 'c', title: 'C', version: '1' },
      capabilities: { experimentalApi: true, optOutNotificationMethods: ['thread/started'], futureFlag: 1 },
    },
  ],
  ['thread/start', {}],
  [
    'thread/start',
    {
      model: 'mock-model',
      cwd: 'rel/dir',
      approvalPolicy: 'never',
      sandbox: 'read-only',
      ephemeral: true,
      config: { a: { b: [1] } },
      serviceTier: null,
      personality: 'none',
      unknownExtra: { x: 1 },
    },
  ],
  ['thread/start', { approvalPolicy: { granular: { sandbox_approval: true, rules: false, mcp_elicitations: true } } }],
  ['thread/start', { approvalPolicy: 'untrusted', multiAgentMode: { custom: 'hint' } }],
  ['thread/resume', { threadId: 'id', excludeTurns: true, path: '', model: null }],
  ['thread/fork', { threadId: 'id', ephemeral: true }],
  ['thread/archive', { threadId: 'id' }],
  ['thread/unarchive', { threadId: 'id' }],
  ['thread/list', {}],
  [
    'thread/list',
    {
      cursor: null,
      limit: 0,
      sortKey: 'updated_at',
      sortDirection: 'asc',
      archived: null,
      sourceKinds: [],
      modelProviders: ['mock_provider'],
      cwd: ['a', 'b'],
      searchTerm: 'hi',
      useStateDbOnly: true,
      projectId: null,
    },
  ],
  ['thread/list', { cwd: '/one/path' }],
  ['thread/read', { threadId: 'id', includeTurns: true }],
  ['thread/loaded/list', { limit: 10 }],
  ['thread/unsubscribe', { threadId: 'id' }],
  ['thread/name/set', { threadId: 'id', name: '' }],
  [
    'turn/start',
    {
      threadId: 'id',
      input: [
        { type: 'text', text: 'hello' },
        { type: 'text', text: 'x', text_elements: [{ byteRange: { start: 0, end: 1 }, placeholder: null }] },
        { type: 'image', url: 'https://example.com/a.png', detail: 'high' },
        { type: 'image', fileId: 'file_1' },
        { type: 'localImage', path: '/tmp/a.png' },
        { type: 'audio', url: 'https://example.com/a.wav' },
        { type: 'localAudio', path: '/tmp/a.wav' },
        { type: 'skill', name: 'skill', path: '/skills/s' },
        { type: 'mention', name: 'file', path: 'src/a.ts' },
      ],
      model: 'm',
      effort: 'high',
      summary: 'auto',
      sandboxPolicy: { type: 'workspaceWrite', writableRoots: ['/w'] },
      outputSchema: { type: 'object' },
    },
  ],
  ['turn/start', { threadId: 'id', input: [] }],
  ['turn/interrupt', { threadId: 'id', turnId: 'turn' }],
  ['model/list', {}],
  ['model/list', { includeHidden: true, limit: 5, cursor: '3' }],
  ['turn/steer', { threadId: 'id', expectedTurnId: 'turn', input: [{ type: 'text', text: 'more' }], clientUserMessageId: 'c-1' }],
  ['account/read', {}],
  ['account/read', { refreshToken: true }],
  ['getAuthStatus', {}],
  ['getAuthStatus', { includeToken: true, refreshToken: null }],
  ['account/rateLimits/read', { excludeResetCreditDetails: true }],
  ['config/read', { includeLayers: true, cwd: null }],
  ['config/value/write', { keyPath: 'model', value: null, mergeStrategy: 'replace', filePath: null, expectedVersion: 'sha256:0' }],
  ['config/batchWrite', { edits: [{ keyPath: 'a.b', value: { c: [1] }, mergeStrategy: 'upsert' }], reloadUserConfig: true }],
];

describe('optional params', () => {
  test('account/rateLimits/read reads its params as Option<…>: absent or null decodes as {}', () => {
    const empty = { excludeResetCreditDetails: false, supportsLunaReserve: false };
    expect(decoded('account/rateLimits/read', undefined)).toEqual(empty);
    expect(decoded('account/rateLimits/read', null)).toEqual(empty);
    expect(decoded('account/rateLimits/read', [])).toEqual(empty);
    expect(decodeParams('account/read', undefined)).toMatchObject({ ok: false, reason: 'missing-params' });
  });
});

describe('valid params', () => {
  test.each(samples)('%s %j decodes like its zod schema', (method, raw) => {
    const value = decoded(method, raw);
    expect(value).toEqual(methodSchemas(method).params.parse(raw));
  });

  test('unknown fields are dropped and serde defaults filled in', () => {
    expect(decoded('thread/archive', { threadId: 'x', extra: 1 })).toEqual({ threadId: 'x' });
    expect(decoded('thread/read', { threadId: 'x' })).toEqual({ threadId: 'x', includeTurns: false });
    expect(decoded('thread/list', { bogus: true })).toEqual({
      useStateDbOnly: false,
      currentAccountOnly: false,
      includeAttachedThreads: false,
    });
    expect(decoded('initialize', { clientInfo: { name: 'n', version: 'v' }, capabilities: {} })).toEqual({
      clientInfo: { name: 'n', version: 'v' },
      capabilities: {
        experimentalApi: false,
        requestAttestation: false,
        explicitGatewayOauth: false,
        mcpServerOpenaiFormElicitation: false,
        requiredHumanApproval: false,
      },
    });
  });

  test('text input gets `text_elements: []`; the tag comes first; image keeps its source', () => {
    const value = decoded('turn/start', {
      threadId: 't',
      input: [
        { text: 'hi', type: 'text' },
        { type: 'image', url: 'u', fileId: 'f' },
      ],
    }) as { input: object[] };
    expect(value.input).toEqual([
      { type: 'text', text: 'hi', text_elements: [] },
      { type: 'image', url: 'u' },
    ]);
    expect(Object.keys(value.input[0] ?? {})).toEqual(['type', 'text', 'text_elements']);
  });

  test("serde's map form of a unit variant decodes to the plain string", () => {
    expect(decoded('thread/start', { approvalPolicy: { never: null } })).toMatchObject({ approvalPolicy: 'never' });
  });

  test('null options are kept as null, absent ones stay absent (double options tell them apart)', () => {
    expect(decoded('thread/start', { serviceTier: null })).toMatchObject({ serviceTier: null });
    expect(decoded('thread/start', {})).not.toHaveProperty('serviceTier');
  });

  test('decoding never mutates the request', () => {
    const raw = { threadId: 't', input: [{ type: 'text', text: 'x' }] };
    const copy = structuredClone(raw);
    decoded('turn/start', raw);
    expect(raw).toEqual(copy);
  });
});

describe('method table', () => {
  test('implements the SPEC methods, all of them known to the reference', () => {
    expect(Object.keys(METHODS).sort()).toEqual(
      [
        'initialize',
        'model/list',
        'account/read',
        'getAuthStatus',
        'account/rateLimits/read',
        'thread/archive',
        'thread/fork',
        'thread/list',
        'thread/loaded/list',
        'thread/name/set',
        'thread/search',
        'thread/searchOccurrences',
        'thread/read',
        'thread/resume',
        'thread/start',
        'thread/unarchive',
        'thread/unsubscribe',
        'turn/interrupt',
        'turn/start',
        'turn/steer',
        'config/read',
        'config/value/write',
        'config/batchWrite',
        'configRequirements/read',
        'skills/list',
        'mcpServerStatus/list',
        'experimentalFeature/list',
        'collaborationMode/list',
        'app/list',
        'hooks/list',
        'modelProvider/list',
        'thread/turns/list',
        'thread/items/list',
        'thread/delete',
        'thread/metadata/update',
        'thread/compact/start',
        'account/login/start',
        'account/logout',
        'fuzzyFileSearch',
        'fuzzyFileSearch/sessionStart',
        'fuzzyFileSearch/sessionUpdate',
        'fuzzyFileSearch/sessionStop',
      ].sort(),
    );
    for (const name of Object.keys(METHODS)) expect(isKnownMethod(name)).toBe(true);
  });

  test('scopes: thread methods wait on their thread, the rest on nothing', () => {
    const scopeOf = (method: ImplementedMethod, raw: unknown): string | null =>
      (METHODS[method].scope as (p: unknown) => string | null)(decoded(method, raw));
    expect(scopeOf('turn/start', { threadId: 'T', input: [] })).toBe('T');
    expect(scopeOf('turn/interrupt', { threadId: 'T', turnId: 'u' })).toBe('T');
    expect(scopeOf('turn/steer', { threadId: 'T', expectedTurnId: 'u', input: [] })).toBe('T');
    expect(scopeOf('thread/archive', { threadId: 'T' })).toBe('T');
    expect(scopeOf('thread/resume', { threadId: 'T' })).toBe('T');
    expect(scopeOf('thread/fork', { threadId: 'T' })).toBe('T');
    expect(scopeOf('thread/name/set', { threadId: 'T', name: 'n' })).toBe('T');
    expect(scopeOf('thread/start', {})).toBeNull();
    expect(scopeOf('thread/list', {})).toBeNull();
    expect(scopeOf('thread/loaded/list', {})).toBeNull();
    expect(scopeOf('model/list', {})).toBeNull();
    expect(scopeOf('initialize', { clientInfo: { name: 'n', version: 'v' } })).toBeNull();
  });
});
