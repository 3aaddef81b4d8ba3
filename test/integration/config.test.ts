/**
 * `config/read`, `config/value/write`, `config/batchWrite`, `configRequirements/read`. The expected answers, texts and
 * versions were observed on the reference (codex app-server 0.169.0) with the same config.toml.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { tempHomeForTest } from '../support/temp-home.js';
import { request, requestError, spawnServer } from './helpers.js';

/** A fresh home with `config` as its config.toml (none when null). */
function tempHomeWithConfig(config: string | null): string {
  const home = tempHomeForTest();
  if (config !== null) writeFileSync(path.join(home, 'config.toml'), config);
  return home;
}

const CONFIG = `# top comment
model = "mock-model"   # the model
approval_policy = "never"
sandbox_mode = "read-only"
model_provider = "mock_provider"

[features]
plugins = false

# provider
[model_providers.mock_provider]
name = "Mock provider for test"
base_url = "http://127.0.0.1:9/v1"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0
`;
/** The reference's version of CONFIG (sha256 of its values as sorted JSON). */
const CONFIG_VERSION = 'sha256:1c0302c943318244cedc5a8ec25439bf0400520f29ff6ec747caa78017a42d4f';
const EMPTY_VERSION = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

describe('config/read', () => {
  test('the effective config with the reference field set, origins per leaf, layers on request', async () => {
    const home = tempHomeWithConfig(CONFIG);
    const mcp = await spawnServer(home);
    const file = path.join(home, 'config.toml');
    const user = { name: { type: 'user', file, profile: null }, version: CONFIG_VERSION };
    const read = await request(mcp, 'config/read', {});
    expect(Object.keys(read).sort()).toEqual(['config', 'origins']);
    expect(Object.keys(read['config'])).toHaveLength(107);
    expect(read['config']).toMatchObject({
      model: 'mock-model',
      approval_policy: 'never',
      review_model: null,
      history: { persistence: 'save-all', max_bytes: null },
      project_root_markers: ['.git'],
      features: { network_proxy: null, plugins: false, mentions_v2: true, memories: false },
      model_providers: {
        mock_provider: { name: 'Mock provider for test', base_url: 'http://127.0.0.1:9/v1', env_key: null, wire_api: 'responses', request_max_retries: 0, requires_openai_auth: false },
      },
    });
    expect(read['origins']).toEqual({
      model: user,
      approval_policy: user,
      sandbox_mode: user,
      model_provider: user,
      'features.plugins': user,
      'model_providers.mock_provider.name': user,
      'model_providers.mock_provider.base_url': user,
      'model_providers.mock_provider.wire_api': user,
      'model_providers.mock_provider.request_max_retries': user,
      'model_providers.mock_provider.stream_max_retries': user,
    });
    const layered = await request(mcp, 'config/read', { includeLayers: true });
    expect(layered['layers']).toEqual([
      { ...user, config: { model: 'mock-model', approval_policy: 'never', sandbox_mode: 'read-only', model_provider: 'mock_provider', features: { plugins: false }, model_providers: { mock_provider: { name: 'Mock provider for test', base_url: 'http://127.0.0.1:9/v1', wire_api: 'responses', request_max_retries: 0, stream_max_retries: 0 } } } },
      { name: { type: 'system', file: '/etc/codex/config.toml' }, version: EMPTY_VERSION, config: {} },
    ]);
  });

  test('-c overrides are the session-flags layer, above the user file', async () => {
    const home = tempHomeWithConfig(CONFIG);
    const mcp = await spawnServer(home, { args: ['-c', 'model=o3'] });
    const read = await request(mcp, 'config/read', { includeLayers: true });
    const session = { name: { type: 'sessionFlags' }, version: 'sha256:61edcac5e5f1caddc0a8719c9f02d0343e69cb0b8e9952d18f585aadf653b074' };
    expect(read['config']['model']).toBe('o3');
    expect(read['origins']['model']).toEqual(session);
    expect(read['layers'][0]).toEqual({ ...session, config: { model: 'o3' } });
  });

  test('params are required; a bad field type is the serde text', async () => {
    const mcp = await spawnServer(tempHomeWithConfig(CONFIG));
    expect(await requestError(mcp, 'config/read', undefined)).toEqual({ code: -32600, message: 'Invalid request: missing field `params`' });
    expect((await requestError(mcp, 'config/read', { includeLayers: 1 })).message).toBe('Invalid request: invalid type: integer `1`, expected a boolean');
  });
});

describe('config/value/write and config/batchWrite', () => {
  test('edits the file in place: comments, order and formatting outside the edited key are kept byte for byte', async () => {
    const home = tempHomeWithConfig(CONFIG);
    const mcp = await spawnServer(home);
    const result = await request(mcp, 'config/value/write', { keyPath: 'model_providers.mock_provider.name', value: 'Renamed', mergeStrategy: 'replace', expectedVersion: CONFIG_VERSION });
    expect(result).toEqual({ status: 'ok', version: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), filePath: path.join(home, 'config.toml'), overriddenMetadata: null });
    expect(readFileSync(path.join(home, 'config.toml'), 'utf8')).toBe(CONFIG.replace('name = "Mock provider for test"', 'name = "Renamed"'));
    // The value kept its inline comment.
    await request(mcp, 'config/value/write', { keyPath: 'model', value: 'gpt-5', mergeStrategy: 'replace' });
    expect(readFileSync(path.join(home, 'config.toml'), 'utf8')).toContain('model = "gpt-5"   # the model\n');
    expect(readFileSync(path.join(home, 'config.toml'), 'utf8').startsWith('# top comment\n')).toBe(true);
  });

  test('versions are the reference\'s; a stale expectedVersion is refused and nothing is written', async () => {
    const home = tempHomeWithConfig(CONFIG);
    const mcp = await spawnServer(home);
    const first = await request(mcp, 'config/value/write', { keyPath: 'model', value: 'gpt-5', mergeStrategy: 'replace', expectedVersion: CONFIG_VERSION });
    expect(first['version']).toBe('sha256:478601417ef25a55d0cc30e58a504e6cb570b0cc8e132561549dbe267be5e377');
    const before = readFileSync(path.join(home, 'config.toml'), 'utf8');
    const id = await mcp.sendRequest('config/value/write', { keyPath: 'model', value: 'gpt-6', mergeStrategy: 'replace', expectedVersion: CONFIG_VERSION });
    expect((await mcp.readStreamUntilErrorMessage(id)).error).toEqual({
      code: -32600,
      data: { config_write_error_code: 'configVersionConflict' },
      message: 'Configuration was modified since last read. Fetch latest version and retry.',
    });
    expect(readFileSync(path.join(home, 'config.toml'), 'utf8')).toBe(before);
    const read = await request(mcp, 'config/read', {});
    expect(read['origins']['model']['version']).toBe(first['version']);
  });

  test('batchWrite applies its edits in order as one write; upsert merges tables; null removes a key', async () => {
    const home = tempHomeWithConfig(CONFIG);
    const mcp = await spawnServer(home);
    const result = await request(mcp, 'config/batchWrite', {
      edits: [
        { keyPath: 'model', value: 'a', mergeStrategy: 'replace' },
        { keyPath: 'sandbox_workspace_write.network_access', value: true, mergeStrategy: 'upsert' },
        { keyPath: 'features', value: { foo_bar: true }, mergeStrategy: 'upsert' },
        { keyPath: 'approval_policy', value: null, mergeStrategy: 'replace' },
      ],
    });
    expect(result['status']).toBe('ok');
    const layers = (await request(mcp, 'config/read', { includeLayers: true }))['layers'];
    expect(layers[0]['config']).toMatchObject({ model: 'a', sandbox_workspace_write: { network_access: true }, features: { plugins: false, foo_bar: true } });
    expect(layers[0]['config']).not.toHaveProperty('approval_policy');
    expect(layers[0]['version']).toBe(result['version']);
    const empty = await request(mcp, 'config/batchWrite', { edits: [] });
    expect(empty['version']).toBe(result['version']);
  });

  test('a key overridden by -c reports okOverridden with the session-flags layer', async () => {
    const mcp = await spawnServer(tempHomeWithConfig(CONFIG), { args: ['-c', 'model=o3'] });
    const result = await request(mcp, 'config/value/write', { keyPath: 'model', value: 'x', mergeStrategy: 'replace' });
    expect(result['status']).toBe('okOverridden');
    expect(result['overriddenMetadata']).toEqual({
      message: 'Overridden by session flags',
      overridingLayer: { name: { type: 'sessionFlags' }, version: 'sha256:61edcac5e5f1caddc0a8719c9f02d0343e69cb0b8e9952d18f585aadf653b074' },
      effectiveValue: 'o3',
    });
  });

  test('bad input: the reference\'s texts and codes, and the file is untouched', async () => {
    const home = tempHomeWithConfig(CONFIG);
    const mcp = await spawnServer(home);
    const error = async (method: string, params: unknown) => {
      const id = await mcp.sendRequest(method, params);
      return (await mcp.readStreamUntilErrorMessage(id)).error;
    };
    const code = (c: string) => ({ config_write_error_code: c });
    expect(await error('config/value/write', { keyPath: 'model', value: 'x', mergeStrategy: 'merge' })).toEqual({ code: -32600, message: 'Invalid request: unknown variant `merge`, expected `replace` or `upsert`' });
    expect(await error('config/value/write', { keyPath: 'model', mergeStrategy: 'replace' })).toEqual({ code: -32600, message: 'Invalid request: missing field `value`' });
    expect(await error('config/batchWrite', {})).toEqual({ code: -32600, message: 'Invalid request: missing field `edits`' });
    expect(await error('config/value/write', { keyPath: '', value: 1, mergeStrategy: 'replace' })).toEqual({ code: -32600, data: code('configValidationError'), message: 'keyPath must not be empty' });
    expect(await error('config/value/write', { keyPath: 'model.sub', value: 'z', mergeStrategy: 'replace' })).toEqual({ code: -32600, data: code('configValidationError'), message: 'cannot set value on non-table parent' });
    expect(await error('config/value/write', { keyPath: 'approval_policy', value: 'bogus', mergeStrategy: 'replace' })).toEqual({
      code: -32600,
      data: code('configValidationError'),
      message: 'Invalid configuration: unknown variant `bogus`, expected one of `untrusted`, `on-failure`, `on-request`, `granular`, `never`\nin `approval_policy`\n',
    });
    expect(await error('config/value/write', { keyPath: 'model', value: 5, mergeStrategy: 'replace' })).toEqual({
      code: -32600,
      data: code('configValidationError'),
      message: 'Invalid configuration: invalid type: integer `5`, expected a string\nin `model`\n',
    });
    expect(await error('config/value/write', { keyPath: 'model', value: 'x', mergeStrategy: 'replace', filePath: '/elsewhere/config.toml' })).toEqual({
      code: -32600,
      data: code('configLayerReadonly'),
      message: 'Only writes to the user config are allowed',
    });
    expect(readFileSync(path.join(home, 'config.toml'), 'utf8')).toBe(CONFIG);
  });

  test('threads started after a write take the new defaults, as in the reference', async () => {
    const mcp = await spawnServer(tempHomeWithConfig(CONFIG));
    await request(mcp, 'config/value/write', { keyPath: 'model', value: 'gpt-other', mergeStrategy: 'replace' });
    expect(await request(mcp, 'thread/start', {})).toMatchObject({ model: 'gpt-other', approvalPolicy: 'never' });
    await request(mcp, 'config/batchWrite', { edits: [{ keyPath: 'approval_policy', value: 'on-request', mergeStrategy: 'replace' }] });
    expect(await request(mcp, 'thread/start', {})).toMatchObject({ model: 'gpt-other', approvalPolicy: 'on-request' });
  });

  test('a home without config.toml gets one', async () => {
    const home = tempHomeWithConfig(null);
    const mcp = await spawnServer(home);
    const result = await request(mcp, 'config/value/write', { keyPath: 'model', value: 'o3', mergeStrategy: 'replace', expectedVersion: EMPTY_VERSION });
    expect(result['status']).toBe('ok');
    expect(readFileSync(path.join(home, 'config.toml'), 'utf8')).toBe('model = "o3"\n');
  });
});

test('configRequirements/read: no requirements (params optional)', async () => {
  const mcp = await spawnServer(tempHomeWithConfig(CONFIG));
  expect(await request(mcp, 'configRequirements/read', undefined)).toEqual({ supportsIndependentSpeedModes: true, requirements: null });
});
