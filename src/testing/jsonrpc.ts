/** JSON-RPC shapes as they appear on the app-server's stdout (no `jsonrpc` field; SPEC §1). */

/** A request id: integers and strings are distinct (`1` never matches `"1"`). */
export type RequestId = number | string;

export interface JsonRpcRequest {
  id: RequestId;
  method: string;
  params?: unknown;
}

/** `params` is typed as present: pass `P` to state its shape (an absent `params` reads as `undefined`). */
export interface JsonRpcNotification<P = unknown> {
  method: string;
  params: P;
  /** Unix ms; every server notification carries it (SPEC §1). */
  emittedAtMs?: number;
}

export interface JsonRpcResponse<R = unknown> {
  id: RequestId;
  result: R;
}

export interface JsonRpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

export interface JsonRpcError {
  id: RequestId | null;
  error: JsonRpcErrorBody;
}

/** Any message the server may write. */
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse | JsonRpcError;

export function isResponse(m: JsonRpcMessage): m is JsonRpcResponse {
  return 'result' in m && 'id' in m && !('method' in m);
}

export function isError(m: JsonRpcMessage): m is JsonRpcError {
  return 'error' in m && !('method' in m);
}

export function isNotification(m: JsonRpcMessage): m is JsonRpcNotification {
  return 'method' in m && !('id' in m);
}

export function isServerRequest(m: JsonRpcMessage): m is JsonRpcRequest {
  return 'method' in m && 'id' in m;
}

/** The typed result of a response (the harness counterpart of the Rust `to_response`). */
export function toResponse<R>(message: JsonRpcResponse): R {
  return message.result as R;
}
