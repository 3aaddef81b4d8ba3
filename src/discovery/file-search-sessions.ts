import { type FileMatch, searchEntries, walkRoot, type WalkedEntry } from './file-search.js';

/** Why a session request was refused: `invalid` is the reference's -32600, `internal` its -32603. */
export class FileSearchSessionError extends Error {
  constructor(
    readonly kind: 'invalid' | 'internal',
    message: string,
  ) {
    super(message);
    this.name = 'FileSearchSessionError';
  }
}

interface Session {
  roots: readonly string[];
  /** The roots walked once, at the first query: later queries of the session only match. */
  entries: { root: string; entries: readonly WalkedEntry[] }[] | null;
}

/**
 * `fuzzyFileSearch/sessionStart|Update|Stop`: a picker's session walks its roots once and answers each query with
 * a `sessionUpdated` snapshot (the best matches, replacing the previous list) and `sessionCompleted`. One instance
 * per server; sessions are keyed by the client's id, a new start with the same id replacing the old session.
 */
export class FileSearchSessions {
  private readonly sessions = new Map<string, Session>();

  start(sessionId: string, roots: readonly string[]): void {
    if (sessionId === '') throw new FileSearchSessionError('invalid', 'sessionId must not be empty');
    if (roots.length === 0) throw new FileSearchSessionError('internal', 'failed to start fuzzy file search session: at least one search directory is required');
    this.sessions.set(sessionId, { roots: [...roots], entries: null });
  }

  /** Checks the session and returns the snapshot to send once the `{}` answer is out. */
  update(sessionId: string, query: string): () => FileMatch[] {
    const session = this.sessions.get(sessionId);
    if (!session) throw new FileSearchSessionError('invalid', `fuzzy file search session not found: ${sessionId}`);
    return () => {
      if (query === '') return [];
      session.entries ??= session.roots.map((root) => ({ root, entries: walkRoot(root) }));
      return searchEntries(query, session.entries);
    };
  }

  /** True when the session still exists (a stopped one sends nothing more). */
  has(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  stop(sessionId: string): void {
    this.sessions.delete(sessionId);
  }
}
