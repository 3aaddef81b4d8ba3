/**
 * One measurement session per function; each records samples through `rec(metricKey, value)` and problems
 * through `note(text)`. Times are taken in this process with `performance.now()` around real stdio I/O.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { copyTemplate, cursorAt } from './homes.mjs';
import { cpuTimeMs, REPO, startServer, vmHwmKiB } from './servers.mjs';

const CLIENT_INFO = { name: 'bench_client', title: 'Bench client', version: '0.0.1' };
/** Settling time before reading the idle peak RSS, so start-up work done just after `initialize` is included. */
const IDLE_SETTLE_MS = 250;
export const PIPELINED_REQUESTS = 100;
const TURN_TEXT = 'hello';
/** A turn with this text gets one `exec_command` call (`true`) from the bench's mock before its answer. */
const TOOL_TURN_TEXT = 'run one command';

/**
 * The bench's model: every request gets the assistant message `Done` (as the reference fixtures' mock), except a
 * request whose last input is the user's TOOL_TURN_TEXT, which gets one `exec_command` call; the request carrying
 * its output then gets `Done`. So `turnTool - turn2` is what one tool call adds to a turn.
 */
export function benchModelEvents(kit, request, n) {
  const input = Array.isArray(request.body?.input) ? request.body.input : [];
  const last = input.at(-1);
  const lastText = last?.type === 'message' && last.role === 'user' ? JSON.stringify(last.content ?? '') : '';
  if (lastText.includes(TOOL_TURN_TEXT)) {
    return [kit.evCreated(`resp_tool_${n}`), kit.evFunctionCall(`call_bench_${n}`, 'exec_command', JSON.stringify({ cmd: 'true', yield_time_ms: 10000 })), kit.evCompleted(`resp_tool_${n}`)];
  }
  return kit.repeatingAssistantEvents('Done', n);
}

const kib2mib = (kib) => kib / 1024;

/** Spawns the implementation and times spawn → `initialize` response. Returns the live process. */
async function startAndInitialize(kit, impl, home, ctx, rec, key, readTimeoutMs) {
  const t0 = performance.now();
  const mcp = await startServer(kit, impl, home, ctx, readTimeoutMs);
  const id = await mcp.sendRequest('initialize', { clientInfo: CLIENT_INFO });
  await mcp.readStreamUntilResponseMessage(id);
  const elapsed = performance.now() - t0;
  const cpu = cpuTimeMs(mcp.pid);
  if (key) {
    rec(key, elapsed);
    rec(`${key}Cpu`, cpu);
  }
  await mcp.sendNotification('initialized');
  return mcp;
}

async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return [performance.now() - t0, value];
}

async function closeTimed(mcp, rec, key, note) {
  const t0 = performance.now();
  await mcp.closeStdin();
  const status = await mcp.waitForExit({ timeoutMs: 10_000 }).catch(() => null);
  if (status === null) {
    note('did not exit within 10 s of stdin EOF (killed)');
    mcp.kill('SIGKILL');
    await mcp.close();
    return;
  }
  if (key) rec(key, performance.now() - t0);
  if (status.code !== 0) note(`exited with code ${status.code} signal ${status.signal}`);
}

const FLOOR_SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'floor-server.mjs');

/**
 * `node -e 0` for ours, `codex --version` for the reference (spawn → exit): the cost of starting the runtime or
 * binary at all. For ours also `floor-server.mjs` (spawn → `initialize` answer): the least a Node server that
 * opens the state DB can cost.
 */
export async function floorSession(kit, impl, ctx, rec, note) {
  if (impl.name === 'ours') {
    const home = path.join(ctx.runRoot, 'floor-home');
    rmSync(home, { recursive: true, force: true });
    mkdirSync(home, { recursive: true });
    await kit.createConfigToml(home, ctx.mock.uri, { features: { plugins: false } });
    const mcp = await startAndInitialize(kit, { name: 'floor', bin: FLOOR_SERVER }, home, ctx, rec, 'floorServer');
    await closeTimed(mcp, rec, null, note);
  }
  const [cmd, args] = impl.name === 'ours' ? [process.execPath, ['-e', '0']] : [impl.bin, ['--version']];
  const t0 = performance.now();
  await new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  rec('floor', performance.now() - t0);
}

/**
 * A fresh home (config.toml only): spawn → initialize; exit; then the same home again ("existing"):
 * spawn → initialize, idle peak RSS, thread/start, two turns against the mock, peak RSS, stdin EOF → exit.
 */
export async function smallSession(kit, impl, ctx, rec, note) {
  const home = path.join(ctx.runRoot, `small-${impl.name}`);
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  await kit.createConfigToml(home, ctx.mock.uri, { features: { plugins: false } });

  let mcp = await startAndInitialize(kit, impl, home, ctx, rec, 'initFresh');
  await closeTimed(mcp, rec, null, note);

  mcp = await startAndInitialize(kit, impl, home, ctx, rec, 'initExisting');
  await sleep(IDLE_SETTLE_MS);
  rec('rssIdle', kib2mib(vmHwmKiB(mcp.pid)));

  const [startMs, started] = await timed(async () => mcp.readStreamUntilResponseMessage(await mcp.sendThreadStartRequest({})));
  rec('threadStart', startMs);
  const threadId = started.result.thread.id;
  for (const key of ['turn1', 'turn2']) {
    const cpu0 = cpuTimeMs(mcp.pid);
    const [turnMs, completed] = await timed(async () => {
      await mcp.sendTurnStartRequest({ threadId, input: [{ type: 'text', text: TURN_TEXT }] });
      return mcp.readStreamUntilNotificationMessage('turn/completed');
    });
    rec(key, turnMs);
    rec(`${key}Cpu`, cpuTimeMs(mcp.pid) - cpu0);
    if (completed.params?.turn?.status !== 'completed') note(`${key} ended with status ${completed.params?.turn?.status}`);
  }
  rec('rssTurns', kib2mib(vmHwmKiB(mcp.pid)));
  // After the RSS reading, so 'RSS after two turns' keeps its meaning.
  const [toolMs, toolTurn] = await timed(async () => {
    await mcp.sendTurnStartRequest({ threadId, input: [{ type: 'text', text: TOOL_TURN_TEXT }] });
    return mcp.readStreamUntilNotificationMessage('turn/completed');
  });
  rec('turnTool', toolMs);
  if (toolTurn.params?.turn?.status !== 'completed') note(`tool turn ended with status ${toolTurn.params?.turn?.status}`);
  await closeTimed(mcp, rec, 'shutdown', note);
  rmSync(home, { recursive: true, force: true });
}

/**
 * A copy of the n-rollout template without a DB: first start (backfill) → initialize, thread/list first page (the
 * first request of that process), exit; second start → initialize, then thread/list (first page, page at offset
 * n/2 by cursor, first page with useStateDbOnly), pipelined thread/list throughput, peak RSS.
 */
export async function largeSession(kit, impl, ctx, template, rec, note, options = {}) {
  const { validateDb = false } = options;
  const n = template.manifest.count;
  const home = path.join(ctx.runRoot, `large-${n}-${impl.name}`);
  copyTemplate(template, home);
  await kit.createConfigToml(home, ctx.mock.uri, { features: { plugins: false } });
  await sleep(100);
  const readTimeoutMs = options.readTimeoutMs ?? 300_000;

  const expected = template.manifest.threads;
  let mcp = await startAndInitialize(kit, impl, home, ctx, rec, `first${n}`, readTimeoutMs);
  // The editor's first request, sent right after `initialized`, to the process that just ran the backfill.
  const [firstStartMs, firstStart] = await timed(async () => mcp.readStreamUntilResponseMessage(await mcp.sendThreadListRequest({})));
  rec(`listFirstStart${n}`, firstStartMs);
  checkPage(firstStart.result, expected, 0, 25, note, 'first page after the backfill');
  await closeTimed(mcp, rec, null, note);
  if (validateDb) validateBackfill(home, n, note, rec);

  mcp = await startAndInitialize(kit, impl, home, ctx, rec, `second${n}`, readTimeoutMs);

  const [firstMs, first] = await timed(async () => mcp.readStreamUntilResponseMessage(await mcp.sendThreadListRequest({})));
  rec(`listFirst${n}`, firstMs);
  checkPage(first.result, expected, 0, 25, note, 'first page');

  const offset = laterPageOffset(n);
  const cursor = cursorAt(template.manifest, offset);
  const [laterMs, later] = await timed(async () => mcp.readStreamUntilResponseMessage(await mcp.sendThreadListRequest({ cursor })));
  rec(`listLater${n}`, laterMs);
  checkPage(later.result, expected, offset, 25, note, `page at offset ${offset}`);

  const [dbMs, db] = await timed(async () => mcp.readStreamUntilResponseMessage(await mcp.sendThreadListRequest({ useStateDbOnly: true })));
  rec(`listDb${n}`, dbMs);
  checkPage(db.result, expected, 0, 25, note, 'useStateDbOnly first page');

  const lines = [];
  for (let i = 0; i < PIPELINED_REQUESTS; i += 1) lines.push(JSON.stringify({ id: `tp-${i}`, method: 'thread/list', params: {} }));
  const [tputMs] = await timed(async () => {
    await mcp.sendRaw(`${lines.join('\n')}\n`);
    for (let i = 0; i < PIPELINED_REQUESTS; i += 1) await mcp.readStreamUntilResponseMessage(`tp-${i}`, { timeoutMs: readTimeoutMs });
  });
  rec(`tput${n}`, (PIPELINED_REQUESTS * 1000) / tputMs);
  rec(`rssLarge${n}`, kib2mib(vmHwmKiB(mcp.pid)));
  await closeTimed(mcp, rec, null, note);
  rmSync(home, { recursive: true, force: true });
}

/**
 * Where the "later page" starts: half-way, but at most 5,000. The reference's file-scan path only ever sees
 * the 10,000 newest rollouts (past that it answers an empty page with `nextCursor: null`), so deeper pages
 * would not compare like with like.
 */
export function laterPageOffset(n) {
  return Math.min(Math.floor(n / 2), 5000);
}

function checkPage(result, expected, offset, size, note, what) {
  const data = result?.data ?? [];
  const want = expected.slice(offset, offset + size).map((t) => t.id);
  const got = data.map((t) => t.id);
  if (got.length !== want.length || got.some((id, i) => id !== want[i])) {
    note(`${what}: got ${got.length} threads starting ${got[0]}, expected ${want.length} starting ${want[0]}`);
  }
}

const requireFromRepo = createRequire(path.join(REPO, 'package.json'));

/** Counts the thread rows after the first start (recorded as `rows${n}`) and notes a short count or an unfinished backfill. */
function validateBackfill(home, n, note, rec) {
  try {
    const Database = requireFromRepo('better-sqlite3');
    const db = new Database(path.join(home, 'state_5.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const { c } = db.prepare('SELECT count(*) AS c FROM threads').get();
      const state = db.prepare('SELECT status FROM backfill_state WHERE id = 1').get();
      rec(`rows${n}`, c);
      if (c !== n || state?.status !== 'complete') note(`after the first start: ${c} thread rows (expected ${n}), backfill ${state?.status}`);
    } finally {
      db.close();
    }
  } catch (error) {
    note(`could not inspect state_5.sqlite after the first start: ${error.message}`);
  }
}

export const LONG_TURNS = 200;

/**
 * Set-up, once per run and implementation (not timed as a metric): a home whose only thread got 200 turns
 * from this same server. `thread/read` must be measured on a thread the server wrote itself: the reference
 * answers `includeTurns` from its `thread_history_1.sqlite` projection, which only its own writer fills
 * (for a rollout it merely backfilled it returns `turns: []`). The latencies of turns 191–200 are recorded
 * as `turnLate` (one sample per turn).
 */
export async function prepareLongThreadHome(kit, impl, ctx, rec, note) {
  const home = path.join(ctx.runRoot, `long-${impl.name}`);
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  await kit.createConfigToml(home, ctx.mock.uri, { features: { plugins: false } });
  const mcp = await startAndInitialize(kit, impl, home, ctx, rec, null);
  const started = await mcp.readStreamUntilResponseMessage(await mcp.sendThreadStartRequest({}));
  const threadId = started.result.thread.id;
  for (let k = 1; k <= LONG_TURNS; k += 1) {
    const [turnMs, completed] = await timed(async () => {
      await mcp.sendTurnStartRequest({ threadId, input: [{ type: 'text', text: `step ${k}: continue the migration` }] });
      return mcp.readStreamUntilNotificationMessage('turn/completed');
    });
    if (k > LONG_TURNS - 10) rec('turnLate', turnMs);
    if (completed.params?.turn?.status !== 'completed') note(`long thread turn ${k} ended with status ${completed.params?.turn?.status}`);
    mcp.clearMessageBuffer();
  }
  await closeTimed(mcp, rec, null, note);
  return { home, threadId };
}

/** Start on the long-thread home, then `thread/read {includeTurns:true}` of the 200-turn thread (first request). */
export async function longReadSession(kit, impl, ctx, long, rec, note) {
  const mcp = await startAndInitialize(kit, impl, long.home, ctx, rec, null);
  const [readMs, read] = await timed(async () =>
    mcp.readStreamUntilResponseMessage(await mcp.sendThreadReadRequest({ threadId: long.threadId, includeTurns: true })),
  );
  rec('read200', readMs);
  const turns = read.result?.thread?.turns?.length;
  if (turns !== LONG_TURNS) note(`thread/read returned ${turns} turns, expected ${LONG_TURNS}`);
  await closeTimed(mcp, rec, null, note);
}
