/**
 * Crash safety (issue #8): SIGKILL the server at random points while turns stream (the mock model waits a
 * random few ms between SSE events), restart on the same home, and check after every restart: every rollout
 * is readable (complete lines parse, ordinals match line numbers, only the last line may be torn), every turn
 * that reached `turn/completed` before the kill is still there, the thread resumes (no stale writer lock) and
 * takes a new turn, and `thread/list` from the DB agrees with the filesystem.
 */
import { appendFileSync, statSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { McpProcess } from '../../src/testing/index.js';
import {
  budget,
  COUNTS,
  call,
  checkRollout,
  completedTurnIds,
  homeWithModel,
  messages,
  ok,
  prng,
  randomDelayModel,
  rolloutFiles,
  runSeed,
  runTurn,
  spawn,
  Tail,
  textInput,
  type Json,
} from './harness.js';

/** What the test knows about one home across kills. */
interface HomeState {
  home: string;
  /** Thread id → turn ids that reached `turn/completed` (status completed) before some kill. */
  completed: Map<string, Set<string>>;
  /** Rollout path → byte offsets of torn tails left by kills (a resumed writer isolates them on their own line). */
  tornAt: Map<string, Set<number>>;
  kills: number;
  turnsCompleted: number;
  tornTails: number;
}

/** Every page of `thread/list`, as `id → preview`. */
async function listAll(mcp: McpProcess, params: Json): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor: string | null = null;
  do {
    const page = await ok(mcp, 'thread/list', { ...params, limit: 100, ...(cursor ? { cursor } : {}) });
    for (const t of page['data']) out.set(t['id'], t['preview']);
    cursor = page['nextCursor'];
  } while (cursor);
  return out;
}

/** Rollout checks after a kill; remembers new torn tails so later isolated fragments are accepted. */
function checkAllRollouts(state: HomeState): string[] {
  const problems: string[] = [];
  for (const file of rolloutFiles(`${state.home}/sessions`)) {
    const allowed = state.tornAt.get(file) ?? new Set<number>();
    const check = checkRollout(file, allowed);
    // A kill before the first write completes can leave an empty file: nothing was ever acknowledged.
    problems.push(...check.problems.filter((p) => p !== 'empty file').map((p) => `${file}: ${p}`));
    if (check.tornTailAt !== null && !allowed.has(check.tornTailAt)) {
      allowed.add(check.tornTailAt);
      state.tornAt.set(file, allowed);
      state.tornTails += 1;
    }
  }
  return problems;
}

/** Turn ids of completed turns the client saw before the kill, per thread. */
function completedBeforeKill(mcp: McpProcess): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of messages(mcp)) {
    if (m['method'] !== 'turn/completed' || m['params']['turn']['status'] !== 'completed') continue;
    const id = m['params']['threadId'] as string;
    out.set(id, [...(out.get(id) ?? []), m['params']['turn']['id']]);
  }
  return out;
}

/** `thread/read includeTurns` shows every turn that completed before a kill, as completed. */
async function expectCompletedTurnsKept(mcp: McpProcess, state: HomeState, threadIds: Iterable<string>): Promise<void> {
  for (const threadId of threadIds) {
    const want = state.completed.get(threadId);
    if (!want || want.size === 0) continue;
    const read = await ok(mcp, 'thread/read', { threadId, includeTurns: true });
    const turns = new Map<string, string>(read['thread']['turns'].map((t: Json) => [t['id'], t['status']]));
    const lost = [...want].filter((id) => turns.get(id) !== 'completed');
    expect(lost, `completed turns of ${threadId} lost after a kill`).toEqual([]);
  }
}

/** After the scan-and-repair listing, the DB (useStateDbOnly) lists the same threads with the same previews. */
async function expectListsAgree(mcp: McpProcess): Promise<number> {
  // The filesystem listing first: it is the one that repairs the DB (rows for files it lacks, SPEC §4.8).
  const fromFs = await listAll(mcp, {});
  const fromDb = await listAll(mcp, { useStateDbOnly: true });
  expect([...fromDb].sort(), 'thread/list useStateDbOnly vs filesystem').toEqual([...fromFs].sort());
  return fromFs.size;
}

/** A thread with a readable rollout (so it can be resumed), picked at random. */
function resumable(state: HomeState, rnd: ReturnType<typeof prng>): string | null {
  const candidates = [...state.completed.entries()].filter(([, turns]) => turns.size > 0).map(([id]) => id);
  return candidates.length > 0 ? rnd.pick(candidates) : null;
}

async function killLoop(state: HomeState, kills: number, seed: number): Promise<void> {
  const rnd = prng(seed);
  let touched: string[] = [];
  for (let i = 0; i < kills; i += 1) {
    const mcp = await spawn(state.home);
    // After the restart: nothing acknowledged was lost, the DB and the files agree.
    await expectCompletedTurnsKept(mcp, state, touched);
    await expectListsAgree(mcp);

    // The resumed thread takes a full turn (no stale lock), then turns stream on it and on a new thread.
    const working: string[] = [];
    const old = resumable(state, rnd);
    if (old) {
      const resumed = await call(mcp, 'thread/resume', { threadId: old, excludeTurns: true });
      expect(resumed.error, `resume of ${old} after a kill`).toBeUndefined();
      const turn = await runTurn(mcp, old, `resumed turn ${i}`);
      expect(turn['status']).toBe('completed');
      working.push(old);
    }
    const fresh = (await ok(mcp, 'thread/start', {}))['thread']['id'] as string;
    working.push(fresh);
    let killed = false;
    const tail = new Tail(mcp);
    const loops = working.map(async (threadId, n) => {
      for (let t = 0; !killed; t += 1) {
        try {
          const from = tail.all().length;
          await mcp.sendTurnStartRequest({ threadId, input: textInput(`turn ${i}.${n}.${t}`) });
          await tail.waitFor('turn/completed', (m) => m['method'] === 'turn/completed' && m['params']['threadId'] === threadId, { from });
        } catch {
          return; // the process is gone
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, rnd.int(0, 250)));
    killed = true;
    mcp.kill('SIGKILL');
    const exit = await mcp.waitForExit({ timeoutMs: 10_000 });
    expect(exit.signal).toBe('SIGKILL');
    await Promise.all(loops);
    state.kills += 1;

    for (const [threadId, turnIds] of completedBeforeKill(mcp)) {
      const set = state.completed.get(threadId) ?? new Set<string>();
      for (const id of turnIds) set.add(id);
      state.completed.set(threadId, set);
      state.turnsCompleted += turnIds.length;
    }
    touched = working;
    expect(checkAllRollouts(state), `rollouts after kill ${i + 1}`).toEqual([]);
  }
}

describe('crash safety', () => {
  test(`${COUNTS.kills} SIGKILLs mid-turn over ${COUNTS.crashHomes} homes: no acknowledged turn lost, every rollout readable`, { timeout: budget(300_000) }, async () => {
    const seed = runSeed('crash safety');
    const mock = await randomDelayModel(seed, { maxDelayMs: 12, maxDeltas: 8 });
    const states: HomeState[] = [];
    for (let h = 0; h < COUNTS.crashHomes; h += 1) {
      states.push({ home: await homeWithModel(mock), completed: new Map(), tornAt: new Map(), kills: 0, turnsCompleted: 0, tornTails: 0 });
    }
    const perHome = Math.ceil(COUNTS.kills / COUNTS.crashHomes);
    await Promise.all(states.map((state, h) => killLoop(state, perHome, seed + h)));

    for (const state of states) {
      // A clean final start: everything acknowledged is there, every thread resumes and takes a turn.
      const mcp = await spawn(state.home);
      await expectCompletedTurnsKept(mcp, state, state.completed.keys());
      const listed = await expectListsAgree(mcp);
      for (const threadId of [...state.completed.keys()].slice(0, 10)) {
        expect((await call(mcp, 'thread/resume', { threadId, excludeTurns: true })).error).toBeUndefined();
        expect((await runTurn(mcp, threadId, 'after all the kills'))['status']).toBe('completed');
      }
      await mcp.closeStdin();
      expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
      expect(checkAllRollouts(state)).toEqual([]);
      process.stderr.write(
        `[reliability] crash: ${state.kills} kills, ${state.turnsCompleted} turns completed before kills, ${state.completed.size} threads, ${listed} listed, ${state.tornTails} torn tails\n`,
      );
    }
    expect(states.reduce((n, s) => n + s.kills, 0)).toBeGreaterThanOrEqual(COUNTS.kills);
  });
});

describe('torn last line', () => {
  test('a rollout whose last line a crash tore is read, resumed and appended to without gluing the fragment to new lines', async () => {
    const mock = await randomDelayModel(5, { maxDelayMs: 2 });
    const home = await homeWithModel(mock);
    const first = await spawn(home);
    const thread = (await ok(first, 'thread/start', {}))['thread'];
    const t1 = await runTurn(first, thread['id'], 'before the crash');
    await first.closeStdin();
    await first.waitForExit();
    // What a kill in the middle of a write leaves: the start of a line, no newline.
    const tornAt = statSync(thread['path']).size;
    appendFileSync(thread['path'], '{"timestamp":"2026-01-01T00:00:00.000Z","ordinal":14,"type":"event_msg","payload":{"type":"task_st');

    const next = await spawn(home);
    const listed = await ok(next, 'thread/list', {});
    expect(listed['data'].map((t: Json) => t['id'])).toEqual([thread['id']]);
    const read = await ok(next, 'thread/read', { threadId: thread['id'], includeTurns: true });
    expect(read['thread']['turns'].map((t: Json) => [t['id'], t['status']])).toEqual([[t1['id'], 'completed']]);
    await ok(next, 'thread/resume', { threadId: thread['id'], excludeTurns: true });
    const t2 = await runTurn(next, thread['id'], 'after the crash');
    expect(t2['status']).toBe('completed');
    await next.closeStdin();
    expect(await next.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
    const check = checkRollout(thread['path'], new Set([tornAt]));
    expect(check.problems).toEqual([]);
    expect(check.badLineOffsets).toEqual([tornAt]);
    expect(check.tornTailAt).toBeNull();
    expect(completedTurnIds(check.lines)).toEqual([t1['id'], t2['id']]);
  });
});
