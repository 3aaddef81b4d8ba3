/**
 * The method table: every request method this server implements, with its params wire type (decoder +
 * zod schema), its result schema, and its queue scope. The router, the param decoder and the JSON Schema
 * export all read this one table.
 */
import type { z } from 'zod';
import { InitializeParamsWire, InitializeResponseSchema } from './initialize.js';
import { ModelListParamsWire, ModelListResponseSchema } from './model-list.js';
import {
  ThreadArchiveResponseSchema,
  ThreadForkResponseSchema,
  ThreadListResponseSchema,
  ThreadLoadedListResponseSchema,
  ThreadNameSetResponseSchema,
  ThreadReadResponseSchema,
  ThreadResumeResponseSchema,
  ThreadStartResponseSchema,
  ThreadUnarchiveResponseSchema,
  ThreadUnsubscribeResponseSchema,
  TurnInterruptResponseSchema,
  TurnStartResponseSchema,
} from './responses.js';
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
 * One implemented method. `decode` is the precompiled serde-compatible decoder of its params (throws
 * `SerdeError`; use `decodeParams` for the value-returning form). `scope` names the thread whose
 * per-thread queue the request waits on (requests for the same thread run in arrival order), or `null`
 * for requests that touch no existing thread.
 */
export interface MethodSpec<N extends string = string, P = unknown, R = unknown> {
  readonly name: N;
  /** zod schema of the decoded params (types, JSON Schema export). */
  readonly params: z.ZodType<P>;
  /** zod schema of the result (types, JSON Schema export). */
  readonly result: z.ZodType<R>;
  readonly decode: (raw: unknown) => P;
  readonly scope: (params: P) => string | null;
}

/** Declares one method. Without `scope` the method is unscoped (`null`). */
export function defineMethod<const N extends string, P, R>(
  name: N,
  spec: { params: WireType<P>; result: z.ZodType<R>; scope?: (params: P) => string | null },
): MethodSpec<N, P, R> {
  return { name, params: spec.params.zod, result: spec.result, decode: spec.params.decode, scope: spec.scope ?? (() => null) };
}

const byThread = (p: { threadId: string }): string => p.threadId;

/** Every method this server implements, keyed by method name. */
export const METHODS = {
  initialize: defineMethod('initialize', { params: InitializeParamsWire, result: InitializeResponseSchema }),
  'thread/start': defineMethod('thread/start', { params: ThreadStartParamsWire, result: ThreadStartResponseSchema }),
  'thread/resume': defineMethod('thread/resume', {
    params: ThreadResumeParamsWire,
    result: ThreadResumeResponseSchema,
    scope: byThread,
  }),
  // Scoped on the source thread: a fork waits for earlier requests on the thread it copies.
  'thread/fork': defineMethod('thread/fork', { params: ThreadForkParamsWire, result: ThreadForkResponseSchema, scope: byThread }),
  'thread/archive': defineMethod('thread/archive', {
    params: ThreadArchiveParamsWire,
    result: ThreadArchiveResponseSchema,
    scope: byThread,
  }),
  'thread/unarchive': defineMethod('thread/unarchive', {
    params: ThreadUnarchiveParamsWire,
    result: ThreadUnarchiveResponseSchema,
    scope: byThread,
  }),
  'thread/list': defineMethod('thread/list', { params: ThreadListParamsWire, result: ThreadListResponseSchema }),
  'thread/read': defineMethod('thread/read', { params: ThreadReadParamsWire, result: ThreadReadResponseSchema, scope: byThread }),
  'thread/loaded/list': defineMethod('thread/loaded/list', {
    params: ThreadLoadedListParamsWire,
    result: ThreadLoadedListResponseSchema,
  }),
  'thread/unsubscribe': defineMethod('thread/unsubscribe', {
    params: ThreadUnsubscribeParamsWire,
    result: ThreadUnsubscribeResponseSchema,
    scope: byThread,
  }),
  'thread/name/set': defineMethod('thread/name/set', {
    params: ThreadNameSetParamsWire,
    result: ThreadNameSetResponseSchema,
    scope: byThread,
  }),
  // The turn itself runs outside the queue; only starting it (and steering) is ordered per thread.
  'turn/start': defineMethod('turn/start', { params: TurnStartParamsWire, result: TurnStartResponseSchema, scope: byThread }),
  'turn/interrupt': defineMethod('turn/interrupt', {
    params: TurnInterruptParamsWire,
    result: TurnInterruptResponseSchema,
    scope: byThread,
  }),
  'model/list': defineMethod('model/list', { params: ModelListParamsWire, result: ModelListResponseSchema }),
} as const;

/** Name of a method this server implements. */
export type ImplementedMethod = keyof typeof METHODS;
/** Decoded params of an implemented method. */
export type MethodParams<M extends ImplementedMethod> = z.infer<(typeof METHODS)[M]['params']>;
/** Result of an implemented method. */
export type MethodResult<M extends ImplementedMethod> = z.infer<(typeof METHODS)[M]['result']>;

/** True when `name` is a method of {@link METHODS} (own keys only: `"constructor"` is not a method). */
export function isImplementedMethod(name: string): name is ImplementedMethod {
  return Object.hasOwn(METHODS, name);
}

/** The table entry of an implemented method, or `undefined`. */
export function lookupMethod(name: string): MethodSpec | undefined {
  return isImplementedMethod(name) ? (METHODS[name] as unknown as MethodSpec) : undefined;
}
