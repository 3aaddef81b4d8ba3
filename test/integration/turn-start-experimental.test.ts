/**
 * `turn/start` refuses its experimental params without the `experimentalApi` capability, with the reference's texts
 * (codex app-server 0.169.0): the first present field in the reference's check order is named, before the thread id
 * is looked at; a `null` counts as absent.
 */
import { describe, expect, test } from 'vitest';
import { requestError, setupEnv, spawnServer } from './helpers.js';

const VALUES: Record<string, unknown> = {
  responsesapiClientMetadata: { a: 'b' },
  responsesapiClientMetadataPatch: {},
  additionalContext: {},
  environments: [],
  runtimeWorkspaceRoots: [],
  permissions: 'x',
  collaborationMode: { mode: 'default', settings: { model: 'm', reasoning_effort: null, developer_instructions: null } },
  multiAgentMode: 'proactive',
  cyberAccessProgram: 'standard',
};
/** The reference's check order, found by sending every pair of fields. */
const ORDER = Object.keys(VALUES);
const unknown = '019ae000-0000-7000-8000-000000000000';
const gated = (field: string) => ({ code: -32600, message: `turn/start.${field} requires experimentalApi capability` });

describe('turn/start experimental params', () => {
  test('each is refused alone, and of two the one the reference checks first is named', async () => {
    const { home } = await setupEnv();
    const mcp = await spawnServer(home);
    const base = { threadId: 'bad', input: [] };
    for (const field of ORDER) expect(await requestError(mcp, 'turn/start', { ...base, [field]: VALUES[field] })).toEqual(gated(field));
    for (let i = 0; i < ORDER.length; i += 1) {
      const later = ORDER[(i + 3) % ORDER.length]!;
      const first = ORDER[Math.min(i, (i + 3) % ORDER.length)]!;
      expect(await requestError(mcp, 'turn/start', { ...base, [later]: VALUES[later], [ORDER[i]!]: VALUES[ORDER[i]!] })).toEqual(gated(first));
    }
    // A bad enum value is a decoding error, reported before the gate.
    expect(await requestError(mcp, 'turn/start', { ...base, cyberAccessProgram: 'x' })).toEqual({
      code: -32600,
      message: 'Invalid request: unknown variant `x`, expected one of `standard`, `daybreakBlue`, `daybreakRed`',
    });
    expect(await requestError(mcp, 'turn/start', { threadId: unknown, input: [], permissions: null, environments: null })).toEqual({ code: -32600, message: `thread not found: ${unknown}` });
  });

  test('accepted past the gate with the capability', async () => {
    const { home } = await setupEnv();
    const mcp = await spawnServer(home, { initialize: false });
    await mcp.initialize(undefined, { experimentalApi: true });
    expect(await requestError(mcp, 'turn/start', { threadId: unknown, input: [], ...VALUES })).toEqual({ code: -32600, message: `thread not found: ${unknown}` });
  });
});
