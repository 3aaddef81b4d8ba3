import type Database from 'better-sqlite3';

/** The part of a better-sqlite3 statement this server calls. */
export type Prepared<BindParameters extends unknown[] | {} = unknown[], Result = unknown> = Pick<Database.Statement<BindParameters, Result>, 'run' | 'get' | 'all' | 'iterate'>;

/**
 * A statement prepared on its first call instead of when the handle opens. Preparing the ≈ 60 statements of the
 * state DB's tables cost every process ≈ 2–5 ms before it could answer `initialize` (eight processes started at
 * once share two cores), most of them for requests that process may never serve. What the statements read and
 * write is checked at open all the same: `ensureSchema` (and the history and search schema checks) refuse a
 * database lacking a column they use. Prepared once, then every call reuses it.
 */
export function prepareOnUse<BindParameters extends unknown[] | {} = unknown[], Result = unknown>(
  db: Database.Database,
  sql: string,
  /** `raw`: rows as arrays of column values (better-sqlite3's `raw(true)`), cheaper than objects. */
  options: { raw?: boolean } = {},
): Prepared<BindParameters, Result> {
  // Untyped inside: the parameter types are the caller's (`Prepared<…>`), checked where it is called.
  let statement: Untyped | undefined;
  const prepare = (): Untyped => {
    const made = db.prepare(sql);
    return (options.raw ? made.raw(true) : made) as unknown as Untyped;
  };
  const prepared = (): Untyped => (statement ??= prepare());
  return {
    run: (...params: unknown[]) => prepared().run(...params),
    get: (...params: unknown[]) => prepared().get(...params),
    all: (...params: unknown[]) => prepared().all(...params),
    iterate: (...params: unknown[]) => prepared().iterate(...params),
  } as unknown as Prepared<BindParameters, Result>;
}

interface Untyped {
  run(...params: unknown[]): Database.RunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
}
