/**
 * Protocol fuzzing (issue #8): thousands of generated stdin lines — malformed JSON, non-objects, wrong types
 * for every param of every implemented method, missing/extra fields, huge strings, deep nesting, invalid
 * UTF-8, ids of every JSON type — cut at random byte boundaries and interleaved with valid traffic. Then:
 * the process is alive, every request got exactly one answer, a real turn still works, memory stayed
 * bounded, stderr holds no crash trace, and EOF still exits 0.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { McpProcess } from '../../src/testing/index.js';
import { budget, COUNTS, crashSigns, homeWithModel, ok, prng, randomDelayModel, runSeed, runTurn, spawn, Tail, until, vmRssKb, type Json } from './harness.js';
import { expectedAnswers, expectedRequests, fuzzLine, IdMinter, idKey, IMPLEMENTED, MAX_LINE_BYTES, type FuzzLine, type FuzzTargets } from './fuzz-lines.js';

/** -32603 answers the reference gives for bad input itself (test/integration/fuzzy-file-search.test.ts). */
const REFERENCE_INTERNAL_TEXTS = ['failed to start fuzzy file search session: at least one search directory is required'];

/** The requests (in stream order) left without an answer, as readable lines. */
function unansweredRequests(stream: Buffer, answered: Map<string, number>): string[] {
  const remaining = new Map(answered);
  const out: string[] = [];
  for (const r of expectedRequests(stream)) {
    const n = remaining.get(r.key) ?? 0;
    if (n > 0) remaining.set(r.key, n - 1);
    else out.push(`${r.key}: ${r.text.slice(0, 200)}`);
  }
  return out;
}

/**
 * RSS bound for a server fed a 17 MiB line and megabyte strings (it idles at ~85 MB). Accepted input is
 * retained legitimately (a thread started with a 1 MB cwd keeps it; a 1 MB message stays in the thread's
 * history), so the bound grows with the number of lines: 10,000 lines peak at ~140–230 MB.
 */
const maxRssKb = (lines: number): number => 256 * 1024 + 12 * lines;
/** Lines per window of the fuzz stream. */
const WINDOW_LINES = 400;

describe('protocol fuzzing', () => {
  const perProcess = Math.ceil(COUNTS.fuzzMessages / COUNTS.fuzzProcesses);

  for (let p = 0; p < COUNTS.fuzzProcesses; p += 1) {
    test(`${perProcess} generated lines (process ${p + 1}/${COUNTS.fuzzProcesses}): one answer per request, server intact`, { timeout: budget(240_000) }, async () => {
      const seed = runSeed(`protocol fuzz #${p + 1}`) + p;
      const rnd = prng(seed);
      const mock = await randomDelayModel(seed, { maxDelayMs: 2 });
      const home = await homeWithModel(mock);
      // Generated lines reuse ids and use ids JSON.parse cannot round-trip (2.98e+23): a response cannot be tied to
      // one request method, so the schema check is off here; the answers are checked one per request instead.
      const mcp = await spawn(home, { initialize: false, schemaCheck: false });

      const sent: Buffer[] = [];
      let sentBytes = 0;
      const send = async (bytes: Buffer): Promise<void> => {
        sent.push(bytes);
        sentBytes += bytes.length;
        await mcp.sendRaw(bytes);
      };
      let valid = 0;
      const sendValid = async (method: string, params: unknown): Promise<string> => {
        const id = `v-${valid++}`;
        await send(Buffer.from(`${JSON.stringify({ id, method, params })}\n`));
        return id;
      };
      const answerTo = (id: string) =>
        mcp.readStreamUntil((m) => (m as Json)['id'] === id && !('method' in m), `answer ${id}`) as Promise<Json>;

      const rssSamples: number[] = [];
      const sampler = setInterval(() => {
        const kb = vmRssKb(mcp.pid);
        if (kb !== null) rssSamples.push(kb);
      }, 50);

      try {
        const targets: FuzzTargets = { threadIds: [], turnIds: [] };
        const ids = new IdMinter();
        const gen = (n: number, s: number): FuzzLine[] => fc.sample(fuzzLine(targets, { hugeBytes: 1024 * 1024, maxDepth: 200_000, ids }), { seed: s, numRuns: n });

        // Before initialize: everything must still be answered (with `Not initialized` or an initialize result).
        const preInit = gen(Math.min(100, perProcess), seed ^ 0x5a5a);
        for (const l of preInit) await send(l.bytes);
        const init = await sendValid('initialize', { clientInfo: { name: 'fuzz_client', title: null, version: '1.0.0' } });
        const initAnswer = await answerTo(init);
        if (initAnswer['error']) expect(initAnswer['error']['message']).toBe('Already initialized');
        await send(Buffer.from('{"method":"initialized"}\n'));

        // A real materialised thread for the fuzz to aim at.
        const startId = await sendValid('thread/start', { model: 'mock-model' });
        const threadId = (await answerTo(startId))['result']['thread']['id'] as string;
        const turnReq = await sendValid('turn/start', { threadId, input: [{ type: 'text', text: 'first' }] });
        const turnId = (await answerTo(turnReq))['result']['turn']['id'] as string;
        await mcp.readStreamUntilNotificationMessage('turn/completed');
        targets.threadIds.push(threadId);
        targets.turnIds.push(turnId);

        // The fuzz stream, valid traffic interleaved, one oversized line somewhere, cut at random boundaries.
        const lines = gen(perProcess - preInit.length, seed);
        const validTraffic: [string, unknown][] = [
          ['thread/list', {}],
          ['thread/list', { useStateDbOnly: true }],
          ['thread/list', { archived: true, limit: 5 }],
          ['model/list', {}],
          ['thread/loaded/list', {}],
          ['thread/read', { threadId, includeTurns: true }],
          ['thread/start', {}],
          ['turn/start', { threadId, input: [{ type: 'text', text: 'valid traffic' }] }],
          ['thread/name/set', { threadId, name: 'still valid' }],
        ];
        // Answers, counted incrementally from stdout.
        const got = new Map<string, number>();
        let answeredTotal = 0;
        let seenLines = 0;
        const refresh = (): number => {
          const out = mcp.allStdoutLines();
          for (; seenLines < out.length; seenLines += 1) {
            const m = JSON.parse(out[seenLines]!) as Json;
            if ('method' in m || !('id' in m)) continue;
            got.set(idKey(m['id']), (got.get(idKey(m['id'])) ?? 0) + 1);
            answeredTotal += 1;
          }
          return answeredTotal;
        };
        let expectedTotal = expectedRequests(Buffer.concat(sent)).length;

        // The fuzz stream in windows (a client pipelining requests, not one that never reads its answers): each
        // window mixes in valid traffic (and one window the oversized line), is cut at random byte boundaries,
        // and the next one goes out once everything sent so far is answered.
        const oversizedAt = rnd.int(0, lines.length - 1);
        let chunks = 0;
        for (let w = 0; w < lines.length; w += WINDOW_LINES) {
          const stream: Buffer[] = [];
          for (let i = w; i < Math.min(lines.length, w + WINDOW_LINES); i += 1) {
            stream.push(lines[i]!.bytes);
            if (i % 10 === 9) {
              const [method, params] = rnd.pick(validTraffic);
              stream.push(Buffer.from(`${JSON.stringify({ id: `v-${valid++}`, method, params })}\n`));
            }
            if (i === oversizedAt) stream.push(Buffer.concat([Buffer.from('{"id":"oversized","method":"thread/list","params":{"searchTerm":"'), Buffer.alloc(MAX_LINE_BYTES + 1024, 0x61), Buffer.from('"}}\n')]));
          }
          const window = Buffer.concat(stream);
          expectedTotal += expectedRequests(window).length;
          for (let at = 0; at < window.length; ) {
            // Mostly small pieces (split inside tokens and UTF-8 sequences), sometimes large ones.
            const size = rnd.next() < 0.8 ? rnd.int(1, 64) : rnd.int(65, 64 * 1024);
            await send(window.subarray(at, at + size));
            at += size;
            chunks += 1;
            // Let some pieces reach the server as separate reads.
            if (chunks % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
          }
          const ready = await until(`${expectedTotal} answers`, () => (refresh() >= expectedTotal ? true : undefined), 60_000, 10).catch(() => false);
          if (!ready) break;
        }

        // Every request gets exactly one answer; nothing else is answered.
        const expected = expectedAnswers(Buffer.concat(sent));
        const totalExpected = [...expected.values()].reduce((a, b) => a + b, 0);
        refresh();
        const missing = unansweredRequests(Buffer.concat(sent), got);
        const extra = [...got].filter(([k, n]) => n > (expected.get(k) ?? 0)).map(([k, n]) => `${k} answered ${n} times, expected ${expected.get(k) ?? 0}`);
        expect({ missing: missing.slice(0, 20), extra: extra.slice(0, 20) }).toEqual({ missing: [], extra: [] });
        expect(mcp.protocolViolations()).toEqual([]);

        // No fuzz line reached an internal error: every failure is a decode or domain error (-32600/-32601).
        const answers = mcp.allStdoutLines().map((t) => JSON.parse(t) as Json).filter((m) => !('method' in m));
        // The reference itself answers a few domain refusals with -32603 (checked on 0.169.0); those are not crashes.
        const internal = answers
          .filter((m) => m['error'] && m['error']['code'] === -32603)
          .map((m) => String(m['error']['message']))
          .filter((message) => !REFERENCE_INTERNAL_TEXTS.some((text) => message === text));
        expect(internal).toEqual([]);
        // Valid traffic kept working in the middle of the storm.
        const validFailures = answers.filter((m) => typeof m['id'] === 'string' && m['id'].startsWith('v-') && m['error'] && /^(thread\/list|model)/.test(String(m['error']['message'])));
        expect(validFailures).toEqual([]);

        // Still alive and able to run a real turn.
        const fresh = await sendValid('thread/start', {});
        const freshId = (await answerTo(fresh))['result']['thread']['id'] as string;
        const freshTurn = await sendValid('turn/start', { threadId: freshId, input: [{ type: 'text', text: 'after the storm' }] });
        const freshTurnId = (await answerTo(freshTurn))['result']['turn']['id'];
        const completed = (await mcp.readStreamUntil(
          (m) => 'method' in m && m.method === 'turn/completed' && (m as Json)['params']['turn']['id'] === freshTurnId,
          'the final turn/completed',
        )) as Json;
        expect(completed['params']['turn']['status']).toBe('completed');

        clearInterval(sampler);
        const peak = Math.max(...rssSamples);
        process.stderr.write(`[reliability] fuzz #${p + 1}: ${lines.length + preInit.length} lines, ${totalExpected} requests, ${(sentBytes / 1e6).toFixed(1)} MB in ${chunks} writes, peak VmRSS ${(peak / 1024).toFixed(0)} MB\n`);
        expect(peak).toBeLessThan(maxRssKb(lines.length + preInit.length));

        await mcp.closeStdin();
        expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
        expect(crashSigns(mcp.stderr())).toEqual([]);
      } finally {
        clearInterval(sampler);
      }
    });
  }
});

describe('every param of every method', () => {
  test('each field of each implemented method given every JSON type, dropped, or joined by unknown fields: one answer each, never an internal error', { timeout: budget(120_000) }, async () => {
    const mock = await randomDelayModel(9, { maxDelayMs: 1 });
    const mcp = await spawn(await homeWithModel(mock));
    const nobody = '01a20000-0000-7000-8000-00000000abcd';
    const base: Record<string, Json> = {
      initialize: { clientInfo: { name: 'sweep', title: null, version: '1' } },
      'thread/name/set': { threadId: nobody, name: 'n' },
      'turn/start': { threadId: nobody, input: [{ type: 'text', text: 'x' }] },
      'turn/interrupt': { threadId: nobody, turnId: nobody },
    };
    const values: unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 32, -(2 ** 63), '', 'x', '../x', [], [1, 'a'], {}, { a: 1 }, 'é'.repeat(50_000), JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`)];
    const requests: { method: string; params: unknown }[] = [];
    for (const [method, fields] of IMPLEMENTED) {
      const start = base[method] ?? (['thread/start', 'thread/list', 'thread/loaded/list', 'model/list'].includes(method) ? {} : { threadId: nobody });
      for (const field of fields) {
        for (const value of values) requests.push({ method, params: { ...start, [field]: value } });
        const without = { ...start } as Json;
        delete without[field];
        requests.push({ method, params: without });
      }
      requests.push({ method, params: { ...start, unknownField: 1, another: { nested: [true] } } });
    }
    const tail = new Tail(mcp);
    let n = 0;
    for (const r of requests) await mcp.sendJson({ id: `sweep-${n++}`, ...r });
    const answers = await Promise.all(requests.map((_, i) => tail.answer(`sweep-${i}`, 60_000)));
    const internal = answers.filter((a) => a['error'] && a['error']['code'] !== -32600 && a['error']['code'] !== -32601);
    expect(internal.map((a) => `${requests[Number(String(a['id']).slice(6))]!.method}: ${JSON.stringify(a['error']).slice(0, 200)}`)).toEqual([]);
    expect(mcp.protocolViolations()).toEqual([]);
    const thread = (await ok(mcp, 'thread/start', {}))['thread']['id'] as string;
    expect((await runTurn(mcp, thread, 'after the sweep'))['status']).toBe('completed');
    await mcp.closeStdin();
    expect(await mcp.waitForExit({ timeoutMs: 30_000 })).toEqual({ code: 0, signal: null });
    expect(crashSigns(mcp.stderr())).toEqual([]);
    process.stderr.write(`[reliability] sweep: ${requests.length} requests over ${IMPLEMENTED.size} methods\n`);
  });
});

/** Minimal cases behind findings of the fuzz, kept as regression tests. */
describe('protocol edge cases found by fuzzing', () => {
  async function server() {
    const mock = await randomDelayModel(7);
    // These cases reuse ids on purpose: the answers cannot be tied to one request method for the schema check.
    const mcp = await spawn(await homeWithModel(mock), { schemaCheck: false });
    return mcp;
  }
  const answersTo = (mcp: McpProcess, id: unknown): Json[] =>
    mcp.allStdoutLines().map((l) => JSON.parse(l) as Json).filter((m) => !('method' in m) && idKey(m['id']) === idKey(id));

  test('requests reusing an id while the first is still queued each get their answer, and EOF still exits 0', async () => {
    const mcp = await server();
    const burst = [
      { id: 7, method: 'model/list', params: {} },
      { id: 7, method: 'thread/loaded/list', params: {} },
      { id: 7, method: 'thread/list', params: {} },
      { id: '7', method: 'thread/loaded/list', params: {} },
      { id: 8, method: 'model/list', params: {} },
    ];
    await mcp.sendRaw(burst.map((m) => JSON.stringify(m)).join('\n') + '\n');
    await mcp.closeStdin();
    expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
    const numeric7 = answersTo(mcp, 7).map((m) => Object.keys(m['result'] ?? {}).sort().join(','));
    // In arrival order: model/list, thread/loaded/list, thread/list.
    expect(numeric7).toEqual(['data,nextCursor', 'data,nextCursor', 'backwardsCursor,data,nextCursor,readStates']);
    expect(answersTo(mcp, '7')).toHaveLength(1);
    expect(answersTo(mcp, 8)).toHaveLength(1);
  });

  test('$/cancelRequest without a usable id is ignored without an error log', async () => {
    const mcp = await server();
    const cancels = [{}, { id: null }, { id: [1] }, 'x', null, [3]].map((params) => JSON.stringify({ method: '$/cancelRequest', params }));
    await mcp.sendRaw(`${cancels.join('\n')}\n{"method":"$/cancelRequest"}\n`);
    expect((await ok(mcp, 'model/list', {}))['data'].length).toBeGreaterThan(0);
    await mcp.closeStdin();
    expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
    expect(crashSigns(mcp.stderr())).toEqual([]);
  });

  test('lines nested deeper than serde_json allows (128 levels) are dropped; 127 levels still parse; memory stays bounded', async () => {
    const mcp = await server();
    const nested = (depth: number): string => `${'['.repeat(depth - 2)}1${']'.repeat(depth - 2)}`;
    // params object (1) + config map (2) + the array levels: total depth = 2 + (depth - 2).
    const request = (id: string, depth: number): string => `{"id":"${id}","method":"thread/start","params":{"config":{"k":${nested(depth - 1)}}}}\n`;
    await mcp.sendRaw(request('d127', 127) + request('d128', 128));
    // A few megabytes of pure nesting: each line would parse into ~a million arrays.
    const wall = `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}\n`;
    for (let i = 0; i < 8; i += 1) await mcp.sendRaw(wall);
    expect((await ok(mcp, 'model/list', {}))['data'].length).toBeGreaterThan(0);
    expect(answersTo(mcp, 'd127')).toHaveLength(1);
    expect(answersTo(mcp, 'd128')).toHaveLength(0);
    expect(vmRssKb(mcp.pid)).toBeLessThan(250 * 1024);
    await mcp.closeStdin();
    expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
  });
});
