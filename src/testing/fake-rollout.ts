import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';

/** Extra knobs of {@link createFakeRollout}. */
export interface FakeRolloutOptions {
  /** `session_meta.source`; default `"cli"` (the Rust helper's `SessionSource::Cli`). */
  source?: string | Record<string, unknown>;
  /** Thread id; default a UUIDv7 whose time is `metaTs`. */
  id?: string;
  /** Write into `archived_sessions/` (flat) instead of `sessions/YYYY/MM/DD/`. */
  archived?: boolean;
  /** `session_meta.cwd`; default `/`. */
  cwd?: string;
  /** `session_meta.git`, omitted by default. */
  git?: Record<string, unknown>;
}

const FILE_TS = /^(\d{4})-(\d{2})-(\d{2})T\d{2}-\d{2}-\d{2}$/;

function parts(fileTs: string): [string, string, string] {
  const m = FILE_TS.exec(fileTs);
  if (!m) throw new Error(`file timestamp must look like 2025-01-01T00-00-00, got ${fileTs}`);
  return [m[1]!, m[2]!, m[3]!];
}

/** `<home>/sessions/YYYY/MM/DD/rollout-<fileTs>-<id>.jsonl` (the Rust `rollout_path`). */
export function rolloutPath(codexHome: string, fileTs: string, id: string): string {
  const [y, m, d] = parts(fileTs);
  return join(codexHome, 'sessions', y, m, d, `rollout-${fileTs}-${id}.jsonl`);
}

/** `<home>/archived_sessions/rollout-<fileTs>-<id>.jsonl`. */
export function archivedRolloutPath(codexHome: string, fileTs: string, id: string): string {
  parts(fileTs);
  return join(codexHome, 'archived_sessions', `rollout-${fileTs}-${id}.jsonl`);
}

/**
 * Writes a minimal rollout the way the reference's Rust test helper `create_fake_rollout` does
 * (codex-rs/app-server/tests/common/rollout.rs): three lines, all stamped `metaTs` and without
 * `ordinal` — `session_meta` (originator `codex`, cli_version `0.0.0`, cwd `/`), a user
 * `response_item` message with `preview`, and an `event_msg` `user_message {message, kind:"plain"}` —
 * then sets the file's mtime to `metaTs`. Returns the thread id.
 */
export async function createFakeRollout(
  codexHome: string,
  fileTs: string,
  metaTs: string,
  preview: string,
  modelProvider?: string,
  opts: FakeRolloutOptions = {},
): Promise<string> {
  const metaMs = Date.parse(metaTs);
  if (Number.isNaN(metaMs)) throw new Error(`meta timestamp must be RFC 3339, got ${metaTs}`);
  const id = opts.id ?? uuidv7({ msecs: metaMs });
  const path = opts.archived ? archivedRolloutPath(codexHome, fileTs, id) : rolloutPath(codexHome, fileTs, id);

  const meta: Record<string, unknown> = {
    session_id: id,
    id,
    timestamp: metaTs,
    cwd: opts.cwd ?? '/',
    originator: 'codex',
    cli_version: '0.0.0',
    source: opts.source ?? 'cli',
  };
  if (modelProvider !== undefined) meta.model_provider = modelProvider;
  if (opts.git !== undefined) meta.git = opts.git;

  const lines = [
    { timestamp: metaTs, type: 'session_meta', payload: meta },
    {
      timestamp: metaTs,
      type: 'response_item',
      payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: preview }] },
    },
    { timestamp: metaTs, type: 'event_msg', payload: { type: 'user_message', message: preview, kind: 'plain' } },
  ];
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  const mtime = new Date(metaMs);
  await utimes(path, new Date(), mtime);
  return id;
}
