/**
 * The run-time method table: every request method this server implements, with its params wire type
 * (whose `decode` is the precompiled serde-compatible decoder) and its queue scope. The param decoder
 * (`decode.ts`) reads only this table, so the server's decode path evaluates no zod; `methods.ts` adds
 * the params and result zod schemas for types, tests and the JSON Schema export.
 */
import { InitializeParamsWire } from './initialize.js';
import { ModelListParamsWire } from './model-list.js';
import {
  ThreadArchiveParamsWire,
  ThreadListParamsWire,
  ThreadLoadedListParamsWire,
  ThreadNameSetParamsWire,
  ThreadReadParamsWire,
  ThreadUnarchiveParamsWire,
  ThreadUnsubscribeParamsWire,
} from './thread-params.js';
import { ThreadForkParamsWire, ThreadResumeParamsWire, ThreadStartParamsWire } from './thread-start-params.js';
import { TurnInterruptParamsWire, TurnStartParamsWire } from './turn-params.js';
import type { WireType } from './wire-type.js';

/**
 * One implemented method without schemas. `decode` throws `SerdeError` (use `decodeParams` for the
 * value-returning form). `scope` names the thread whose per-thread queue the request waits on (requests
 * for the same thread run in arrival order), or `null` for requests that touch no existing thread.
 */
export interface MethodDecoder<N extends string = string, P = unknown> {
  readonly name: N;
  /** Wire type of the params (decoder, `expecting` text, lazily built zod schema). */
  readonly wire: WireType<P, unknown>;
  readonly decode: (raw: unknown) => P;
  readonly scope: (params: P) => string | null;
}

/** Declares one method's decoder. Without `scope` the method is unscoped (`null`). */
export function defineMethodDecoder<const N extends string, P, I>(
  name: N,
  params: WireType<P, I>,
  scope: (params: P) => string | null = () => null,
): MethodDecoder<N, P> {
  return { name, wire: params as WireType<P, unknown>, decode: params.decode, scope };
}

const byThread = (p: { threadId: string }): string => p.threadId;

/** Every method this server implements, keyed by method name. */
export const METHOD_DECODERS = {
  initialize: defineMethodDecoder('initialize', InitializeParamsWire),
  'thread/start': defineMethodDecoder('thread/start', ThreadStartParamsWire),
  'thread/resume': defineMethodDecoder('thread/resume', ThreadResumeParamsWire, byThread),
  // Scoped on the source thread: a fork waits for earlier requests on the thread it copies.
  'thread/fork': defineMethodDecoder('thread/fork', ThreadForkParamsWire, byThread),
  'thread/archive': defineMethodDecoder('thread/archive', ThreadArchiveParamsWire, byThread),
  'thread/unarchive': defineMethodDecoder('thread/unarchive', ThreadUnarchiveParamsWire, byThread),
  'thread/list': defineMethodDecoder('thread/list', ThreadListParamsWire),
  'thread/read': defineMethodDecoder('thread/read', ThreadReadParamsWire, byThread),
  'thread/loaded/list': defineMethodDecoder('thread/loaded/list', ThreadLoadedListParamsWire),
  'thread/unsubscribe': defineMethodDecoder('thread/unsubscribe', ThreadUnsubscribeParamsWire, byThread),
  'thread/name/set': defineMethodDecoder('thread/name/set', ThreadNameSetParamsWire, byThread),
  // The turn itself runs outside the queue; only starting it (and steering) is ordered per thread.
  'turn/start': defineMethodDecoder('turn/start', TurnStartParamsWire, byThread),
  'turn/interrupt': defineMethodDecoder('turn/interrupt', TurnInterruptParamsWire, byThread),
  'model/list': defineMethodDecoder('model/list', ModelListParamsWire),
} as const;

/** Name of a method this server implements. */
export type ImplementedMethod = keyof typeof METHOD_DECODERS;
/** Decoded params of an implemented method. */
export type MethodParams<M extends ImplementedMethod> = (typeof METHOD_DECODERS)[M] extends MethodDecoder<string, infer P> ? P : never;

/** True when `name` is an implemented method (own keys only: `"constructor"` is not a method). */
export function isImplementedMethod(name: string): name is ImplementedMethod {
  return Object.hasOwn(METHOD_DECODERS, name);
}

/** The decoder of an implemented method, or `undefined`. */
export function lookupMethodDecoder(name: string): MethodDecoder | undefined {
  return isImplementedMethod(name) ? (METHOD_DECODERS[name] as unknown as MethodDecoder) : undefined;
}
