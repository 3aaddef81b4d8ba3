export type ThreadStoreErrorKind = 'no-rollout' | 'no-archived-rollout' | 'conflict' | 'io';

/** Failures of the rollout store; `server/errors.ts` maps kinds to JSON-RPC errors. */
export class ThreadStoreError extends Error {
  constructor(readonly kind: ThreadStoreErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ThreadStoreError';
  }
}
