/**
 * The `Thread` object and its parts (SPEC §3), as emitted in thread results and `thread/started`, plus
 * `ThreadStatus` and the read state of `thread/list` / `thread/read`.
 *
 * Key order is part of the wire contract and is the order of the shapes below. Producers build these
 * objects with object literals in exactly that order; nothing reorders keys before writing.
 */
import { z } from 'zod';
import { ReasoningEffortSchema } from './param-schemas.js';
import { TurnSchema } from './turn.js';

/** Live status of a thread. `active` always carries `activeFlags` (`[]` for a plain running turn). */
export const ThreadStatusSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('notLoaded') }),
  z.object({ type: z.literal('idle') }),
  z.object({ type: z.literal('systemError') }),
  z.object({ type: z.literal('active'), activeFlags: z.array(z.enum(['waitingOnApproval', 'waitingOnUserInput'])) }),
]);
/** Type of {@link ThreadStatusSchema}. */
export type ThreadStatus = z.infer<typeof ThreadStatusSchema>;

/** An environment of a loaded thread: `{"environmentId":"local","cwd","runtimeWorkspaceRoots":[cwd]}`. */
export const ThreadEnvironmentSchema = z.object({
  environmentId: z.string(),
  cwd: z.string(),
  runtimeWorkspaceRoots: z.array(z.string()),
});
/** Type of {@link ThreadEnvironmentSchema}. */
export type ThreadEnvironment = z.infer<typeof ThreadEnvironmentSchema>;

/** Sub-agent origin, as in `session_meta.source.subagent` but camel-cased at the top (`{"subAgent":…}`). */
export const SubAgentSourceSchema = z.union([
  z.enum(['review', 'compact', 'memory_consolidation']),
  z.strictObject({
    thread_spawn: z.object({
      parent_thread_id: z.string(),
      depth: z.number().int(),
      agent_path: z.string().nullable().optional(),
      agent_nickname: z.string().nullable().optional(),
      agent_role: z.string().nullable().optional(),
    }),
  }),
  z.strictObject({ other: z.string() }),
]);

/** Where a thread came from: `"vscode"` for threads created over this API, `{"subAgent":…}` for sub-agents. */
export const SessionSourceSchema = z.union([
  z.enum(['cli', 'vscode', 'exec', 'appServer', 'unknown']),
  z.strictObject({ custom: z.string() }),
  z.strictObject({ subAgent: SubAgentSourceSchema }),
]);
/** Type of {@link SessionSourceSchema}. */
export type SessionSource = z.infer<typeof SessionSourceSchema>;

/** Git metadata captured at creation (`null` in everything this server builds). */
export const GitInfoSchema = z.object({
  sha: z.string().nullable(),
  branch: z.string().nullable(),
  originUrl: z.string().nullable(),
});

/** A user-visible thread section (`null` in everything this server builds). */
export const ThreadSectionSchema = z.object({
  id: z.string(),
  name: z.string(),
  appearance: z.object({ color: z.string().nullable(), icon: z.string().nullable() }).nullable().optional(),
});

/**
 * A thread. Wire key order: `id, environments, extra, sessionId, forkedFromId, attachedToThreadId,
 * parentThreadId, preview, ephemeral, section, sectionEnteredAt, projectId, historyMode, modelProvider,
 * model, reasoningEffort, createdAt, updatedAt, recencyAt, status, path, cwd, cliVersion, originator,
 * source, canAcceptDirectInput, threadSource, agentNickname, agentRole, gitInfo, name, daybreakEnabled,
 * turns`. Loaded threads have `environments` and `canAcceptDirectInput: true`; unloaded ones `null` for both.
 * Times are unix seconds.
 */
export const ThreadSchema = z.object({
  id: z.string(),
  environments: z.array(ThreadEnvironmentSchema).nullable(),
  extra: z.record(z.string(), z.unknown()).nullable(),
  sessionId: z.string(),
  forkedFromId: z.string().nullable(),
  attachedToThreadId: z.string().nullable(),
  parentThreadId: z.string().nullable(),
  preview: z.string(),
  ephemeral: z.boolean(),
  section: ThreadSectionSchema.nullable(),
  sectionEnteredAt: z.number().int().nullable(),
  projectId: z.string().nullable(),
  historyMode: z.enum(['legacy', 'paginated']),
  modelProvider: z.string(),
  model: z.string().nullable(),
  reasoningEffort: ReasoningEffortSchema.nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  recencyAt: z.number().int().nullable(),
  status: ThreadStatusSchema,
  path: z.string().nullable(),
  cwd: z.string(),
  cliVersion: z.string(),
  originator: z.string(),
  source: SessionSourceSchema,
  canAcceptDirectInput: z.boolean().nullable(),
  threadSource: z.string().nullable(),
  agentNickname: z.string().nullable(),
  agentRole: z.string().nullable(),
  gitInfo: GitInfoSchema.nullable(),
  name: z.string().nullable(),
  daybreakEnabled: z.boolean().nullable(),
  turns: z.array(TurnSchema),
});
/** Type of {@link ThreadSchema}. */
export type Thread = z.infer<typeof ThreadSchema>;

/**
 * Read receipt of a thread: `{"firstUnread":{"type":"turn","turnId"}|null,"revision"}`; without a receipt
 * `{"firstUnread":null,"revision":"initial:<threadId>"}` (SPEC §3).
 */
export const ReadStateSchema = z.object({
  firstUnread: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('turn'), turnId: z.string() }),
      z.object({ type: z.literal('threadStart') }),
    ])
    .nullable(),
  revision: z.string(),
});
/** Type of {@link ReadStateSchema}. */
export type ReadState = z.infer<typeof ReadStateSchema>;
/** The reference's name for {@link ReadState}. */
export type ThreadReadState = ReadState;
