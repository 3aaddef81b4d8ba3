/**
 * Issue 18 rows: `thread/search` latency on an n-rollout home (ours: the FTS5 index in state_5.sqlite; the
 * reference: its own search, which matches titles and the messages of threads in its history projection), and
 * the rollout backfill with and without our search index (ours only, in-process on the built `dist/`).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { copyTemplate } from './homes.mjs';
import { startServer } from './servers.mjs';

const CLIENT_INFO = { name: 'bench_client', title: 'Bench client', version: '0.0.1' };
const SETTLE_MS = 3000;

/**
 * The measured searches, in request order. Titles are `Bench thread <i>: <topic> module_<i % 37>.ts`; later turns
 * of a thread say `Bench thread <i> (follow-up <k>): …` (see homes.mjs), the reference's answers are `Done`.
 */
export function searchTerms(n) {
  const rare = Math.min(n - 1, 12_345);
  return [
    // First search after start: ours checks the index against `threads` here (nothing to catch up after our backfill).
    { key: 'searchFirst', term: 'module_5.ts', label: 'first request right after the start that follows the first (backfill) start, a title term in 1 of 37 threads' },
    { key: 'searchTitle', term: 'module_13.ts', label: '3 s later (steady state): a title term in 1 of 37 threads (page of 25)' },
    { key: 'searchRare', term: `Bench thread ${rare}:`, label: 'a title term in 1 thread' },
    { key: 'searchBody', term: 'follow-up 5', label: 'a term only in later user messages (the reference finds none on a backfilled home)' },
    { key: 'searchMiss', term: 'no such needle', label: 'a term in no thread (every thread ruled out)' },
    { key: 'searchShort', term: 'zq', label: 'a 2-character term in no thread (no trigram: every thread checked)' },
  ];
}

/** Metric rows of these phases for the report. */
export function searchCatalogue(n) {
  const N = n.toLocaleString('en-US');
  return [
    ...searchTerms(n).map((t) => ({ key: `${t.key}${n}`, label: `\`thread/search\` on ${N} rollouts: ${t.label}, \`${t.term}\``, unit: 'ms' })),
    { key: `backfillIndexed${n}`, label: `backfill of ${N} rollouts with the search index (in-process \`openStateDb\`, ours only)`, unit: 'ms' },
    { key: `backfillPlain${n}`, label: `backfill of ${N} rollouts without the search index (\`searchIndex: false\`, ours only)`, unit: 'ms' },
  ];
}

/**
 * A copy of the template: first start (backfill) → exit; second start with `experimentalApi` → the searches of
 * {@link searchTerms}, each timed from request to response, the hit count checked.
 */
export async function searchSession(kit, impl, ctx, template, rec, note) {
  const n = template.manifest.count;
  const home = path.join(ctx.runRoot, `search-${n}-${impl.name}`);
  copyTemplate(template, home);
  await kit.createConfigToml(home, ctx.mock.uri, { features: { plugins: false } });
  await sleep(100);
  const readTimeoutMs = 300_000;
  for (const pass of ['backfill', 'search']) {
    const mcp = await startServer(kit, impl, home, ctx, readTimeoutMs);
    await mcp.readStreamUntilResponseMessage(await mcp.sendRequest('initialize', { clientInfo: CLIENT_INFO, capabilities: { experimentalApi: true } }));
    await mcp.sendNotification('initialized');
    if (pass === 'search') {
      for (const [index, { key, term }] of searchTerms(n).entries()) {
        // After the first search, both servers get time to settle (ours tokenises the texts its backfill stored,
        // in the background): the later rows are the steady state.
        if (index === 1) await sleep(SETTLE_MS);
        const t0 = performance.now();
        const answer = await mcp.readStreamUntilResponseMessage(await mcp.sendRequest('thread/search', { searchTerm: term }), { timeoutMs: readTimeoutMs });
        rec(`${key}${n}`, performance.now() - t0);
        const hits = answer.result?.data?.length;
        if (hits === undefined) note(`${key}: no result (${JSON.stringify(answer.error ?? answer).slice(0, 200)})`);
        else if ((key === 'searchMiss' || key === 'searchShort') && hits !== 0) note(`${key}: ${hits} hits, expected none`);
        else if (key === 'searchRare' && hits !== 1) note(`${key}: ${hits} hits, expected 1`);
        else if (key === 'searchTitle' && hits !== 25) note(`${key}: ${hits} hits, expected a full page of 25`);
      }
    }
    await mcp.closeStdin();
    const status = await mcp.waitForExit({ timeoutMs: 10_000 }).catch(() => null);
    if (status === null) {
      mcp.kill('SIGKILL');
      await mcp.close();
      note(`${pass}: did not exit within 10 s of stdin EOF (killed)`);
    }
  }
  rmSync(home, { recursive: true, force: true });
}

/**
 * Our backfill of a fresh copy, in this process, with and without the search index (alternating which goes
 * first): `openStateDb` from the built `dist/`, timed from call to handle.
 */
export async function backfillSession(dist, ctx, template, rec, note, iteration) {
  const n = template.manifest.count;
  const { openStateDb } = await import(pathToFileURL(path.join(dist, 'state', 'index.js')).href);
  const log = { warn: (m) => note(`backfill warning: ${String(m).slice(0, 200)}`), info: () => {}, debug: () => {}, error: (m) => note(`backfill error: ${String(m).slice(0, 200)}`), child: () => log };
  const order = iteration % 2 === 0 ? [true, false] : [false, true];
  for (const searchIndex of order) {
    const home = path.join(ctx.runRoot, `backfill-${n}-${searchIndex ? 'indexed' : 'plain'}`);
    copyTemplate(template, home);
    const t0 = performance.now();
    const db = await openStateDb(home, { clock: { nowMs: () => Date.now() }, log, searchIndex });
    const ms = performance.now() - t0;
    if (!db) note(`backfill (searchIndex ${searchIndex}) returned no handle`);
    else {
      const rows = db.backfillState();
      if (rows.status !== 'complete') note(`backfill (searchIndex ${searchIndex}) ended ${rows.status}`);
      db.close();
    }
    rec(`${searchIndex ? 'backfillIndexed' : 'backfillPlain'}${n}`, ms);
    rmSync(home, { recursive: true, force: true });
  }
}
