/**
 * Issue 18, "eight processes at once": `MULTI_START_PROCESSES` servers spawned together on one fresh copy of a
 * `MULTI_START_ROLLOUTS`-rollout home without a database. One of them wins the backfill claim and runs it; the
 * others wait for `backfill_state = complete` before answering `initialize`.
 *
 * Per implementation and iteration: every process is spawned back to back with its `initialize` request written
 * at once; recorded are the time from the first spawn to the last `initialize` answer (the row with the absolute
 * target), each process's own spawn → answer, and the spread between the first and the last answer (how long
 * the waiters trail the winner). Afterwards every process gets stdin EOF, and the DB must hold every rollout
 * exactly once with the backfill complete; stderr must not mention a locked or busy database.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { copyTemplate } from './homes.mjs';
import { REPO, startServer } from './servers.mjs';

export const MULTI_START_PROCESSES = 8;
export const MULTI_START_ROLLOUTS = 500;
/** Issue 18's bound on the last `initialize` answer (absolute, not a ratio to the reference). */
export const MULTI_START_TARGET_MS = 500;

const CLIENT_INFO = { name: 'bench_client', title: 'Bench client', version: '0.0.1' };
const READ_TIMEOUT_MS = 60_000;
const requireFromRepo = createRequire(path.join(REPO, 'package.json'));

/** Metric rows of this phase for the report (`maxMs`: an absolute bound on our median). */
export function multiStartCatalogue() {
  const P = MULTI_START_PROCESSES;
  const N = MULTI_START_ROLLOUTS.toLocaleString('en-US');
  return [
    { key: 'multiStartLast', label: `${P} processes started at once on ${N} rollouts without a DB: first spawn → last \`initialize\` answer`, unit: 'ms', maxMs: MULTI_START_TARGET_MS },
    { key: 'multiStartEach', label: `… each process's own spawn → \`initialize\` answer (n = ${P} × iterations)`, unit: 'ms' },
    { key: 'multiStartSpread', label: '… first → last `initialize` answer (how long the waiters trail the first answer)', unit: 'ms' },
  ];
}

/** One iteration for one implementation. */
export async function multiStartSession(kit, impl, ctx, template, rec, note) {
  const n = template.manifest.count;
  const home = path.join(ctx.runRoot, `multi-${n}-${impl.name}`);
  copyTemplate(template, home);
  await kit.createConfigToml(home, ctx.mock.uri, { features: { plugins: false } });
  await sleep(100);

  const t0 = performance.now();
  const starts = [];
  for (let i = 0; i < MULTI_START_PROCESSES; i += 1) {
    const spawnedAt = performance.now();
    const mcp = await startServer(kit, impl, home, ctx, READ_TIMEOUT_MS);
    const id = await mcp.sendRequest('initialize', { clientInfo: CLIENT_INFO });
    starts.push({ mcp, spawnedAt, id });
  }
  const answers = await Promise.all(
    starts.map(async ({ mcp, spawnedAt, id }) => {
      const answer = await mcp.readStreamUntilResponseMessage(id, { timeoutMs: READ_TIMEOUT_MS }).catch((error) => ({ error: { message: error.message } }));
      return { at: performance.now(), spawnedAt, answer };
    }),
  );
  const last = Math.max(...answers.map((a) => a.at));
  const first = Math.min(...answers.map((a) => a.at));
  rec('multiStartLast', last - t0);
  rec('multiStartSpread', last - first);
  for (const a of answers) {
    rec('multiStartEach', a.at - a.spawnedAt);
    if (!a.answer.result) note(`initialize failed: ${JSON.stringify(a.answer.error ?? a.answer).slice(0, 200)}`);
  }

  await Promise.all(
    starts.map(async ({ mcp }) => {
      await mcp.closeStdin();
      const status = await mcp.waitForExit({ timeoutMs: 10_000 }).catch(() => null);
      if (status === null) {
        note('a process did not exit within 10 s of stdin EOF (killed)');
        mcp.kill('SIGKILL');
        await mcp.close();
      }
    }),
  );
  const locked = starts.map(({ mcp }) => mcp.stderr()).join('\n').match(/database is (locked|busy)[^\n]*/i);
  if (locked) note(`stderr: ${locked[0].slice(0, 200)}`);
  checkRows(home, template.manifest.threads.map((t) => t.id), note);
  rmSync(home, { recursive: true, force: true });
}

/** Every rollout is in `threads` exactly once and the backfill is complete. */
function checkRows(home, ids, note) {
  try {
    const Database = requireFromRepo('better-sqlite3');
    const db = new Database(path.join(home, 'state_5.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare('SELECT id, rollout_path FROM threads').all();
      const state = db.prepare('SELECT status FROM backfill_state WHERE id = 1').get();
      const want = new Set(ids);
      const seen = new Set(rows.map((r) => r.id));
      const paths = new Set(rows.map((r) => r.rollout_path));
      const missing = ids.filter((id) => !seen.has(id)).length;
      const extra = rows.filter((r) => !want.has(r.id)).length;
      if (rows.length !== ids.length || missing || extra || paths.size !== rows.length || state?.status !== 'complete') {
        note(`DB after the start: ${rows.length} thread rows (${missing} missing, ${extra} unknown, ${paths.size} distinct paths; expected ${ids.length}), backfill ${state?.status}`);
      }
    } finally {
      db.close();
    }
  } catch (error) {
    note(`could not inspect state_5.sqlite: ${error.message}`);
  }
}
