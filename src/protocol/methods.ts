/**
 * The method table with schemas: every request method this server implements, with its params zod
 * schema, its result schema, its decoder and its queue scope. Types, tests and the JSON Schema export read
 * this table; the server's decode path reads {@link METHOD_DECODERS} (`method-decoders.ts`) instead and
 * never loads this module or zod.
 */
import { z } from 'zod';
import { METHOD_DECODERS, type ImplementedMethod, type MethodParams, isImplementedMethod } from './method-decoders.js';
import { ModelListResponseSchema } from './model.js';
import {
  InitializeResponseSchema,
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
  spec: { params: WireType<P, unknown>; result: z.ZodType<R>; scope?: (params: P) => string | null },
): MethodSpec<N, P, R> {
  return { name, params: spec.params.zod(z), result: spec.result, decode: spec.params.decode, scope: spec.scope ?? (() => null) };
}

/** Result schema of every implemented method. */
const RESULTS = {
  initialize: InitializeResponseSchema,
  'thread/start': ThreadStartResponseSchema,
  'thread/resume': ThreadResumeResponseSchema,
  'thread/fork': ThreadForkResponseSchema,
  'thread/archive': ThreadArchiveResponseSchema,
  'thread/unarchive': ThreadUnarchiveResponseSchema,
  'thread/list': ThreadListResponseSchema,
  'thread/read': ThreadReadResponseSchema,
  'thread/loaded/list': ThreadLoadedListResponseSchema,
  'thread/unsubscribe': ThreadUnsubscribeResponseSchema,
  'thread/name/set': ThreadNameSetResponseSchema,
  'turn/start': TurnStartResponseSchema,
  'turn/interrupt': TurnInterruptResponseSchema,
  'model/list': ModelListResponseSchema,
} as const satisfies Record<ImplementedMethod, z.ZodType>;

/** Result of an implemented method. */
export type MethodResult<M extends ImplementedMethod> = z.infer<(typeof RESULTS)[M]>;

/** Every method this server implements, keyed by method name (the order of {@link METHOD_DECODERS}). */
export const METHODS = Object.fromEntries(
  Object.values(METHOD_DECODERS).map((d): [string, MethodSpec] => [
    d.name,
    defineMethod<string, unknown, unknown>(d.name, {
      params: d.wire,
      result: RESULTS[d.name] as z.ZodType,
      scope: d.scope as (params: unknown) => string | null,
    }),
  ]),
) as unknown as { readonly [M in ImplementedMethod]: MethodSpec<M, MethodParams<M>, MethodResult<M>> };

/** The table entry of an implemented method, or `undefined`. */
export function lookupMethod(name: string): MethodSpec | undefined {
  return isImplementedMethod(name) ? (METHODS[name] as unknown as MethodSpec) : undefined;
}
