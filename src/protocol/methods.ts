/**
 * The method table: every request method this server implements, declared once. Each entry gives
 *
 * - `params`: the params wire type, whose `decode` is the precompiled serde-compatible decoder the server
 *   runs on every request (no zod) and whose `zod(z)` builds the params schema on demand;
 * - `result`: picks the result schema out of the schema modules. Only the schema side calls it
 *   (`method-schemas.ts`: JSON Schema export, tests), so the server never loads zod for results; the
 *   result *type* ({@link MethodResult}) is read from it at compile time;
 * - `scope`: the thread whose per-thread queue the request waits on, or `null`;
 * - `typeName`: the reference's type name stem (`ThreadSetName` → `ThreadSetNameParams`,
 *   `ThreadSetNameResponse`) used by the JSON Schema export.
 *
 * Everything else derives from this table: the decoder lookup (`decode.ts`), the handler types and the
 * server's handler table (`server/handler-table.ts`, `{ [M in ImplementedMethod]: Handler<M> }`), the
 * queue key, and the JSON Schema export. Adding a method is one entry here plus one handler there.
 *
 * Zod-free at run time: zod and the result schema modules are imported for their types only.
 */
import type { z } from 'zod';
import { InitializeParamsWire } from './initialize.js';
import { ModelListParamsWire } from './model-list.js';
import type * as configSchemas from './config-schemas.js';
import {
  ConfigBatchWriteParamsWire,
  ConfigReadParamsWire,
  ConfigRequirementsReadParamsWire,
  ConfigValueWriteParamsWire,
} from './config-params.js';
import {
  AppsListParamsWire,
  CollaborationModeListParamsWire,
  ExperimentalFeatureListParamsWire,
  FuzzyFileSearchParamsWire,
  FuzzyFileSearchSessionStartParamsWire,
  FuzzyFileSearchSessionStopParamsWire,
  FuzzyFileSearchSessionUpdateParamsWire,
  HooksListParamsWire,
  ListMcpServerStatusParamsWire,
  ModelProviderListParamsWire,
  SkillsListParamsWire,
} from './discovery-params.js';
import type * as discoverySchemas from './discovery-schemas.js';
import { ThreadCompactStartParamsWire, ThreadDeleteParamsWire, ThreadItemsListParamsWire, ThreadMetadataUpdateParamsWire, ThreadTurnsListParamsWire } from './history-params.js';
import type * as threadMetadataSchemas from './thread-metadata-schemas.js';
import type * as historySchemas from './history-schemas.js';
import type * as modelSchemas from './model.js';
import type * as responseSchemas from './responses.js';
import {
  ThreadArchiveParamsWire,
  ThreadListParamsWire,
  ThreadLoadedListParamsWire,
  ThreadNameSetParamsWire,
  ThreadReadParamsWire,
  ThreadSearchOccurrencesParamsWire,
  ThreadSearchParamsWire,
  ThreadUnarchiveParamsWire,
  ThreadUnsubscribeParamsWire,
} from './thread-params.js';
import { ThreadForkParamsWire, ThreadResumeParamsWire, ThreadStartParamsWire } from './thread-start-params.js';
import { TurnInterruptParamsWire, TurnStartParamsWire, TurnSteerParamsWire } from './turn-params.js';
import { GetAccountParamsWire, GetAccountRateLimitsParamsWire, GetAuthStatusParamsWire, LoginAccountParamsWire, LogoutAccountParamsWire } from './account-params.js';
import type { WireInput, WireOutput, WireType } from './wire-type.js';

/** The schema modules a {@link MethodSpec.result} selector picks from (supplied by `method-schemas.ts`). */
export type ResultSchemas = typeof responseSchemas & typeof modelSchemas & typeof configSchemas & typeof discoverySchemas & typeof historySchemas & typeof threadMetadataSchemas;

/**
 * One implemented method. `P` is its decoded params type, `I` what a client may send for them, `S` its
 * result schema type. The spec holds no zod value: `params.zod` and `result` build or pick schemas only
 * when the schema side asks.
 */
export interface MethodSpec<P = unknown, S extends z.ZodType = z.ZodType, I = unknown> {
  /** Reference type name stem: the params are `<typeName>Params`, the result `<typeName>Response`. */
  readonly typeName: string;
  /** Params wire type: `decode` throws `SerdeError` on the first problem (see `decode.ts` for the value form). */
  readonly params: WireType<P, I>;
  /** Picks the result schema; pure, called by the schema side only. */
  readonly result: (schemas: ResultSchemas) => S;
  /**
   * True when the reference reads the params as `Option<…>`: an absent or `null` `params` decodes as `{}` instead
   * of failing with ``missing field `params` ``.
   */
  readonly optionalParams: boolean;
  /**
   * The thread the request names, whose queue it waits on (same-thread requests run in arrival order), or
   * `null` for requests that touch no existing thread. Use {@link queueKeyOf} for the queue key itself.
   */
  readonly scope: (params: P) => string | null;
}

/** Declares one method; without `scope` it is unscoped (`null`). */
function method<P, I, S extends z.ZodType>(spec: {
  typeName: string;
  params: WireType<P, I>;
  result: (schemas: ResultSchemas) => S;
  scope?: (params: P) => string | null;
  optionalParams?: boolean;
}): MethodSpec<P, S, I> {
  return { typeName: spec.typeName, params: spec.params, result: spec.result, scope: spec.scope ?? unscoped, optionalParams: spec.optionalParams ?? false };
}

const unscoped = (): null => null;
const byThread = (p: { threadId: string }): string => p.threadId;

/** The table itself; exported as {@link METHODS}, its type is where the per-method types are read from. */
const ENTRIES = {
  initialize: method({ typeName: 'Initialize', params: InitializeParamsWire, result: (s) => s.InitializeResponseSchema }),
  'thread/start': method({ typeName: 'ThreadStart', params: ThreadStartParamsWire, result: (s) => s.ThreadStartResponseSchema }),
  'thread/resume': method({ typeName: 'ThreadResume', params: ThreadResumeParamsWire, result: (s) => s.ThreadResumeResponseSchema, scope: byThread }),
  // Scoped on the source thread: a fork waits for earlier requests on the thread it copies.
  'thread/fork': method({ typeName: 'ThreadFork', params: ThreadForkParamsWire, result: (s) => s.ThreadForkResponseSchema, scope: byThread }),
  'thread/archive': method({ typeName: 'ThreadArchive', params: ThreadArchiveParamsWire, result: (s) => s.ThreadArchiveResponseSchema, scope: byThread }),
  'thread/unarchive': method({ typeName: 'ThreadUnarchive', params: ThreadUnarchiveParamsWire, result: (s) => s.ThreadUnarchiveResponseSchema, scope: byThread }),
  'thread/list': method({ typeName: 'ThreadList', params: ThreadListParamsWire, result: (s) => s.ThreadListResponseSchema }),
  'thread/read': method({ typeName: 'ThreadRead', params: ThreadReadParamsWire, result: (s) => s.ThreadReadResponseSchema, scope: byThread }),
  'thread/loaded/list': method({ typeName: 'ThreadLoadedList', params: ThreadLoadedListParamsWire, result: (s) => s.ThreadLoadedListResponseSchema }),
  'thread/unsubscribe': method({ typeName: 'ThreadUnsubscribe', params: ThreadUnsubscribeParamsWire, result: (s) => s.ThreadUnsubscribeResponseSchema, scope: byThread }),
  // Experimental (need the `experimentalApi` capability); issue 18's full-text search.
  'thread/search': method({ typeName: 'ThreadSearch', params: ThreadSearchParamsWire, result: (s) => s.ThreadSearchResponseSchema }),
  'thread/searchOccurrences': method({
    typeName: 'ThreadSearchOccurrences',
    params: ThreadSearchOccurrencesParamsWire,
    result: (s) => s.ThreadSearchOccurrencesResponseSchema,
    scope: byThread,
  }),
  'thread/name/set': method({ typeName: 'ThreadSetName', params: ThreadNameSetParamsWire, result: (s) => s.ThreadNameSetResponseSchema, scope: byThread }),
  // The turn itself runs outside the queue; only starting it (and steering) is ordered per thread.
  'turn/start': method({ typeName: 'TurnStart', params: TurnStartParamsWire, result: (s) => s.TurnStartResponseSchema, scope: byThread }),
  'turn/interrupt': method({ typeName: 'TurnInterrupt', params: TurnInterruptParamsWire, result: (s) => s.TurnInterruptResponseSchema, scope: byThread }),
  'turn/steer': method({ typeName: 'TurnSteer', params: TurnSteerParamsWire, result: (s) => s.TurnSteerResponseSchema, scope: byThread }),
  'model/list': method({ typeName: 'ModelList', params: ModelListParamsWire, result: (s) => s.ModelListResponseSchema }),
  'account/read': method({ typeName: 'GetAccount', params: GetAccountParamsWire, result: (s) => s.GetAccountResponseSchema }),
  // Legacy method (not in the v2 schema bundle), still answered by the reference.
  getAuthStatus: method({ typeName: 'GetAuthStatus', params: GetAuthStatusParamsWire, result: (s) => s.GetAuthStatusResponseSchema }),
  'account/rateLimits/read': method({
    typeName: 'GetAccountRateLimits',
    params: GetAccountRateLimitsParamsWire,
    result: (s) => s.GetAccountRateLimitsResponseSchema,
    optionalParams: true,
  }),
  'config/read': method({ typeName: 'ConfigRead', params: ConfigReadParamsWire, result: (s) => s.ConfigReadResponseSchema }),
  'config/value/write': method({ typeName: 'ConfigValueWrite', params: ConfigValueWriteParamsWire, result: (s) => s.ConfigWriteResponseSchema }),
  'config/batchWrite': method({ typeName: 'ConfigBatchWrite', params: ConfigBatchWriteParamsWire, result: (s) => s.ConfigWriteResponseSchema }),
  'configRequirements/read': method({
    typeName: 'ConfigRequirementsRead',
    params: ConfigRequirementsReadParamsWire,
    result: (s) => s.ConfigRequirementsReadResponseSchema,
    optionalParams: true,
  }),
  'skills/list': method({ typeName: 'SkillsList', params: SkillsListParamsWire, result: (s) => s.SkillsListResponseSchema }),
  'mcpServerStatus/list': method({ typeName: 'ListMcpServerStatus', params: ListMcpServerStatusParamsWire, result: (s) => s.ListMcpServerStatusResponseSchema }),
  'experimentalFeature/list': method({ typeName: 'ExperimentalFeatureList', params: ExperimentalFeatureListParamsWire, result: (s) => s.ExperimentalFeatureListResponseSchema }),
  'collaborationMode/list': method({ typeName: 'CollaborationModeList', params: CollaborationModeListParamsWire, result: (s) => s.CollaborationModeListResponseSchema }),
  'app/list': method({ typeName: 'AppsList', params: AppsListParamsWire, result: (s) => s.AppsListResponseSchema }),
  'hooks/list': method({ typeName: 'HooksList', params: HooksListParamsWire, result: (s) => s.HooksListResponseSchema }),
  'modelProvider/list': method({ typeName: 'ModelProviderList', params: ModelProviderListParamsWire, result: (s) => s.ModelProviderListResponseSchema }),
  'thread/turns/list': method({ typeName: 'ThreadTurnsList', params: ThreadTurnsListParamsWire, result: (s) => s.ThreadTurnsListResponseSchema, scope: byThread }),
  'thread/items/list': method({ typeName: 'ThreadItemsList', params: ThreadItemsListParamsWire, result: (s) => s.ThreadItemsListResponseSchema, scope: byThread }),
  'account/login/start': method({ typeName: 'LoginAccount', params: LoginAccountParamsWire, result: (s) => s.LoginAccountResponseSchema }),
  'account/logout': method({ typeName: 'LogoutAccount', params: LogoutAccountParamsWire, result: (s) => s.LogoutAccountResponseSchema, optionalParams: true }),
  fuzzyFileSearch: method({ typeName: 'FuzzyFileSearch', params: FuzzyFileSearchParamsWire, result: (s) => s.FuzzyFileSearchResponseSchema }),
  'fuzzyFileSearch/sessionStart': method({ typeName: 'FuzzyFileSearchSessionStart', params: FuzzyFileSearchSessionStartParamsWire, result: (s) => s.FuzzyFileSearchSessionStartResponseSchema }),
  'fuzzyFileSearch/sessionUpdate': method({ typeName: 'FuzzyFileSearchSessionUpdate', params: FuzzyFileSearchSessionUpdateParamsWire, result: (s) => s.FuzzyFileSearchSessionUpdateResponseSchema }),
  'fuzzyFileSearch/sessionStop': method({ typeName: 'FuzzyFileSearchSessionStop', params: FuzzyFileSearchSessionStopParamsWire, result: (s) => s.FuzzyFileSearchSessionStopResponseSchema }),
  'thread/delete': method({ typeName: 'ThreadDelete', params: ThreadDeleteParamsWire, result: (s) => s.ThreadDeleteResponseSchema, scope: byThread }),
  'thread/compact/start': method({ typeName: 'ThreadCompactStart', params: ThreadCompactStartParamsWire, result: (s) => s.ThreadDeleteResponseSchema, scope: byThread }),
  'thread/metadata/update': method({ typeName: 'ThreadMetadataUpdate', params: ThreadMetadataUpdateParamsWire, result: (s) => s.ThreadMetadataUpdateResponseSchema, scope: byThread }),
} as const;

type Methods = typeof ENTRIES;

/** Name of a method this server implements. */
export type ImplementedMethod = keyof Methods;
/** Decoded params of an implemented method (serde defaults filled in, unknown fields dropped). */
export type MethodParams<M extends ImplementedMethod> = WireOutput<Methods[M]['params']>;
/** What a client may send as the params of an implemented method (serde defaults optional). */
export type MethodParamsInput<M extends ImplementedMethod> = WireInput<Methods[M]['params']>;
/** Result schema type of an implemented method. */
export type MethodResultSchema<M extends ImplementedMethod> = ReturnType<Methods[M]['result']>;
/** Result of an implemented method, as its handler returns it and the client receives it. */
export type MethodResult<M extends ImplementedMethod> = z.output<MethodResultSchema<M>>;

/**
 * Every method this server implements, keyed by method name. The mapped type ties each key to its own
 * params and result types, so `METHODS[m]` for a generic `m` has the types of `m`.
 */
export const METHODS: { readonly [M in ImplementedMethod]: MethodSpec<MethodParams<M>, MethodResultSchema<M>, MethodParamsInput<M>> } = ENTRIES;

/** Every implemented method name, in table order (`Object.keys` types keys as `string`; these are exactly the table's). */
export const IMPLEMENTED_METHODS = Object.keys(ENTRIES) as readonly ImplementedMethod[];

/** True when `name` is an implemented method (own keys only: `"constructor"` is not a method). */
export function isImplementedMethod(name: string): name is ImplementedMethod {
  return Object.hasOwn(METHODS, name);
}

/**
 * The per-thread queue key of a decoded request: its {@link MethodSpec.scope} lower-cased, because thread
 * ids are UUIDs, so `ABC…` and `abc…` name one thread and must wait in one queue.
 */
export function queueKeyOf<M extends ImplementedMethod>(method: M, params: MethodParams<M>): string | null {
  return METHODS[method].scope(params)?.toLowerCase() ?? null;
}
