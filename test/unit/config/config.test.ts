import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConfigError, loadConfig, parseConfigToml, resolveProvider } from '../../../src/config/index.js';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'config-test-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const write = (text: string) => writeFile(join(home, 'config.toml'), text);

/** The error `fn` throws, or a failure if it does not throw. */
async function errorOf(fn: () => Promise<unknown>): Promise<ConfigError> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const openai = {
  id: 'openai',
  name: 'OpenAI',
  baseUrl: 'https://api.openai.com/v1',
  envKey: 'OPENAI_API_KEY',
  requestMaxRetries: 4,
  streamMaxRetries: 5,
  streamIdleTimeoutMs: 300000,
  requiresOpenaiAuth: true,
};

describe('loadConfig', () => {
  test('a missing file gives the defaults and the built-in openai provider', async () => {
    const config = await loadConfig(home);
    expect(config).toEqual({
      path: join(home, 'config.toml'),
      model: 'gpt-6.1-sol',
      modelProvider: 'openai',
      approvalPolicy: 'on-request',
      sandboxMode: 'read-only',
      sandboxModeSet: false,
      sandboxWorkspaceWrite: { writableRoots: [], networkAccess: false, excludeTmpdirEnvVar: false, excludeSlashTmp: false },
      modelProviders: { openai },
      features: {},
      raw: {},
    });
    expect(resolveProvider(config, 'openai')).toEqual(openai);
  });

  test('approval_policy as 0.169.0 takes it: "untrusted" refuses to start, "on-failure" runs as on-request, granular as given', async () => {
    await write('approval_policy = "untrusted"\n');
    const error = await errorOf(() => loadConfig(home));
    expect(error.message).toBe('approval_policy = "untrusted" is no longer supported; remove this setting');
    await write('approval_policy = "on-failure"\n');
    expect((await loadConfig(home)).approvalPolicy).toBe('on-request');
    await write('approval_policy = { granular = { sandbox_approval = true, rules = false, mcp_elicitations = true } }\n');
    expect((await loadConfig(home)).approvalPolicy).toEqual({ granular: { sandbox_approval: true, rules: false, skill_approval: false, request_permissions: false, mcp_elicitations: true } });
  });

  test('[sandbox_workspace_write] gives the writable roots and switches of workspace-write', async () => {
    await write('sandbox_mode = "workspace-write"\n[sandbox_workspace_write]\nwritable_roots = ["/opt/x"]\nnetwork_access = true\nexclude_slash_tmp = true\n');
    expect((await loadConfig(home)).sandboxWorkspaceWrite).toEqual({ writableRoots: ['/opt/x'], networkAccess: true, excludeTmpdirEnvVar: false, excludeSlashTmp: true });
  });

  test('the seed test config parses in full', async () => {
    await write(`model = "mock-model"
approval_policy = "never"
sandbox_mode = "read-only"
model_provider = "mock_provider"
some_unknown_key = { nested = [1, 2] }

[features]
plugins = false

[model_providers.mock_provider]
name = "Mock provider for test"
base_url = "http://127.0.0.1:4444/v1"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0
env_key = "MOCK_KEY"
stream_idle_timeout_ms = 2000
unknown_provider_key = true
`);
    const config = await loadConfig(home);
    expect(config.model).toBe('mock-model');
    expect(config.approvalPolicy).toBe('never');
    expect(config.sandboxMode).toBe('read-only');
    expect(config.modelProvider).toBe('mock_provider');
    expect(config.features).toEqual({ plugins: false });
    expect(config.raw.some_unknown_key).toEqual({ nested: [1, 2] });
    expect(resolveProvider(config, 'mock_provider')).toEqual({
      id: 'mock_provider',
      name: 'Mock provider for test',
      baseUrl: 'http://127.0.0.1:4444/v1',
      envKey: 'MOCK_KEY',
      requestMaxRetries: 0,
      streamMaxRetries: 0,
      streamIdleTimeoutMs: 2000,
      requiresOpenaiAuth: false,
    });
    expect(resolveProvider(config, 'openai')).toEqual(openai);
  });

  test('provider defaults apply and retry counts are capped at 100', async () => {
    await write(`model_provider = "p"
[model_providers.p]
request_max_retries = 1000
stream_max_retries = 101
`);
    const provider = resolveProvider(await loadConfig(home), 'p');
    expect(provider).toEqual({
      id: 'p',
      name: 'p',
      baseUrl: 'https://api.openai.com/v1',
      envKey: null,
      requestMaxRetries: 100,
      streamMaxRetries: 100,
      streamIdleTimeoutMs: 300000,
      requiresOpenaiAuth: false,
    });
  });

  test('a [model_providers.openai] table overrides the built-in one', async () => {
    await write(`[model_providers.openai]
name = "Proxy"
base_url = "http://127.0.0.1:1/v1"
`);
    const provider = resolveProvider(await loadConfig(home), 'openai');
    expect(provider.baseUrl).toBe('http://127.0.0.1:1/v1');
    expect(provider.envKey).toBeNull();
  });

  test('invalid TOML names the file, line and column', async () => {
    await write('model = "x"\napproval_policy = \n');
    const error = await errorOf(() => loadConfig(home));
    expect(error.message).toMatch(/^invalid .*config\.toml: TOML syntax error at line 2, column \d+: /);
    expect(error.message).toContain(join(home, 'config.toml'));
    expect(error.message).not.toContain('\n');
  });

  test('an invalid enum value names the key and the expected values', async () => {
    await write('approval_policy = "sometimes"\n');
    const error = await errorOf(() => loadConfig(home));
    expect(error.message).toBe(
      `invalid ${join(home, 'config.toml')}: approval_policy: expected one of untrusted, on-request, on-failure, never`,
    );
    expect(error.keyPath).toBe('approval_policy');
  });

  test('nested and type errors carry the dotted key path', async () => {
    const cases: [string, string][] = [
      ['sandbox_mode = 3', 'sandbox_mode: expected one of read-only, workspace-write, danger-full-access'],
      ['model = 5', 'model: expected a string'],
      ['[model_providers.m]\nrequest_max_retries = -1', 'model_providers.m.request_max_retries: expected a non-negative integer'],
      ['[model_providers.m]\nstream_idle_timeout_ms = 1.5', 'model_providers.m.stream_idle_timeout_ms: expected a non-negative integer'],
      ['[model_providers.m]\nwire_api = "chat"', 'model_providers.m.wire_api: expected one of responses'],
      ['features = 1', 'features: expected a table'],
    ];
    for (const [text, expected] of cases) {
      const error = await errorOf(async () => parseConfigToml(text, '/h/config.toml'));
      expect(error.message).toBe(`invalid /h/config.toml: ${expected}`);
    }
  });

  test('an unknown default provider is rejected with the reference text', async () => {
    await write('model_provider = "nope"\n');
    const error = await errorOf(() => loadConfig(home));
    expect(error.message).toContain('model_provider: Model provider `nope` not found');
  });

  test('resolveProvider of an unknown id throws ConfigError', async () => {
    const config = await loadConfig(home);
    expect(() => resolveProvider(config, 'missing')).toThrow(new ConfigError('Model provider `missing` not found', config.path, 'model_provider'));
  });

  test('an unreadable config path is a ConfigError, not a crash', async () => {
    await mkdir(join(home, 'config.toml'));
    const error = await errorOf(() => loadConfig(home));
    expect(error.message).toMatch(/^cannot read .*config\.toml: /);
  });
});
