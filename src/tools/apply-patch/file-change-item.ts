/**
 * The `fileChange` item of a patch, on the wire (v2 ThreadItem) and in the rollout (the `item_completed` line's
 * `FileChange` item), and the wire item rebuilt from that line for `thread/read`, resume and fork.
 *
 * Wire (0.169): `{"type":"fileChange","id":<call id>,"changes":[{"path","kind":{"type":"add"|"delete"|"update",
 * "move_path"?},"diff"}],"status","startedAtMs","completedAtMs"}`, changes sorted by path, one per path (a later
 * hunk on the same path wins); `diff` is the added/deleted text, or the update's context-1 unified diff followed by
 * `\n\nMoved to: <dest>` for a move.
 * Rollout: `{"type":"FileChange","id","changes":{<path>:{"type":"add","content"}|{"type":"delete","content"}|
 * {"type":"update","unified_diff","move_path"}},"status","stdout","stderr"}`.
 */
import { isRecord as isObject, type JsonObject } from '../../support/json-values.js';
import type { FileChange, PatchAction } from './verify.js';

export type PatchStatus = 'inProgress' | 'completed' | 'failed' | 'declined';

interface WireChange {
  path: string;
  kind: { type: 'add' } | { type: 'delete' } | { type: 'update'; move_path: string | null };
  diff: string;
}

/** Byte order, as Rust sorts paths. */
const byPath = (a: { path: string }, b: { path: string }): number => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path));

function lastPerPath<T extends { path: string }>(changes: readonly T[]): T[] {
  const map = new Map<string, T>();
  for (const c of changes) map.set(c.path, c);
  return [...map.values()];
}

function wireChange(c: FileChange): WireChange {
  if (c.kind === 'add') return { path: c.path, kind: { type: 'add' }, diff: c.content };
  if (c.kind === 'delete') return { path: c.path, kind: { type: 'delete' }, diff: c.content };
  return { path: c.path, kind: { type: 'update', move_path: c.movePath }, diff: updateDiff(c.unifiedDiff, c.movePath) };
}

function updateDiff(unified: string, movePath: string | null): string {
  return movePath === null ? unified : `${unified}\n\nMoved to: ${movePath}`;
}

/** The wire `fileChange` item. `completedAtMs` is null while in progress. */
export function fileChangeItem(id: string, action: PatchAction, status: PatchStatus, startedAtMs: number, completedAtMs: number | null): JsonObject {
  const changes = lastPerPath(action.changes).map(wireChange).sort(byPath);
  return { type: 'fileChange', id, changes: changes, status, startedAtMs, completedAtMs };
}

/** The rollout `item_completed` payload of a finished patch (an `event_msg` payload). */
export function fileChangeCompletedPayload(
  ids: { threadId: string; turnId: string; itemId: string },
  action: PatchAction,
  status: Exclude<PatchStatus, 'inProgress'>,
  output: { stdout: string; stderr: string },
  startedAtMs: number,
  completedAtMs: number,
): JsonObject {
  const changes: JsonObject = {};
  for (const c of lastPerPath(action.changes)) {
    changes[c.path] =
      c.kind === 'update'
        ? { type: 'update', unified_diff: c.unifiedDiff, move_path: c.movePath }
        : { type: c.kind, content: c.content };
  }
  return {
    type: 'item_completed',
    thread_id: ids.threadId,
    turn_id: ids.turnId,
    item: { type: 'FileChange', id: ids.itemId, changes, status, stdout: output.stdout, stderr: output.stderr },
    started_at_ms: startedAtMs,
    completed_at_ms: completedAtMs,
  };
}

const STATUSES = new Set(['inProgress', 'completed', 'failed', 'declined']);

/**
 * The wire item of an `item_completed` event payload whose item is a `FileChange` (ours or the reference's), or
 * null when the payload is something else or malformed. `startedAtMs`/`completedAtMs` come from the line's
 * `started_at_ms`/`completed_at_ms` (null when absent).
 */
export function fileChangeItemFromRollout(payload: JsonObject): JsonObject | null {
  const item = payload['item'];
  if (payload['type'] !== 'item_completed' || !isObject(item) || item['type'] !== 'FileChange') return null;
  if (typeof item['id'] !== 'string' || !isObject(item['changes'])) return null;
  const status = typeof item['status'] === 'string' && STATUSES.has(item['status']) ? item['status'] : 'completed';
  const changes: WireChange[] = [];
  for (const [path, raw] of Object.entries(item['changes'])) {
    if (!isObject(raw)) return null;
    const str = (k: string): string => (typeof raw[k] === 'string' ? (raw[k] as string) : '');
    if (raw['type'] === 'add') changes.push({ path, kind: { type: 'add' }, diff: str('content') });
    else if (raw['type'] === 'delete') changes.push({ path, kind: { type: 'delete' }, diff: str('content') });
    else if (raw['type'] === 'update') {
      const movePath = typeof raw['move_path'] === 'string' ? raw['move_path'] : null;
      changes.push({ path, kind: { type: 'update', move_path: movePath }, diff: updateDiff(str('unified_diff'), movePath) });
    } else return null;
  }
  const ms = (k: string): number | null => (typeof payload[k] === 'number' ? (payload[k] as number) : null);
  return {
    type: 'fileChange',
    id: item['id'],
    changes: changes.sort(byPath),
    status,
    startedAtMs: ms('started_at_ms'),
    completedAtMs: ms('completed_at_ms'),
  };
}
