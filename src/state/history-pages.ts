import type Database from 'better-sqlite3';

/** One `thread_turns` row as the pages need it. */
export interface TurnRow {
  turnId: string;
  ordinal: number;
  status: string;
  errorJson: string | null;
  startedAt: number | null;
  completedAt: number | null;
  durationMs: number | null;
  firstUserItemId: string | null;
  finalAgentItemId: string | null;
  rootTurnId: string | null;
}

/** One `thread_items` row as the pages need it. */
export interface ItemRow {
  turnId: string;
  itemId: string;
  ordinal: number;
  itemJson: string;
  startedAtMs: number | null;
  completedAtMs: number | null;
}

/** Where a page starts: an anchor ordinal (included or not), a direction and a size. */
export interface PageRequest {
  anchor: number | null;
  includeAnchor: boolean;
  direction: 'asc' | 'desc';
  limit: number;
}

/**
 * Pages of the paginated-history projection (`thread_history_1.sqlite`), ordered by rollout ordinal as the
 * reference pages them. Reads one more row than asked so the caller knows whether another page follows.
 */
export class HistoryPages {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly schema: string,
  ) {}

  /** Up to `limit + 1` turns of the thread from the anchor. */
  turns(threadId: string, page: PageRequest): TurnRow[] {
    const sql = `SELECT turn_id AS turnId, rollout_ordinal AS ordinal, status, error_json AS errorJson, started_at AS startedAt,
        completed_at AS completedAt, duration_ms AS durationMs, first_user_item_id AS firstUserItemId,
        final_agent_item_id AS finalAgentItemId, root_turn_id AS rootTurnId
      FROM ${this.schema}.thread_turns WHERE thread_id = @threadId ${anchorClause(page)}
      ORDER BY rollout_ordinal ${page.direction === 'asc' ? 'ASC' : 'DESC'} LIMIT @limit + 0`;
    return this.statement(sql).all({ threadId, anchor: page.anchor ?? 0, limit: page.limit + 1 }) as TurnRow[];
  }

  /** Up to `limit + 1` items of the thread (or of one turn) from the anchor. */
  items(threadId: string, turnId: string | null, page: PageRequest): ItemRow[] {
    const sql = `SELECT turn_id AS turnId, item_id AS itemId, rollout_ordinal AS ordinal, item_json AS itemJson,
        started_at_ms AS startedAtMs, completed_at_ms AS completedAtMs
      FROM ${this.schema}.thread_items WHERE thread_id = @threadId ${turnId === null ? '' : 'AND turn_id = @turnId'} ${anchorClause(page)}
      ORDER BY rollout_ordinal ${page.direction === 'asc' ? 'ASC' : 'DESC'} LIMIT @limit + 0`;
    const params: Record<string, unknown> = { threadId, anchor: page.anchor ?? 0, limit: page.limit + 1 };
    if (turnId !== null) params['turnId'] = turnId;
    return this.statement(sql).all(params) as ItemRow[];
  }

  /** Every item of one turn, in rollout order (a turn's `full` view and its summary). */
  turnItems(threadId: string, turnId: string): ItemRow[] {
    return this.items(threadId, turnId, { anchor: null, includeAnchor: true, direction: 'asc', limit: Number.MAX_SAFE_INTEGER - 1 });
  }

  /** The ordinals of the thread's last turn and last item, or null when it has none projected. */
  lastOrdinals(threadId: string): { turn: number | null; item: number | null } {
    const turn = this.statement(`SELECT max(rollout_ordinal) AS o FROM ${this.schema}.thread_turns WHERE thread_id = ?`).get(threadId) as { o: number | null };
    const item = this.statement(`SELECT max(rollout_ordinal) AS o FROM ${this.schema}.thread_items WHERE thread_id = ?`).get(threadId) as { o: number | null };
    return { turn: turn.o, item: item.o };
  }

  /** True when the thread has a projection checkpoint (it was projected, possibly with no turn yet). */
  isProjected(threadId: string): boolean {
    return this.statement(`SELECT 1 FROM ${this.schema}.thread_history_projection_state WHERE thread_id = ?`).get(threadId) !== undefined;
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

function anchorClause(page: PageRequest): string {
  if (page.anchor === null) return '';
  const op = page.direction === 'asc' ? (page.includeAnchor ? '>=' : '>') : page.includeAnchor ? '<=' : '<';
  return `AND rollout_ordinal ${op} @anchor`;
}
