import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { tempHome } from '../support/temp-home.js';
import { request, runTurn, setupEnv, spawnServer, startThread } from './helpers.js';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.cjs');
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function home(): string {
  const h = tempHome();
  cleanups.push(h.cleanup);
  return h.home;
}

function run(args: string[], env: Record<string, string> = {}, input = '') {
  return spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, input, encoding: 'utf8', timeout: 20_000 });
}

describe('command line', () => {
  test('--version prints the text of the reference on stdout (clients parse `codex-cli <version>`)', () => {
    const r = run(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('codex-cli 0.169.0\n');
  });

  test('generate-json-schema --out DIR writes the bundle from our zod schemas', () => {
    const out = home();
    const r = run(['generate-json-schema', '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const bundle = JSON.parse(readFileSync(path.join(out, 'codex_app_server_protocol.v2.schemas.json'), 'utf8'));
    expect(Object.keys(bundle.definitions)).toEqual(expect.arrayContaining(['ThreadStartParams', 'Thread', 'Turn', 'ThreadItem']));
  });

  test('an invalid config.toml is a clear error on stderr and exit 1, not a stack trace', () => {
    const h = home();
    writeFileSync(path.join(h, 'config.toml'), 'approval_policy = "sometimes"\n');
    const r = run(['app-server'], { CODEX_HOME: h });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/approval_policy: expected one of untrusted, on-request, on-failure, never/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    writeFileSync(path.join(h, 'config.toml'), 'model = "unterminated\n');
    const syntax = run(['app-server'], { CODEX_HOME: h });
    expect(syntax.status).toBe(1);
    expect(syntax.stderr).toMatch(/config\.toml/);
    expect(syntax.stderr).toMatch(/line 1/);
  });

  test('a CODEX_HOME that does not exist is fatal with the reference message', () => {
    const missing = path.join(home(), 'nope');
    const r = run(['app-server'], { CODEX_HOME: missing });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`Error: CODEX_HOME points to "${missing}", but that path does not exist\n`);
    expect(existsSync(missing)).toBe(false);
  });

  test('an unknown command exits non-zero with a message', () => {
    const r = run(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command `frobnicate`/);
  });
});

describe('dist/cli.js, the entry of earlier builds (launchers and editor settings name it)', () => {
  const ESM_CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

  test('runs the same server as dist/cli.cjs: --version, generate-json-schema and a turn, then the thread is listed', async () => {
    const version = spawnSync(process.execPath, [ESM_CLI, '--version'], { encoding: 'utf8', timeout: 20_000 });
    expect(version.status).toBe(0);
    expect(version.stdout).toBe('codex-cli 0.169.0\n');

    const out = home();
    const schema = spawnSync(process.execPath, [ESM_CLI, 'generate-json-schema', '--out', out], { encoding: 'utf8', timeout: 20_000 });
    expect(schema.status).toBe(0);
    expect(existsSync(path.join(out, 'codex_app_server_protocol.v2.schemas.json'))).toBe(true);

    const { home: h } = await setupEnv();
    const mcp = await spawnServer(h, { serverBin: ESM_CLI });
    try {
      const thread = await startThread(mcp);
      await runTurn(mcp, thread['id'], 'hi');
      const listed = await request(mcp, 'thread/list', {});
      expect((listed['data'] as { id: string }[]).map((t) => t.id)).toEqual([thread['id']]);
    } finally {
      await mcp.close();
    }
  });
});

/** clap's usage-error layout, as the reference prints it (exit 2). */
function usageError(reason: string): string {
  return `error: ${reason}\n\nUsage: codex-app-server-ts app-server [OPTIONS] [COMMAND]\n\nFor more information, try '--help'.\n`;
}

describe('app-server --help and --listen', () => {
  test.for([['app-server', '--help'], ['app-server', '-h'], ['app-server', 'help'], ['--help', 'app-server']])('%s %s prints the usage with --listen and exits 0', (args) => {
    const r = run(args, { CODEX_HOME: home() });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^\[experimental\] Run the app server or related tooling\n\nUsage: codex-app-server-ts app-server \[OPTIONS\] \[COMMAND\]\n/);
    for (const option of ['-c, --config <key=value>', '--enable <FEATURE>', '--disable <FEATURE>', '--listen <URL>', '[default: stdio://]', '--stdio', '-h, --help']) {
      expect(r.stdout).toContain(option);
    }
  });

  test('--help alone prints the top-level usage', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: codex-app-server-ts [OPTIONS] <COMMAND>');
    expect(r.stdout).toContain('app-server');
  });

  // Reference texts (codex app-server 0.169.0 --listen …, exit 2); well-formed ws:// and unix:// values are served
  // (test/integration/transport-ws.test.ts, transport-unix.test.ts).
  test.for([
    ['garbage', "unsupported --listen URL `garbage`; expected `stdio://`, `unix://`, `unix://PATH`, `ws://IP:PORT`, or `off`"],
    ['stdio', "unsupported --listen URL `stdio`; expected `stdio://`, `unix://`, `unix://PATH`, `ws://IP:PORT`, or `off`"],
    ['http://127.0.0.1:1', "unsupported --listen URL `http://127.0.0.1:1`; expected `stdio://`, `unix://`, `unix://PATH`, `ws://IP:PORT`, or `off`"],
    ['', "unsupported --listen URL ``; expected `stdio://`, `unix://`, `unix://PATH`, `ws://IP:PORT`, or `off`"],
    ['ws://localhost:1', 'invalid websocket --listen URL `ws://localhost:1`; expected `ws://IP:PORT`'],
    ['ws://127.0.0.1', 'invalid websocket --listen URL `ws://127.0.0.1`; expected `ws://IP:PORT`'],
    ['ws://127.0.0.1:8080/', 'invalid websocket --listen URL `ws://127.0.0.1:8080/`; expected `ws://IP:PORT`'],
  ])('--listen %j is a usage error (exit 2), never silently stdio', ([url, reason]) => {
    const r = run(['app-server', '--listen', url!], { CODEX_HOME: home() }, '{"id":1,"method":"initialize","params":{"clientInfo":{"name":"x","title":null,"version":"1"}}}\n');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(usageError(`invalid value '${url}' for '--listen <URL>': ${reason}`));
  });

  test('--listen without a value, twice, or an unknown option: clap errors, exit 2', () => {
    const h = home();
    expect(run(['app-server', '--listen'], { CODEX_HOME: h })).toMatchObject({ status: 2, stdout: '', stderr: usageError("a value is required for '--listen <URL>' but none was supplied") });
    expect(run(['app-server', '--listen', 'stdio://', '--listen', 'stdio://'], { CODEX_HOME: h })).toMatchObject({ status: 2, stderr: usageError("the argument '--listen <URL>' cannot be used multiple times") });
    expect(run(['app-server', '--bogus'], { CODEX_HOME: h })).toMatchObject({ status: 2, stderr: usageError("unexpected argument '--bogus' found") });
  });

  test.each([
    ['unknown_key = 5\n[features]\nplugins = false\n', '1:1', 'unknown_key'],
    ['model = "x"\n  weird_key = 1\n', '2:3', 'weird_key'],
    ['model = "x"\n[model_providers.m]\nname = "x"\nbase_url = "http://127.0.0.1:9/v1"\nbogus_field = 1\n', '5:1', 'model_providers.m.bogus_field'],
    ['model = "x"\n[features]\nnot_a_feature = true\n', '3:1', 'features.not_a_feature'],
    ['[history]\nfoo = 1\n', '2:1', 'history.foo'],
  ])('--strict-config refuses an unknown field with its position, as the reference does (exit 1): %j', (toml, position, field) => {
    const h = home();
    writeFileSync(path.join(h, 'config.toml'), toml);
    const r = run(['app-server', '--strict-config'], { CODEX_HOME: h });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`Error: ${path.join(h, 'config.toml')}:${position}: unknown configuration field \`${field}\`\n`);
  });

  test('--strict-config accepts a config.toml of known fields', () => {
    const h = home();
    writeFileSync(path.join(h, 'config.toml'), 'model = "x"\n[features]\nplugins = false\n');
    const r = run(['app-server', '--strict-config'], { CODEX_HOME: h }, '{"id":1,"method":"initialize","params":{"clientInfo":{"name":"x","title":null,"version":"1"}}}\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('"id":1');
  });

  test('--listen off: the reference error, exit 1', () => {
    const r = run(['app-server', '--listen', 'off'], { CODEX_HOME: home() });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('Error: no transport configured; use --listen or enable remote control\n');
  });

  test.for([['--listen', 'stdio://'], ['--listen=stdio://'], ['--stdio'], ['--analytics-default-enabled']])('app-server %s serves on stdio', async (args) => {
    const { home: h } = await setupEnv();
    const mcp = await spawnServer(h, { args: ['app-server', ...args] });
    expect(await request(mcp, 'thread/loaded/list', {})).toEqual({ data: [], nextCursor: null });
  });
});

describe('-c/--config overrides and --enable/--disable', () => {
  test('-c before and after app-server override config.toml; later ones win; values are TOML or literal strings', async () => {
    const { home: h } = await setupEnv();
    const mcp = await spawnServer(h, {
      args: ['-c', 'model="from-root"', '--config=approval_policy=on-request', 'app-server', '-c', 'model="from-sub"', '-csandbox_mode="workspace-write"'],
    });
    const result = await request(mcp, 'thread/start', {});
    expect(result).toMatchObject({ model: 'from-sub', approvalPolicy: 'on-request', sandbox: { type: 'workspaceWrite' } });
  });

  test('approval_policy=untrusted from the command line stops the server with the reference error (0.169.0)', async () => {
    const { home: h } = await setupEnv();
    const mcp = await spawnServer(h, { args: ['-c', 'approval_policy=untrusted', 'app-server'], initialize: false });
    expect((await mcp.waitForExit()).code).toBe(1);
    expect(mcp.stderr()).toContain('Error: approval_policy = "untrusted" is no longer supported; remove this setting');
  });

  test('a dotted key reaches into a provider table: a wrong base_url in config.toml is fixed from the command line', async () => {
    const { home: h, uri } = await setupEnv();
    writeFileSync(path.join(h, 'config.toml'), readFileSync(path.join(h, 'config.toml'), 'utf8').replace(`${uri}/v1`, 'http://127.0.0.1:9/v1'));
    const mcp = await spawnServer(h, { args: ['app-server', '-c', `model_providers.mock_provider.base_url="${uri}/v1"`] });
    const thread = await startThread(mcp);
    const messages = await runTurn(mcp, thread['id'], 'hi');
    expect(messages.at(-1)).toMatchObject({ method: 'turn/completed', params: { turn: { status: 'completed' } } });
  });

  test('--enable/--disable take known feature names, before or after app-server', async () => {
    const { home: h } = await setupEnv();
    const mcp = await spawnServer(h, { args: ['--enable', 'steer', 'app-server', '--disable', 'plugins', '--enable=web_search'] });
    expect(await request(mcp, 'thread/loaded/list', {})).toEqual({ data: [], nextCursor: null });
  });

  // Reference texts (exit 1).
  test.for([
    [['-c', 'foo', 'app-server'], "Error: error parsing -c overrides: Invalid override (missing '='): foo\n"],
    [['app-server', '-c', '=1'], 'Error: error parsing -c overrides: Empty key in override: =1\n'],
    [['--enable', 'nosuch', 'app-server'], 'Error: Unknown feature flag: nosuch\n'],
    [['app-server', '--disable', 'Plugins'], 'Error: Unknown feature flag: Plugins\n'],
  ])('%j fails with exit 1', ([args, stderr]) => {
    const r = run(args as string[], { CODEX_HOME: home() });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(stderr);
  });

  test('an invalid override value is a config error naming the override, exit 1', () => {
    const r = run(['app-server', '-c', 'approval_policy="sometimes"'], { CODEX_HOME: home() });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('Error: invalid -c/--config override: approval_policy: expected one of untrusted, on-request, on-failure, never\n');
    const provider = run(['app-server', '-c', 'model_provider=nope'], { CODEX_HOME: home() });
    expect(provider.status).toBe(1);
    expect(provider.stderr).toBe('Error: invalid -c/--config override: model_provider: Model provider `nope` not found\n');
  });
});
