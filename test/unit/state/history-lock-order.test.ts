/**
 * The history projection's write transaction on the state connection (`thread_history_1.sqlite` attached to
 * `state_5.sqlite`) must take the attached file's write lock at BEGIN, waiting on the busy timeout, rather than
 * read it first and upgrade: in WAL mode the upgrade fails at once with "database is locked" while another
 * process holds that file's write lock (seen in the 8-process concurrency test on a busy machine).
 *
 * A second OS process holds `thread_history_1.sqlite`'s write lock and releases it only once it sees our
 * transaction holding `state_5.sqlite`'s (that is: once we are inside our BEGIN, waiting for its lock). The
 * order is forced by the locks themselves, not by timing.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { expect, onTestFinished, test } from 'vitest';
import { openStateDb, STATE_DB_FILE, THREAD_HISTORY_DB_FILE } from '../../../src/state/index.js';
import { systemClock } from '../../../src/support/clock.js';
import { makeTempHome, recordingLogger } from './helpers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The other process: takes the history write lock, says so, holds it until our state write lock shows (or 20 s). */
const HOLDER = `
const Database = require('better-sqlite3');
const home = process.argv[1];
const history = new Database(home + '/${THREAD_HISTORY_DB_FILE}', { timeout: 5000 });
const state = new Database(home + '/${STATE_DB_FILE}', { timeout: 0 });
history.exec('BEGIN IMMEDIATE');
history.prepare("INSERT INTO thread_history_projection_state (thread_id, next_rollout_byte_offset, next_rollout_ordinal) VALUES ('held-by-other', 7, 1)").run();
process.stdout.write('locked\\n');
const stateWriteLocked = () => {
  try { state.exec('BEGIN IMMEDIATE'); state.exec('ROLLBACK'); return false; }
  catch (err) { if (err.code !== 'SQLITE_BUSY') throw err; return true; }
};
const pause = new Int32Array(new SharedArrayBuffer(4));
const deadline = Date.now() + 20000;
while (!stateWriteLocked() && Date.now() < deadline) Atomics.wait(pause, 0, 0, 2);
history.exec('COMMIT');
process.stdout.write('released\\n');
`;

test('a projection write waits for another process holding the history file write lock (no immediate "database is locked")', async () => {
  const home = makeTempHome();
  const log = recordingLogger();
  // An existing home, as most starts are: the opener that creates thread_history_1's schema re-prepares its
  // statements after the ATTACH (and so happened to lock both files); one that finds the schema does not.
  (await openStateDb(home, { clock: systemClock, log }))?.close();
  const db = await openStateDb(home, { clock: systemClock, log });
  expect(db, log.warnings.join('\n')).not.toBeNull();
  onTestFinished(() => db?.close());
  const history = db!.history!;
  expect(history).not.toBeNull();

  const child = spawn(process.execPath, ['-e', HOLDER, home], {
    env: { ...process.env, NODE_PATH: path.join(repoRoot, 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  expect((await lines.next()).value, stderr).toBe('locked');

  // Synchronous: blocks here (inside BEGIN, holding state's write lock) until the other process commits.
  const applied = history.apply('ours', { from: { offset: 0, ordinal: 0 }, to: { offset: 10, ordinal: 1 }, steps: [], replace: false });
  expect(applied).toBe(true);
  expect((await lines.next()).value, stderr).toBe('released');
  expect(await exited, stderr).toBe(0);

  expect(history.checkpoint('ours')).toEqual({ offset: 10, ordinal: 1 });
  expect(history.checkpoint('held-by-other')).toEqual({ offset: 7, ordinal: 1 });
  const check = new Database(path.join(home, THREAD_HISTORY_DB_FILE), { readonly: true });
  onTestFinished(() => void check.close());
  expect(check.prepare('SELECT count(*) AS n FROM thread_history_projection_state').get()).toEqual({ n: 2 });
});
