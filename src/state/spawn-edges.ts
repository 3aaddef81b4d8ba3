import type Database from 'better-sqlite3';
import { prepareOnUse, type Prepared } from './prepared.js';

/** `thread_spawn_edges.status`, as the reference writes it. */
export type SpawnEdgeStatus = 'open' | 'closed';

/**
 * `thread_spawn_edges`: one row per sub-agent thread (the child is the key) naming its parent.
 * Edges are never removed here; archive walks them whatever their status (SPEC §9.3).
 */
export class SpawnEdges {
  private readonly upsert: Prepared<[string, string, string]>;
  private readonly insertIfAbsent: Prepared<[string, string, string]>;
  private readonly selectChildren: Prepared<[string], { child_thread_id: string }>;

  constructor(db: Database.Database) {
    this.upsert = prepareOnUse(db, `
      INSERT INTO thread_spawn_edges (parent_thread_id, child_thread_id, status) VALUES (?, ?, ?)
      ON CONFLICT(child_thread_id) DO UPDATE SET parent_thread_id = excluded.parent_thread_id, status = excluded.status`);
    this.insertIfAbsent = prepareOnUse(db, `
      INSERT INTO thread_spawn_edges (parent_thread_id, child_thread_id, status) VALUES (?, ?, ?)
      ON CONFLICT(child_thread_id) DO NOTHING`);
    this.selectChildren = prepareOnUse(db, 
      'SELECT child_thread_id FROM thread_spawn_edges WHERE parent_thread_id = ? ORDER BY child_thread_id ASC',
    );
  }

  upsertEdge(parentId: string, childId: string, status: SpawnEdgeStatus): void {
    this.upsert.run(parentId, childId, status);
  }

  /** Backfill: record the edge a sub-agent's `session_meta` implies without reopening a closed one. */
  ensureEdge(parentId: string, childId: string, status: SpawnEdgeStatus): void {
    this.insertIfAbsent.run(parentId, childId, status);
  }

  /** Direct children of `parentId` (any status), ids ascending. */
  children(parentId: string): string[] {
    return this.selectChildren.all(parentId).map((row) => row.child_thread_id);
  }

  /**
   * Every thread reachable from `parentId` (any status), breadth-first: all of depth 1, then depth 2, …,
   * ids ascending within a depth (SPEC §9.3). Each thread appears once; cycles and the root are ignored.
   */
  descendants(parentId: string): string[] {
    const seen = new Set<string>([parentId]);
    const result: string[] = [];
    let level = [parentId];
    while (level.length > 0) {
      const next: string[] = [];
      for (const id of level) {
        for (const child of this.children(id)) {
          if (seen.has(child)) continue;
          seen.add(child);
          next.push(child);
        }
      }
      next.sort(compareIds);
      result.push(...next);
      level = next;
    }
    return result;
  }
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
