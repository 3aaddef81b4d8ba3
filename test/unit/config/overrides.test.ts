import { describe, expect, test } from 'vitest';
import { applyConfigOverrides, featureToggleOverrides, OverrideError, parseCommandLine, parseConfigOverrides, parseConfigToml } from '../../../src/config/index.js';

describe('parseConfigOverrides (the reference CliConfigOverrides rules)', () => {
  test('values are TOML when they parse, literal strings (quotes stripped) otherwise', () => {
    expect(parseConfigOverrides(['model="o3"', 'model=o3', 'n=42', 'b=true', 'a=[1, 2]', 't={x = 1}', 'e=', "q='half", 'k = v = w '])).toEqual([
      { path: 'model', value: 'o3' },
      { path: 'model', value: 'o3' },
      { path: 'n', value: 42 },
      { path: 'b', value: true },
      { path: 'a', value: [1, 2] },
      { path: 't', value: { x: 1 } },
      { path: 'e', value: '' },
      { path: 'q', value: 'half' },
      { path: 'k', value: 'v = w' },
    ]);
  });

  test('use_legacy_landlock is the feature flag', () => {
    expect(parseConfigOverrides(['use_legacy_landlock=true'])).toEqual([{ path: 'features.use_legacy_landlock', value: true }]);
  });

  test('missing = and empty keys are the reference errors', () => {
    expect(() => parseConfigOverrides(['foo'])).toThrow(new OverrideError("error parsing -c overrides: Invalid override (missing '='): foo"));
    expect(() => parseConfigOverrides([' =1'])).toThrow(new OverrideError('error parsing -c overrides: Empty key in override:  =1'));
  });
});

describe('featureToggleOverrides', () => {
  test('enables then disables, as features.<name>', () => {
    expect(featureToggleOverrides(['steer', 'web_search'], ['plugins'])).toEqual([
      { path: 'features.steer', value: true },
      { path: 'features.web_search', value: true },
      { path: 'features.plugins', value: false },
    ]);
  });

  test('an unknown name (case-sensitive) is refused', () => {
    expect(() => featureToggleOverrides(['Plugins'], [])).toThrow('Unknown feature flag: Plugins');
    expect(() => featureToggleOverrides([], ['include_apply_patch_tool'])).toThrow('Unknown feature flag: include_apply_patch_tool');
  });
});

describe('applyConfigOverrides', () => {
  test('creates tables along a dotted path and replaces a non-table in the way', () => {
    const doc: Record<string, unknown> = { model: 'a', features: 3, model_providers: { p: { name: 'P', base_url: 'x' } } };
    applyConfigOverrides(doc, [
      { path: 'model_providers.p.base_url', value: 'y' },
      { path: 'features.plugins', value: false },
      { path: 'a.b.c', value: 1 },
    ]);
    expect(doc).toEqual({ model: 'a', features: { plugins: false }, model_providers: { p: { name: 'P', base_url: 'y' } }, a: { b: { c: 1 } } });
  });

  test('overrides sit on top of config.toml and are validated with it', () => {
    const config = parseConfigToml('model = "file"\n[features]\nplugins = true\n', '/h/config.toml', [
      { path: 'model', value: 'cli' },
      { path: 'features.plugins', value: false },
    ]);
    expect(config.model).toBe('cli');
    expect(config.features).toEqual({ plugins: false });
    expect(() => parseConfigToml('', '/h/config.toml', [{ path: 'sandbox_mode', value: 'nope' }])).toThrow(/^invalid -c\/--config override: sandbox_mode: expected one of/);
    expect(() => parseConfigToml('sandbox_mode = "nope"\n', '/h/config.toml', [{ path: 'model', value: 'x' }])).toThrow(/^invalid \/h\/config\.toml: sandbox_mode/);
  });
});

describe('parseCommandLine', () => {
  test('global options before and after app-server keep their order', () => {
    expect(parseCommandLine(['-c', 'a=1', '--enable', 'x', 'app-server', '--config', 'b=2', '-cc=3', '-c=d=4', '--disable=y'])).toEqual({
      kind: 'app-server',
      overrides: { config: ['a=1', 'b=2', 'c=3', 'd=4'], enable: ['x'], disable: ['y'] },
      listen: { kind: 'stdio' },
      wsAuth: { mode: null, tokenFile: null, tokenSha256: null, signedOptions: [] },
    });
  });

  test('no command runs the app server (as before); generate-json-schema keeps working at both levels', () => {
    expect(parseCommandLine([])).toMatchObject({ kind: 'app-server' });
    expect(parseCommandLine(['generate-json-schema', '--out', 'd'])).toMatchObject({ kind: 'generate-json-schema', out: 'd' });
    expect(parseCommandLine(['app-server', 'generate-json-schema', '-o', 'd'])).toMatchObject({ kind: 'generate-json-schema', out: 'd' });
  });

  test('--listen: stdio://, unix://[PATH] and ws://IP:PORT are targets; off is the no-transport error', () => {
    expect(parseCommandLine(['app-server', '--listen', 'stdio://'])).toMatchObject({ kind: 'app-server', listen: { kind: 'stdio' } });
    expect(parseCommandLine(['app-server'])).toMatchObject({ kind: 'app-server', listen: { kind: 'stdio' } });
    expect(parseCommandLine(['app-server', '--listen', 'unix://'])).toMatchObject({ kind: 'app-server', listen: { kind: 'unix', path: null } });
    expect(parseCommandLine(['app-server', '--listen', 'unix://rel/s.sock'])).toMatchObject({ kind: 'app-server', listen: { kind: 'unix', path: 'rel/s.sock' } });
    expect(parseCommandLine(['app-server', '--listen', 'ws://127.0.0.1:0'])).toMatchObject({ kind: 'app-server', listen: { kind: 'ws', host: '127.0.0.1', port: 0 } });
    expect(parseCommandLine(['app-server', '--listen', 'ws://[::1]:8080'])).toMatchObject({ kind: 'app-server', listen: { kind: 'ws', host: '::1', port: 8080 } });
    expect(parseCommandLine(['app-server', '--listen', 'off'])).toEqual({ kind: 'no-transport' });
    expect(parseCommandLine(['app-server', '--listen', 'ws://256.0.0.1:80'])).toMatchObject({ kind: 'usage-error', message: expect.stringContaining('invalid websocket --listen URL') });
    expect(parseCommandLine(['app-server', '--listen', 'ws://10.0.0.1:65536'])).toMatchObject({ kind: 'usage-error', message: expect.stringContaining('invalid websocket --listen URL') });
  });

  test('--ws-* options are collected for main to check; a --ws-auth mode outside the possible values is clap\'s error', () => {
    expect(parseCommandLine(['app-server', '--listen', 'ws://127.0.0.1:1', '--ws-auth', 'capability-token', '--ws-token-file', 'tok'])).toMatchObject({
      kind: 'app-server',
      wsAuth: { mode: 'capability-token', tokenFile: 'tok', tokenSha256: null, signedOptions: [] },
    });
    expect(parseCommandLine(['app-server', '--ws-auth', 'foo'])).toEqual({
      kind: 'usage-error',
      message: "error: invalid value 'foo' for '--ws-auth <MODE>'\n  [possible values: capability-token, signed-bearer-token]\n\nFor more information, try '--help'.\n",
    });
  });

  test('a second positional after app-server is refused', () => {
    expect(parseCommandLine(['app-server', 'frob'])).toMatchObject({ kind: 'usage-error', message: expect.stringMatching(/^error: unrecognized subcommand 'frob'/) });
  });
});
