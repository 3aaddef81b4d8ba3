import { ResponseError } from 'vscode-jsonrpc/node';
import { ConfigWriteError } from '../config/config-write-error.js';
import { FileSearchSessionError } from '../discovery/file-search-sessions.js';
import { ModelError } from '../model/types.js';
import { ThreadStoreError, type ThreadStoreErrorKind } from '../rollout/errors.js';
import type { Logger } from '../support/logger.js';
import { ThreadError, type ThreadErrorKind } from '../threads/errors.js';

/** Reference error codes (SPEC §1): nearly everything is -32600. */
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INTERNAL_ERROR = -32603;

/**
 * The one place domain errors become JSON-RPC errors. Each domain error class is mapped kind by kind with
 * an exhaustive `switch`, so a new kind fails to compile until it is mapped here. Anything unknown becomes
 * an internal error, logged with its stack.
 */
export function toResponseError(error: unknown, log: Logger): ResponseError<unknown> {
  if (error instanceof ResponseError) return error;
  if (error instanceof ThreadError) return new ResponseError(threadErrorCode(error.kind), error.message);
  if (error instanceof ThreadStoreError) return threadStoreError(error.kind, error.message);
  if (error instanceof ModelError) return new ResponseError(INVALID_REQUEST, error.message);
  if (error instanceof FileSearchSessionError) return new ResponseError(error.kind === 'invalid' ? INVALID_REQUEST : INTERNAL_ERROR, error.message);
  if (error instanceof ConfigWriteError) return new ResponseError(INVALID_REQUEST, error.message, { config_write_error_code: error.code });
  log.error({ err: error }, 'internal error while handling a request');
  const message = error instanceof Error ? error.message : String(error);
  return new ResponseError(INTERNAL_ERROR, `internal error: ${message}`);
}

export function invalidRequest(message: string): ResponseError<void> {
  return new ResponseError(INVALID_REQUEST, message);
}

function threadErrorCode(kind: ThreadErrorKind): number {
  switch (kind) {
    case 'list-turns-unsupported':
      return METHOD_NOT_FOUND;
    case 'unavailable':
      return INTERNAL_ERROR;
    case 'invalid-id':
    case 'no-rollout':
    case 'not-loaded':
    case 'thread-not-found':
    case 'active-writer':
    case 'no-active-turn':
    case 'invalid-request':
    case 'invalid-cursor':
      return INVALID_REQUEST;
    default:
      return unmapped(kind);
  }
}

function threadStoreError(kind: ThreadStoreErrorKind, message: string): ResponseError<void> {
  switch (kind) {
    case 'no-rollout':
    case 'no-archived-rollout':
    case 'conflict':
      return new ResponseError(INVALID_REQUEST, message);
    case 'io':
      return new ResponseError(INTERNAL_ERROR, `failed to read thread: thread-store internal error: ${message}`);
    default:
      return unmapped(kind);
  }
}

/** Compile-time exhaustiveness: `kind` is `never` once every kind has a case. Unreachable at run time. */
function unmapped(kind: never): never {
  throw new Error(`unmapped domain error kind: ${String(kind)}`);
}
