import { type FileMatch, fuzzyFileSearch, searchEntries, WalkCache } from './file-search.js';

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
}

/**
 * `fuzzyFileSearch/sessionStart|Update|Stop`: a picker's session answers each query (over kept walks) with
 * a `sessionUpdated` snapshot (the best matches, replacing the previous list) and `sessionCompleted`. One instance
 * per server; sessions are keyed by the client's id, a new start with the same id replacing the old session.
 */
export class FileSearchSessions {
  private readonly sessions = new Map<string, Session>();
  /** Walks kept between searches, shared by one-shot searches and sessions. */
  private readonly walks = new WalkCache();

  /** `fuzzyFileSearch`: a one-shot search (kept walks reused while still valid). */
  search(query: string, roots: readonly string[]): FileMatch[] {
    return fuzzyFileSearch(query, roots, this.walks);
  }

  start(sessionId: string, roots: readonly string[]): void {
    if (sessionId === '') throw new FileSearchSessionError('invalid', 'sessionId must not be empty');
    if (roots.length === 0) throw new FileSearchSessionError('internal', 'failed to start fuzzy file search session: at least one search directory is required');
    this.sessions.set(sessionId, { roots: [...roots] });
  }

  /** Checks the session and returns the snapshot to send once the `{}` answer is out. */
  update(sessionId: string, query: string): () => FileMatch[] {
    const session = this.sessions.get(sessionId);
    if (!session) throw new FileSearchSessionError('invalid', `fuzzy file search session not found: ${sessionId}`);
    return () => {
      if (query === '') return [];
      return searchEntries(query, session.roots.map((root) => ({ root, entries: this.walks.entries(root) })));
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
