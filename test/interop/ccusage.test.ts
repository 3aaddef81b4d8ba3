/**
 * Rollout readers: `@ccusage/codex` (`ccusage-codex session --json --offline`) reads the token counts of the
 * rollouts in `CODEX_HOME/sessions/`. For threads our server wrote it must report exactly what the mock
 * model returned (100 input / 5 output / 105 total per completed turn) — the same as for the reference's files.
 */
import { execFile } from 'node:child_process';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { MockResponsesServer } from '../../src/testing/index.js';
import { createInteropMock, HANG_MARKER } from './mock-model.js';
import { ensureReference, withSide, writeSharedConfig, type Json, type Side } from './servers.js';
import { unavailable } from '../support/unprivileged.js';
import { devTool, INSTALL_HOOK_TIMEOUT_MS, installedBin, makeInteropHome, ourServerMissing, REPO_ROOT, type ToolInstall } from './tools.js';

/** A pinned devDependency (package.json). */
const CCUSAGE_SPEC = '@ccusage/codex@18.0.11';

let tool: ToolInstall = { ok: false, reason: 'not installed yet' };
let referenceMissing: string | null = 'not resolved yet';
let mock: MockResponsesServer;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  const serverMissing = ourServerMissing();
  if (serverMissing) throw new Error(serverMissing);
  tool = devTool([CCUSAGE_SPEC]);
  if (!tool.ok) console.warn(`[interop] ccusage tests cannot run: ${tool.reason}`);
  referenceMissing = (await ensureReference()).reason || null;
  if (referenceMissing) console.warn(`[interop] ccusage comparison with the reference skipped: ${referenceMissing}`);
  mock = await createInteropMock('Done');
}, INSTALL_HOOK_TIMEOUT_MS);

afterAll(async () => {
  for (const c of cleanups.splice(0)) c();
  await mock?.close();
});

function ccusage(codexHome: string, args: string[]): Promise<Json> {
  if (!tool.ok) throw new Error(tool.reason);
  const bin = installedBin(tool.dir, '@ccusage/codex', 'ccusage-codex');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [bin, ...args, '--json', '--offline'],
      { env: { ...process.env, CODEX_HOME: codexHome, TZ: 'UTC', NO_COLOR: '1' }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`ccusage-codex ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        try {
          resolve(JSON.parse(stdout) as Json);
        } catch {
          reject(new Error(`ccusage-codex printed no JSON:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

const usage = (turns: number) => ({
  inputTokens: 100 * turns,
  cachedInputTokens: 0,
  outputTokens: 5 * turns,
  reasoningOutputTokens: 0,
  totalTokens: 105 * turns,
});

/** Session id as ccusage names it: the rollout path under sessions/ without `.jsonl`. */
function sessionKey(threadPath: string): string {
  return threadPath.split(`${path.sep}sessions${path.sep}`)[1]!.replace(/\.jsonl$/, '');
}

/**
 * One scenario, run by either side on a fresh home: A two turns; B one turn then an interrupted one;
 * C one turn, then (in a second process) resumed and one more; D one turn, then archived.
 */
async function writeHome(side: Side): Promise<{ codexHome: string; expected: Map<string, number>; archived: string; interrupted: string }> {
  const dirs = makeInteropHome(`ccusage-${side}`);
  cleanups.push(dirs.cleanup);
  await writeSharedConfig(dirs.codexHome, mock);
  const first = await withSide(side, dirs, mock, async (s) => {
    const start = async () => (await s.req('thread/start', {}))['thread'] as Json;
    const a = await start();
    expect((await s.turn(a['id'], 'hello'))['turn']['status']).toBe('completed');
    expect((await s.turn(a['id'], 'again'))['turn']['status']).toBe('completed');
    const b = await start();
    await s.turn(b['id'], 'hello');
    expect((await s.interruptedTurn(b['id'], `${HANG_MARKER} then stop`))['turn']['status']).toBe('interrupted');
    const c = await start();
    await s.turn(c['id'], 'hello');
    const d = await start();
    await s.turn(d['id'], 'to be archived');
    await s.req('thread/archive', { threadId: d['id'] });
    return { a, b, c, d };
  });
  expect(first.exitCode).toBe(0);
  const { a, b, c, d } = first.value;
  const second = await withSide(side, dirs, mock, async (s) => {
    await s.req('thread/resume', { threadId: c['id'] });
    await s.turn(c['id'], 'more');
  });
  expect(second.exitCode).toBe(0);
  const expected = new Map<string, number>([
    [sessionKey(a['path']), 2],
    [sessionKey(b['path']), 1],
    [sessionKey(c['path']), 2],
  ]);
  return { codexHome: dirs.codexHome, expected, archived: String(d['id']), interrupted: sessionKey(b['path']) };
}

function checkReport(report: Json, expected: Map<string, number>, archivedId: string): void {
  const sessions = report['sessions'] as Json[];
  const byId = new Map(sessions.map((s) => [String(s['sessionId']), s]));
  expect([...byId.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [id, turns] of expected) {
    const s = byId.get(id)!;
    expect({ id, ...pickUsage(s) }).toEqual({ id, ...usage(turns) });
    expect(Object.keys(s['models'] as Json)).toEqual(['mock-model']);
    expect({ id, ...pickUsage(s['models']['mock-model']) }).toEqual({ id, ...usage(turns) });
    expect(s['models']['mock-model']['isFallback']).toBe(false);
    expect(s['lastActivity']).toMatch(/^\d{4}-\d\d-\d\dT/);
  }
  // ccusage reads sessions/ only: an archived thread is not counted (the same for the reference's files).
  expect(sessions.some((s) => String(s['sessionId']).includes(archivedId))).toBe(false);
  const total = [...expected.values()].reduce((x, y) => x + y, 0);
  expect(pickUsage(report['totals'])).toEqual(usage(total));
}

function pickUsage(u: Json): Json {
  return {
    inputTokens: u['inputTokens'],
    cachedInputTokens: u['cachedInputTokens'],
    outputTokens: u['outputTokens'],
    reasoningOutputTokens: u['reasoningOutputTokens'],
    totalTokens: u['totalTokens'],
  };
}

describe(`@ccusage/codex (${CCUSAGE_SPEC}) on rollouts`, () => {
  test('baseline: the reference 0.169.0 fixture home gives 210 and 105 tokens', async (ctx) => {
    if (!tool.ok) return unavailable(ctx, `ccusage not installed: ${tool.reason}`);
    const dirs = makeInteropHome('ccusage-fixture');
    cleanups.push(dirs.cleanup);
    cpSync(path.join(REPO_ROOT, 'fixtures/rollouts/0.169.0'), dirs.codexHome, { recursive: true });
    const report = await ccusage(dirs.codexHome, ['session']);
    checkReport(
      report,
      new Map([
        ['2026/11/25/rollout-2026-11-25T08-03-24-01a211bb-1b90-7a63-a05b-5f773a6eefd3', 2],
        ['2026/11/25/rollout-2026-11-25T08-03-25-01a211bb-1ef3-7882-abb1-5aab83601296', 1],
      ]),
      '01a211bb-21ce',
    );
  });

  test('threads our server wrote: exact per-session and total token counts (session and daily reports)', async (ctx) => {
    if (!tool.ok) return unavailable(ctx, `ccusage not installed: ${tool.reason}`);
    const { codexHome, expected, archived, interrupted } = await writeHome('ours');
    // As the reference (below): interrupting a streaming response records a `token_count` repeating the previous
    // response's usage, which ccusage counts again.
    expected.set(interrupted, 2);
    checkReport(await ccusage(codexHome, ['session']), expected, archived);
    const daily = await ccusage(codexHome, ['daily']);
    expect(pickUsage(daily['totals'])).toEqual(usage(6));
  }, 60_000);

  test('the same scenario through the reference binary: same numbers except its interrupted-turn double count', async (ctx) => {
    if (!tool.ok) return unavailable(ctx, `ccusage not installed: ${tool.reason}`);
    if (referenceMissing) return unavailable(ctx, referenceMissing);
    const { codexHome, expected, archived, interrupted } = await writeHome('reference');
    // On an interrupt the reference appends a `token_count` whose `last_token_usage` repeats the previous
    // response's usage, and ccusage (which sums `last_token_usage`) counts that turn twice; this server does the same.
    expected.set(interrupted, 2);
    checkReport(await ccusage(codexHome, ['session']), expected, archived);
  }, 90_000);
});
