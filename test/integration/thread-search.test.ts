/**
 * `thread/search` and `thread/searchOccurrences` over real stdio (issue 18), every message checked against the
 * reference JSON Schema by the harness: the experimental gate, the index kept current across turns, renames,
 * archive and unarchive in one process, paging, literal bad input, and the same answers without a usable DB.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createFakeRollout } from '../../src/testing/index.js';
import { request, requestError, runTurn, setupEnv, spawnServer, startThread, type Json } from './helpers.js';

async function experimentalServer(home: string, env?: Record<string, string>) {
  const mcp = await spawnServer(home, { initialize: false, env });
  await mcp.initialize(undefined, { experimentalApi: true });
  return mcp;
}

const search = async (mcp: Awaited<ReturnType<typeof spawnServer>>, params: Json): Promise<Json> => request(mcp, 'thread/search', params);
const hitIds = (result: Json): string[] => result['data'].map((r: Json) => r['thread']['id']);

describe('thread/search over stdio', () => {
  test('refused without the experimentalApi capability, with the reference texts; params decoded first', async () => {
    const { home } = await setupEnv();
    const mcp = await spawnServer(home);
    expect(await requestError(mcp, 'thread/search', { searchTerm: 'x' })).toEqual({ code: -32600, message: 'thread/search requires experimentalApi capability' });
    expect(await requestError(mcp, 'thread/searchOccurrences', { threadId: 'x', searchTerm: 'x' })).toEqual({
      code: -32600,
      message: 'thread/searchOccurrences requires experimentalApi capability',
    });
    expect(await requestError(mcp, 'thread/search', {})).toEqual({ code: -32600, message: 'Invalid request: missing field `searchTerm`' });
  });

  test('finds what turns said, follows renames, archive and unarchive; occurrences page with cursors', async () => {
    const { home } = await setupEnv();
    const mcp = await experimentalServer(home);
    const first = await startThread(mcp);
    await runTurn(mcp, first['id'], 'Where is the platypus?');
    const second = await startThread(mcp);
    await runTurn(mcp, second['id'], 'tell me about PLATYPUS habitats');
    await runTurn(mcp, second['id'], 'and one more platypus question');

    // Newest first; the assistant's answer ("Done") is indexed too.
    const found = await search(mcp, { searchTerm: 'platypus' });
    expect(hitIds(found)).toEqual([second['id'], first['id']]);
    expect(found['data'].map((r: Json) => r['snippet'])).toEqual(['tell me about PLATYPUS habitats', 'Where is the platypus?']);
    expect(found['data'][0]['thread']).toMatchObject({ id: second['id'], status: { type: 'idle' }, turns: [] });
    expect(hitIds(await search(mcp, { searchTerm: 'done' }))).toEqual([second['id'], first['id']]);

    const paged = await search(mcp, { searchTerm: 'platypus', limit: 1 });
    expect(hitIds(paged)).toEqual([second['id']]);
    expect(hitIds(await search(mcp, { searchTerm: 'platypus', limit: 1, cursor: paged['nextCursor'] }))).toEqual([first['id']]);
    // Reversed from the page's backwardsCursor (one ms before its creation second): that thread again, last; the
    // first thread too when both were created in the same second (the reference's anchoring).
    const reversed = hitIds(await search(mcp, { searchTerm: 'platypus', sortDirection: 'asc', cursor: paged['backwardsCursor'] }));
    expect(reversed.at(-1)).toBe(second['id']);
    expect(reversed.length).toBeLessThanOrEqual(2);

    await request(mcp, 'thread/name/set', { threadId: first['id'], name: 'Zoology notes' });
    expect((await search(mcp, { searchTerm: 'zoology' }))['data']).toEqual([expect.objectContaining({ snippet: 'Zoology notes' })]);

    await request(mcp, 'thread/archive', { threadId: first['id'] });
    await mcp.readStreamUntilNotificationMessage('thread/archived');
    expect(hitIds(await search(mcp, { searchTerm: 'platypus' }))).toEqual([second['id']]);
    expect(hitIds(await search(mcp, { searchTerm: 'platypus', archived: true }))).toEqual([first['id']]);
    await request(mcp, 'thread/unarchive', { threadId: first['id'] });
    expect(hitIds(await search(mcp, { searchTerm: 'platypus' }))).toEqual([second['id'], first['id']]);

    const occurrences = await request(mcp, 'thread/searchOccurrences', { threadId: second['id'], searchTerm: 'Platypus', limit: 1 });
    expect(occurrences['data']).toEqual([
      expect.objectContaining({ snippet: 'tell me about PLATYPUS habitats', snippetMatchRange: { start: 14, end: 22 } }),
    ]);
    const rest = await request(mcp, 'thread/searchOccurrences', { threadId: second['id'], searchTerm: 'Platypus', cursor: occurrences['nextCursor'] });
    expect(rest).toEqual({ data: [expect.objectContaining({ snippet: 'and one more platypus question', snippetMatchRange: { start: 13, end: 21 } })], nextCursor: null });
    // The reference's cursor forms: thread/turns/list's inclusive cursor of the turn, and a position in the rollout.
    expect(JSON.parse(rest['data'][0]['turnCursor'])).toEqual({ requestedThreadId: second['id'], rolloutOrdinal: expect.any(Number), includeAnchor: true, scope: { kind: 'turns' } });
    expect(JSON.parse(occurrences['nextCursor'])).toEqual({ threadId: second['id'], searchTerm: 'Platypus', nextRolloutOrdinal: expect.any(Number), nextOccurrenceIndex: 0 });
  });

  test('a deleted thread is not found again', async () => {
    const { home } = await setupEnv();
    const mcp = await experimentalServer(home);
    const kept = await startThread(mcp);
    await runTurn(mcp, kept['id'], 'the wombat stays');
    const gone = await startThread(mcp);
    await runTurn(mcp, gone['id'], 'the wombat leaves');
    expect(hitIds(await search(mcp, { searchTerm: 'wombat' }))).toEqual([gone['id'], kept['id']]);
    await request(mcp, 'thread/delete', { threadId: gone['id'] });
    expect(hitIds(await search(mcp, { searchTerm: 'wombat' }))).toEqual([kept['id']]);
    expect(hitIds(await search(mcp, { searchTerm: 'leaves' }))).toEqual([]);
  });

  test('bad input is literal text or the reference error, never an FTS error', async () => {
    const { home } = await setupEnv();
    await createFakeRollout(home, '2025-01-01T10-00-00', '2025-01-01T10:00:00Z', 'say "NEAR" -minus * star');
    const mcp = await experimentalServer(home);
    for (const term of ['"', '"near"', 'NEAR', '-minus', '*', 'x'.repeat(10_240), '\uD800', 'a OR b', '(']) {
      const result = await search(mcp, { searchTerm: term });
      expect(result).toHaveProperty('data');
    }
    expect(hitIds(await search(mcp, { searchTerm: '"near" -minus *' }))).toHaveLength(1);
    expect(await requestError(mcp, 'thread/search', { searchTerm: '  ' })).toEqual({ code: -32600, message: 'thread/search requires a non-empty searchTerm' });
    expect(await requestError(mcp, 'thread/search', { searchTerm: 'a', cursor: 'garbage' })).toEqual({ code: -32600, message: 'invalid cursor: garbage' });
  });

  test('without a usable state DB the rollouts are scanned, with the same answer', async () => {
    const { home } = await setupEnv();
    const a = await createFakeRollout(home, '2025-01-01T10-00-00', '2025-01-01T10:00:00Z', 'hello needle world');
    const b = await createFakeRollout(home, '2025-01-02T10-00-00', '2025-01-02T10:00:00Z', 'Another Needle here');
    const withDb = await experimentalServer(home);
    const indexed = await search(withDb, { searchTerm: 'NEEDLE' });
    await withDb.close();
    writeFileSync(path.join(home, 'state_5.sqlite'), 'not a database');
    const noDb = await experimentalServer(home);
    const scanned = await search(noDb, { searchTerm: 'NEEDLE' });
    expect(hitIds(scanned)).toEqual([b, a]);
    expect(scanned['data'].map((r: Json) => r['snippet'])).toEqual(indexed['data'].map((r: Json) => r['snippet']));
    expect(scanned['nextCursor']).toBe(indexed['nextCursor']);
    expect(scanned['backwardsCursor']).toBe('2025-01-02T09:59:59.999Z');
  });
});
