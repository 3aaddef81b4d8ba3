import { parseThreadId } from '../support/thread-id.js';

export type ThreadErrorKind =
  | 'invalid-id'
  | 'no-rollout'
  | 'not-loaded'
  | 'thread-not-found'
  | 'active-writer'
  | 'no-active-turn'
  | 'invalid-request'
  | 'list-turns-unsupported'
  | 'invalid-cursor'
  /** A service the reference would reach over the network (the ChatGPT backend), which this server never contacts. */
  | 'unavailable';

/** Domain failures of the thread layer; `server/errors.ts` maps each kind to a JSON-RPC error. */
export class ThreadError extends Error {
  constructor(readonly kind: ThreadErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ThreadError';
  }
}

/**
 * The canonical id, or a ThreadError with the reference's text. Reference behaviour: archive/resume/fork say
 * `invalid session id: …`, read/name/unsubscribe say `invalid thread id: …` (SPEC §1).
 */
export function requireThreadId(raw: string, label: 'session' | 'thread'): string {
  const parsed = parseThreadId(raw);
  if (!parsed.ok) throw new ThreadError('invalid-id', `invalid ${label} id: ${parsed.reason}`);
  return parsed.id;
}
