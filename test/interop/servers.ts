/**
 * Running our server and the reference binary on one CODEX_HOME: a small request/turn driver over
 * McpProcess, the reference's location and environment rules, and stderr checks.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  McpProcess,
  createConfigToml,
  type JsonRpcResponse,
  type MockResponsesServer,
} from '../../src/testing/index.js';
import { interopHomesRoot, OUR_CLI, REPO_ROOT } from './tools.js';

export type Json = Record<string, any>;
export type Side = 'ours' | 'reference';

const REFERENCE_VERSION = '0.169.0';
const BENCH_REFERENCE_DIR = path.join(REPO_ROOT, 'bench/.cache/reference');

/**
 * Where `.ci/run` (through scripts/install-reference.sh) installs `@openai/codex@0.169.0` once and reuses it:
 * `$CODEX_REFERENCE_CACHE`, else `<cache>/codex-app-server-ts/reference-0.169.0`.
 */
export function referenceCacheDir(): string {
  const fromEnv = process.env['CODEX_REFERENCE_CACHE'];
  if (fromEnv) return fromEnv;
  const cache = process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache');
  return path.join(cache, 'codex-app-server-ts', `reference-${REFERENCE_VERSION}`);
}

/** The native binary inside an `@openai/codex` install (`node_modules/@openai/codex-<platform>/vendor/<triple>/bin/codex`). */
function nativeBinUnder(prefix: string): string | null {
  const scope = path.join(prefix, 'node_modules', '@openai');
  if (!existsSync(scope)) return null;
  for (const pkg of readdirSync(scope).filter((p) => p.startsWith(`codex-${process.platform}-`))) {
    const vendor = path.join(scope, pkg, 'vendor');
    if (!existsSync(vendor)) continue;
    for (const triple of readdirSync(vendor)) {
      const bin = path.join(vendor, triple, 'bin', process.platform === 'win32' ? 'codex.exe' : 'codex');
      if (existsSync(bin)) return bin;
    }
  }
  return null;
}

function versionOf(bin: string): string {
  try {
    return execFileSync(bin, ['--version'], { timeout: 10_000, encoding: 'utf8' }).trim();
  } catch (error) {
    return `unrunnable (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
}

let resolvedReference: { bin: string | null; reason: string } | null = null;

/** The reference binary found so far (after {@link ensureReference}), or null. */
export function referenceBin(): string | null {
  return resolvedReference?.bin ?? null;
}

/**
 * Finds the reference Codex 0.169.0 binary: `$CODEX_REFERENCE_BIN` (set by `.ci/run`), else the reference cache
 * ({@link referenceCacheDir}), else the bench cache. Nothing is downloaded at test time: run
 * `bash scripts/install-reference.sh` (which `.ci/run` does) to fill the cache. Returns the binary, or null and
 * the reason the tests that need it cannot run.
 */
export async function ensureReference(): Promise<{ bin: string | null; reason: string }> {
  if (resolvedReference) return resolvedReference;
  const fromEnv = process.env['CODEX_REFERENCE_BIN'];
  const bin: string | null = fromEnv ? (existsSync(fromEnv) ? fromEnv : null) : nativeBinUnder(referenceCacheDir()) ?? nativeBinUnder(BENCH_REFERENCE_DIR);
  if (!bin) {
    resolvedReference = {
      bin: null,
      reason: fromEnv
        ? `CODEX_REFERENCE_BIN=${fromEnv} does not exist`
        : `reference binary not found (CODEX_REFERENCE_BIN unset; nothing under ${referenceCacheDir()} or ${BENCH_REFERENCE_DIR}); ` +
          'run `bash scripts/install-reference.sh` (as `.ci/run` does) or set CODEX_REFERENCE_BIN',
    };
    return resolvedReference;
  }
  const version = versionOf(bin);
  resolvedReference = version.includes(REFERENCE_VERSION)
    ? { bin, reason: '' }
    : { bin: null, reason: `${bin} reports "${version}", not codex-cli ${REFERENCE_VERSION}` };
  return resolvedReference;
}

/** config.toml for both sides: the seed test config plus `[features] plugins = false` (no outbound traffic from the reference). */
export async function writeSharedConfig(codexHome: string, mock: MockResponsesServer): Promise<void> {
  await createConfigToml(codexHome, mock.uri, { features: { plugins: false } });
}

/** `line` with every path inside the interop homes (whose names contain words like `backfill`) replaced by `<home>`. */
function withoutPaths(line: string): string {
  const root = interopHomesRoot().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return line.replace(new RegExp(`${root}[^\\s"')]*`, 'g'), '<home>');
}

/** Lines of a server's stderr that report a database or migration problem (either side's wording). */
export function databaseErrorLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((line) => line.replace(/\x1b\[[0-9;]*m/g, ''))
    // Judge the message, not the paths it names: a home called `…/shared-backfill-…` is no backfill problem.
    .filter((line) => /sqlite|database|migrat|sqlx|state[ _]db|state_5|backfill/i.test(withoutPaths(line)))
    .filter((line) => /error|warn|fail|panic|corrupt|mismatch|cannot|could not|unable/i.test(line));
}

/**
 * Lines where a server could not understand a rollout line (e.g. the reference's `skipping unknown rollout line
 * during projection … error=missing field \`permission_profile\``). Its own shutdown notice
 * `failed to flush rollout after emitting terminal turn event` is not about file contents and is ignored.
 */
export function rolloutParseWarnings(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((line) => line.replace(/\x1b\[[0-9;]*m/g, ''))
    .filter((line) => /rollout|session meta|jsonl/i.test(line))
    .filter((line) => /skipping|parse|invalid|missing field|unknown variant|unexpected|malformed/i.test(line))
    .filter((line) => !/failed to flush rollout after emitting terminal turn event/.test(line));
}

export interface Session {
  side: Side;
  mcp: McpProcess;
  req(method: string, params: unknown): Promise<Json>;
  reqError(method: string, params: unknown): Promise<{ code: number; message: string }>;
  /** Runs a turn to `turn/completed` and returns its params. */
  turn(threadId: string, text: string): Promise<Json>;
  /** Starts a turn whose model stream never ends, waits for its first delta, interrupts it; returns `turn/completed` params. */
  interruptedTurn(threadId: string, text: string): Promise<Json>;
  close(): Promise<{ code: number | null; signal: string | null; stderr: string }>;
}

/**
 * Starts one side on `codexHome` with the reference's rules: HOME = a scratch dir, `OPENAI_API_KEY=dummy`,
 * cwd = that scratch dir, every HTTP(S) proxy pointed at the mock so that nothing leaves 127.0.0.1.
 */
export async function startSide(
  side: Side,
  dirs: { codexHome: string; home: string },
  mock: MockResponsesServer,
  env: Record<string, string | undefined> = {},
  /** `initialize`'s capabilities (e.g. `{ experimentalApi: true }` for `thread/search`); none by default. */
  capabilities?: { experimentalApi?: boolean },
): Promise<Session> {
  const bin = side === 'ours' ? OUR_CLI : referenceBin();
  if (!bin) throw new Error(`reference binary unavailable: ${resolvedReference?.reason ?? 'call ensureReference() first'}`);
  const mcp = await McpProcess.start({
    codexHome: dirs.codexHome,
    serverBin: bin,
    cwd: dirs.home,
    readTimeoutMs: 20_000,
    env: {
      HOME: dirs.home,
      OPENAI_API_KEY: 'dummy',
      HTTP_PROXY: mock.uri,
      HTTPS_PROXY: mock.uri,
      http_proxy: mock.uri,
      https_proxy: mock.uri,
      ALL_PROXY: mock.uri,
      NO_PROXY: '127.0.0.1,localhost',
      no_proxy: '127.0.0.1,localhost',
      TZ: 'UTC',
      // Warnings and errors on stderr (the reference's default shows errors only): the tests grep them.
      RUST_LOG: 'warn',
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  await mcp.initialize({ name: side === 'ours' ? 'interop_ours' : 'interop_reference', title: null, version: '0.0.1' }, capabilities);
  const turnCompleted = async (threadId: string): Promise<Json> => {
    const m = await mcp.readStreamUntil(
      (x) => 'method' in x && x.method === 'turn/completed' && (x.params as Json)['threadId'] === threadId,
      `turn/completed of ${threadId}`,
    );
    return (m as { params: Json }).params;
  };
  const session: Session = {
    side,
    mcp,
    async req(method, params) {
      const id = await mcp.sendRequest(method, params);
      const resp = (await mcp.readStreamUntilResponseMessage(id)) as JsonRpcResponse<Json>;
      return resp.result;
    },
    async reqError(method, params) {
      const id = await mcp.sendRequest(method, params);
      return (await mcp.readStreamUntilErrorMessage(id)).error;
    },
    async turn(threadId, text) {
      mcp.clearMessageBuffer();
      const id = await mcp.sendRequest('turn/start', { threadId, input: [{ type: 'text', text, text_elements: [] }] });
      const answer = await mcp.readStreamUntil((m) => 'id' in m && m.id === id && !('method' in m), 'the turn/start answer');
      if ('error' in answer) throw new Error(`${side}: turn/start failed: ${JSON.stringify(answer.error)}`);
      return await turnCompleted(threadId);
    },
    async interruptedTurn(threadId, text) {
      mcp.clearMessageBuffer();
      const id = await mcp.sendRequest('turn/start', { threadId, input: [{ type: 'text', text, text_elements: [] }] });
      const started = (await mcp.readStreamUntilResponseMessage(id)) as JsonRpcResponse<Json>;
      const turnId = String(started.result['turn']['id']);
      await mcp.readStreamUntilNotificationMessage('item/agentMessage/delta');
      await session.req('turn/interrupt', { threadId, turnId });
      return await turnCompleted(threadId);
    },
    async close() {
      const status = await mcp.close();
      return { code: status.code, signal: status.signal, stderr: mcp.stderr() };
    },
  };
  return session;
}

/** Runs `fn` in a fresh process of `side`, closes it, and checks it exited 0 without database errors on stderr. */
export async function withSide<T>(
  side: Side,
  dirs: { codexHome: string; home: string },
  mock: MockResponsesServer,
  fn: (s: Session) => Promise<T>,
  capabilities?: { experimentalApi?: boolean },
): Promise<{ value: T; stderr: string; dbErrors: string[]; rolloutWarnings: string[]; exitCode: number | null }> {
  const s = await startSide(side, dirs, mock, {}, capabilities);
  let value: T;
  try {
    value = await fn(s);
  } catch (error) {
    const { stderr } = await s.close();
    throw new Error(`${side}: ${error instanceof Error ? error.message : String(error)}\n--- ${side} stderr (tail) ---\n${stderr.slice(-3000)}`);
  }
  const closed = await s.close();
  const dump = process.env['INTEROP_STDERR_DIR'];
  if (dump) appendFileSync(path.join(dump, `${side}.stderr.log`), `=== ${dirs.codexHome}\n${closed.stderr}`);
  return {
    value,
    stderr: closed.stderr,
    dbErrors: databaseErrorLines(closed.stderr),
    rolloutWarnings: rolloutParseWarnings(closed.stderr),
    exitCode: closed.code,
  };
}

/** User texts of each turn, in order (from a Thread's `turns`). */
export function turnTexts(thread: Json): string[] {
  return (thread['turns'] as Json[]).map((t) => {
    const user = (t['items'] as Json[]).find((i) => i['type'] === 'userMessage');
    return user ? String(user['content'][0]['text']) : '<no user item>';
  });
}

/** Every thread of a listing (all pages; `archived` as given). */
export async function listAll(s: Session, params: Json = {}): Promise<Json[]> {
  const out: Json[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page += 1) {
    const r: Json = await s.req('thread/list', { limit: 100, ...params, cursor });
    out.push(...(r['data'] as Json[]));
    cursor = r['nextCursor'] as string | null;
    if (!cursor) break;
  }
  return out;
}
