import type Database from 'better-sqlite3';

/**
 * One INSERT (or upsert) of many rows with values bound by position: `INSERT … VALUES (…), (…), … [tail]`.
 * Rows go in statements of `chunkRows` rows, the rest one by one, so only two statements are ever prepared. A
 * statement per row costs SQLite a statement set-up each (triggers included); a statement per chunk does not.
 */
export class MultiRowInsert {
  /** Prepared on first use: most processes never run a multi-row write, and start-up should not parse one. */
  private chunk: Database.Statement<unknown[]> | null = null;
  private single: Database.Statement<unknown[]> | null = null;
  private readonly paramsPerRow: number;

  /**
   * @param head `INSERT INTO table (columns)`
   * @param tuple one row's values, `?` for each bound parameter (literals allowed), e.g. `(?, ?, 0)`
   * @param tail what follows the values (`ON CONFLICT …`), or ''
   */
  constructor(
    private readonly db: Database.Database,
    private readonly head: string,
    private readonly tuple: string,
    private readonly tail: string,
    private readonly chunkRows: number,
  ) {
    this.paramsPerRow = (tuple.match(/\?/g) ?? []).length;
  }

  /** Inserts the rows whose parameters `values` holds, row after row (`paramsPerRow` each), in order. */
  run(values: readonly unknown[]): void {
    const perChunk = this.paramsPerRow * this.chunkRows;
    let at = 0;
    for (; at + perChunk <= values.length; at += perChunk) {
      this.chunk ??= this.prepare(this.chunkRows);
      this.chunk.run(values.slice(at, at + perChunk));
    }
    for (; at < values.length; at += this.paramsPerRow) {
      this.single ??= this.prepare(1);
      this.single.run(values.slice(at, at + this.paramsPerRow));
    }
  }

  private prepare(rows: number): Database.Statement<unknown[]> {
    return this.db.prepare(`${this.head} VALUES ${Array.from({ length: rows }, () => this.tuple).join(', ')} ${this.tail}`);
  }
}
