/**
 * Concurrency (issue #8): eight server processes starting at once on one fresh home, each running turns on
 * its own threads while listing; and one process with a hundred turns in flight at once. Afterwards no
 * stderr mentions a locked database, the final listings hold exactly the threads created (no row lost or
 * duplicated, from the DB and from the files), and every rollout is whole (no torn or interleaved line).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, onTestFinished, test } from 'vitest';
import { createMockResponsesServer, repeatingAssistantEvents, sseResponse, type McpProcess } from '../../src/testing/index.js';
import { budget, COUNTS, checkRollout, completedTurnIds, homeWithModel, ok, randomDelayModel, rolloutFiles, runSeed, spawn, Tail, textInput, type Json } from './harness.js';

const DB_TROUBLE = /database is locked|SQLITE_BUSY|SQLITE_LOCKED|timed out waiting for state db|state db (call|update) failed|cannot be used|failed to initialize state/i;

/** Every page of `thread/list` as `id → "preview | name"`; fails on a duplicate id across pages. */
async function listAll(mcp: McpProcess, params: Json): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor: string | null = null;
  do {
    const page = await ok(mcp, 'thread/list', { ...params, limit: 100, ...(cursor ? { cursor } : {}) });
    for (const t of page['data']) {
      expect(out.has(t['id']), `thread ${t['id']} listed twice`).toBe(false);
      out.set(t['id'], `${t['preview']} | ${t['name']}`);
    }
    cursor = page['nextCursor'];
  } while (cursor);
  return out;
}

/** Sends a request and waits for its answer through a shared tail (safe with concurrent waiters). */
async function request(mcp: McpProcess, tail: Tail, method: string, params: unknown): Promise<Json> {
  const id = await mcp.sendRequest(method, params);
  const answer = await tail.answer(id, 30_000);
  if (answer['error']) throw new Error(`${method} failed: ${JSON.stringify(answer['error'])}`);
  return answer['result'];
}

/** Runs `turns` turns on a new thread; returns its id and first message. */
async function threadWithTurns(mcp: McpProcess, tail: Tail, label: string, turns: number): Promise<{ id: string; preview: string }> {
  const id = (await request(mcp, tail, 'thread/start', {}))['thread']['id'] as string;
  // Names go to the shared session_index.jsonl, appended by every process under its flock.
  await request(mcp, tail, 'thread/name/set', { threadId: id, name: `name of ${label}` });
  for (let t = 0; t < turns; t += 1) {
    const turnId = (await request(mcp, tail, 'turn/start', { threadId: id, input: textInput(`${label} turn ${t}`) }))['turn']['id'];
    const done = await tail.waitFor(`turn/completed ${turnId}`, (m) => m['method'] === 'turn/completed' && m['params']['turn']['id'] === turnId, { timeoutMs: 60_000 });
    expect(done['params']['turn']['status']).toBe('completed');
  }
  return { id, preview: `${label} turn 0 | name of ${label}` };
}

function expectWholeRollouts(home: string, turnsPerThread: Map<string, number>): void {
  const files = rolloutFiles(`${home}/sessions`);
  expect(files.length).toBe(turnsPerThread.size);
  for (const file of files) {
    const check = checkRollout(file);
    expect(check.problems, file).toEqual([]);
    expect(check.tornTailAt, `${file} ends with a torn line`).toBeNull();
    const id = check.lines[0]!['payload']['id'] as string;
    expect(completedTurnIds(check.lines).length, `completed turns in ${file}`).toBe(turnsPerThread.get(id));
  }
}

describe('concurrency', () => {
  test('thread/name/set on several threads at once all answer (session index lock is never held across an await)', async () => {
    const mock = await randomDelayModel(1);
    const mcp = await spawn(await homeWithModel(mock));
    const tail = new Tail(mcp);
    const ids = await Promise.all(Array.from({ length: 5 }, async () => (await request(mcp, tail, 'thread/start', {}))['thread']['id'] as string));
    const answers = await Promise.all(ids.map((threadId, i) => request(mcp, tail, 'thread/name/set', { threadId, name: `n${i}` })));
    expect(answers).toEqual(ids.map(() => ({})));
  });

  test(`${COUNTS.concurrentProcesses} processes on one home: turns and listings at once, nothing lost, no locked database`, { timeout: budget(120_000) }, async () => {
    const seed = runSeed('concurrency: processes');
    const mock = await randomDelayModel(seed, { maxDelayMs: 5 });
    const home = await homeWithModel(mock);
    const threadsPerProcess = 3;

    // All start at once on a fresh home: schema creation, WAL switch and the backfill claim race.
    const servers = await Promise.all(Array.from({ length: COUNTS.concurrentProcesses }, () => spawn(home)));
    const created = new Map<string, string>();
    const turnsPerThread = new Map<string, number>();
    await Promise.all(
      servers.map(async (mcp, p) => {
        const tail = new Tail(mcp);
        let working = true;
        const lister = (async () => {
          let n = 0;
          while (working) {
            const page = await request(mcp, tail, 'thread/list', n % 2 === 0 ? { limit: 50 } : { limit: 50, useStateDbOnly: true });
            expect(Array.isArray(page['data'])).toBe(true);
            n += 1;
          }
          return n;
        })();
        const threads = await Promise.all(Array.from({ length: threadsPerProcess }, (_, t) => threadWithTurns(mcp, tail, `p${p}t${t}`, COUNTS.turnsPerProcess)));
        working = false;
        expect(await lister).toBeGreaterThan(0);
        for (const t of threads) {
          created.set(t.id, t.preview);
          turnsPerThread.set(t.id, COUNTS.turnsPerProcess);
        }
      }),
    );
    for (const mcp of servers) {
      await mcp.closeStdin();
      expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
    }
    const trouble = servers.flatMap((mcp, p) => mcp.stderr().split('\n').filter((l) => DB_TROUBLE.test(l)).map((l) => `process ${p}: ${l}`));
    expect(trouble).toEqual([]);

    // A fresh process sees exactly what was created, from the DB alone and from the files.
    const check = await spawn(home);
    const fromDb = await listAll(check, { useStateDbOnly: true });
    const fromFs = await listAll(check, {});
    const want = [...created].sort();
    expect([...fromDb].sort()).toEqual(want);
    expect([...fromFs].sort()).toEqual(want);
    expectWholeRollouts(home, turnsPerThread);
    const names = readFileSync(`${home}/session_index.jsonl`, 'utf8').split('\n').filter((l) => l !== '');
    expect(names.map((l) => (JSON.parse(l) as Json)['id']).sort()).toEqual([...created.keys()].sort());
    process.stderr.write(`[reliability] concurrency: ${servers.length} processes, ${created.size} threads, ${created.size * COUNTS.turnsPerProcess} turns\n`);
  });

  test(`${COUNTS.threadsInFlight} threads with turns in flight at once in one process`, { timeout: budget(120_000) }, async () => {
    runSeed('concurrency: threads in flight');
    // The mock holds every answer until all requests have arrived: every turn is in flight at the same time.
    let arrived = 0;
    let releaseAll!: () => void;
    const allArrived = new Promise<void>((resolve) => (releaseAll = resolve));
    const mock = await createMockResponsesServer(async (_request, n) => {
      arrived += 1;
      if (arrived >= COUNTS.threadsInFlight) releaseAll();
      await allArrived;
      return sseResponse(repeatingAssistantEvents('Done', n), { delayBetweenEventsMs: n % 7 });
    });
    onTestFinished(() => mock.close());
    const home = await homeWithModel(mock);
    const mcp = await spawn(home);
    const tail = new Tail(mcp);

    const starts = await Promise.all(Array.from({ length: COUNTS.threadsInFlight }, () => mcp.sendRequest('thread/start', {})));
    const ids = (await Promise.all(starts.map((id) => tail.answer(id)))).map((a) => a['result']['thread']['id'] as string);
    expect(new Set(ids).size).toBe(COUNTS.threadsInFlight);
    // Every turn/start goes out before any turn can finish.
    const turnReqs = await Promise.all(ids.map((threadId, i) => mcp.sendRequest('turn/start', { threadId, input: textInput(`in flight ${i}`) })));
    const turnIds = (await Promise.all(turnReqs.map((id) => tail.answer(id)))).map((a) => a['result']['turn']['id'] as string);
    const pending = new Set(turnIds);
    let maxActive = 0;
    let active = 0;
    await tail.waitFor(
      'every turn/completed',
      (m) => {
        if (m['method'] === 'turn/started') maxActive = Math.max(maxActive, ++active);
        if (m['method'] === 'turn/completed') {
          active -= 1;
          expect(m['params']['turn']['status'], JSON.stringify(m['params']['turn']['error'])).toBe('completed');
          pending.delete(m['params']['turn']['id']);
        }
        return pending.size === 0;
      },
      { timeoutMs: 120_000 },
    );
    expect(maxActive).toBe(COUNTS.threadsInFlight);

    await mcp.closeStdin();
    expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
    expect(mcp.stderr().split('\n').filter((l) => DB_TROUBLE.test(l))).toEqual([]);
    expectWholeRollouts(home, new Map(ids.map((id) => [id, 1])));
    const check = await spawn(home);
    const previews = new Map(ids.map((id, i) => [id, `in flight ${i} | null`]));
    expect([...(await listAll(check, { useStateDbOnly: true }))].sort()).toEqual([...previews].sort());
    expect((await listAll(check, {})).size).toBe(COUNTS.threadsInFlight);
    process.stderr.write(`[reliability] concurrency: ${COUNTS.threadsInFlight} turns in flight, at most ${maxActive} active at once\n`);
  });
});
