import { ResponseError } from 'vscode-jsonrpc/node';
import { ModelError } from '../model/types.js';
import { ThreadStoreError } from '../rollout/errors.js';
import type { Logger } from '../support/logger.js';
import { ThreadError } from '../threads/errors.js';

/** Reference error codes (SPEC §1): nearly everything is -32600. */
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INTERNAL_ERROR = -32603;

/** The one place domain errors become JSON-RPC errors. Unknown errors are logged with their stack. */
export function toResponseError(error: unknown, log: Logger): ResponseError<void> {
  if (error instanceof ResponseError) return error;
  if (error instanceof ThreadError) {
    switch (error.kind) {
      case 'list-turns-unsupported':
        return new ResponseError(METHOD_NOT_FOUND, error.message);
      case 'invalid-id':
      case 'no-rollout':
      case 'not-loaded':
      case 'thread-not-found':
      case 'active-writer':
      case 'no-active-turn':
      case 'invalid-request':
      case 'invalid-cursor':
        return new ResponseError(INVALID_REQUEST, error.message);
    }
  }
  if (error instanceof ThreadStoreError) {
    switch (error.kind) {
      case 'no-rollout':
      case 'no-archived-rollout':
      case 'conflict':
        return new ResponseError(INVALID_REQUEST, error.message);
      case 'io':
        return new ResponseError(INTERNAL_ERROR, `failed to read thread: thread-store internal error: ${error.message}`);
    }
  }
  if (error instanceof ModelError) return new ResponseError(INVALID_REQUEST, error.message);
  log.error({ err: error }, 'internal error while handling a request');
  const message = error instanceof Error ? error.message : String(error);
  return new ResponseError(INTERNAL_ERROR, `internal error: ${message}`);
}

export function invalidRequest(message: string): ResponseError<void> {
  return new ResponseError(INVALID_REQUEST, message);
}
