/**
 * Request param decoding with the reference's error texts (SPEC §1). Every failure here is answered with
 * JSON-RPC `-32600` and the returned `message`, which always starts with `Invalid request: `.
 *
 * Order of checks, as in the reference (its `ClientRequest` is tagged by `method`): an unknown method
 * wins over anything wrong with `params`; then a missing `params` (absent or `null`); then the params
 * themselves, first serde error only.
 *
 * Zod-free: this module and everything it imports load without zod (see `runtime.ts`).
 */
import { type ImplementedMethod, type MethodParams, METHODS, isImplementedMethod } from './methods.js';
import { KNOWN_METHOD_NAMES, isKnownMethod } from './method-names.js';
import { SerdeError, oneOf } from './serde-text.js';

const PREFIX = 'Invalid request: ';
const EXPECTED_METHODS = oneOf(KNOWN_METHOD_NAMES);

/** Why decoding failed: the router may answer `not-implemented` differently; the other two are `-32600`. */
export type DecodeFailure = 'unknown-method' | 'missing-params' | 'invalid-params' | 'not-implemented';

/** Outcome of {@link decodeParams}. Failures carry the complete error message. */
export type DecodeResult<T> = { ok: true; value: T } | { ok: false; reason: DecodeFailure; message: string };

/** A decoded request: an implemented method and its decoded params (of that method: decoding pairs them). */
export interface DecodedRequest {
  method: ImplementedMethod;
  params: MethodParams<ImplementedMethod>;
}

/**
 * ``Invalid request: unknown variant `foo/bar`, expected one of `initialize`, `server/diagnostics`, …``
 * listing all 187 method names of the reference.
 */
export function unknownMethodMessage(name: string): string {
  return `${PREFIX}unknown variant \`${name}\`, expected ${EXPECTED_METHODS}`;
}

/**
 * Decodes the `params` of a request for `method`. `raw` is the request's `params` member as parsed
 * (`undefined` when absent). Never throws for bad input; the value is the decoded params with unknown
 * fields dropped and serde defaults filled in.
 *
 * A method the reference knows but this server does not implement yields `not-implemented` (after the
 * missing-params check, which the reference would also make); its message is ours, not the reference's.
 */
export function decodeParams<M extends ImplementedMethod>(method: M, raw: unknown): DecodeResult<MethodParams<M>>;
export function decodeParams(method: string, raw: unknown): DecodeResult<unknown>;
export function decodeParams(method: string, raw: unknown): DecodeResult<unknown> {
  const decoded = decodeRequest(method, raw);
  return decoded.ok ? { ok: true, value: decoded.value.params } : decoded;
}

/** {@link decodeParams} for the router: the same checks and messages, and the method narrowed on success. */
export function decodeRequest(method: string, raw: unknown): DecodeResult<DecodedRequest> {
  const implemented = isImplementedMethod(method);
  if (!implemented && !isKnownMethod(method)) return { ok: false, reason: 'unknown-method', message: unknownMethodMessage(method) };
  // The reference reads `params` as `Option<Value>`: an explicit `null` is the same as no params, which is an error
  // unless the method's params are themselves optional (then they decode as `{}`).
  if (raw === undefined || raw === null) {
    if (implemented && METHODS[method].optionalParams) raw = {};
    else return { ok: false, reason: 'missing-params', message: `${PREFIX}missing field \`params\`` };
  }
  if (!implemented) return { ok: false, reason: 'not-implemented', message: `${PREFIX}method \`${method}\` is not supported` };
  try {
    return { ok: true, value: { method, params: METHODS[method].params.decode(raw) } };
  } catch (err) {
    if (err instanceof SerdeError) return { ok: false, reason: 'invalid-params', message: PREFIX + err.message };
    throw err;
  }
}
