import path from 'node:path';
import type { GitInfo } from './ports.js';
import type { ModelClient } from '../model/types.js';
import { ThreadStoreError, type StoredThread, type ThreadLock, type ThreadStore } from '../rollout/thread-store.js';
import type { Clock } from '../support/clock.js';
import type { JsonObject } from '../support/json-values.js';
import type { IdSource } from '../support/ids.js';
import type { Logger } from '../support/logger.js';
import { authStatus, readAccount, readRateLimits, type AccountRead, type AuthSource, type AuthStatus } from './account.js';
import { isKnownModel, unknownModelWarning } from './catalog.js';
import { ThreadError } from './errors.js';
import { type HistoryPage, type ItemEntry, type ItemsPageRequest, itemsPage, resumeCursors, turnsPage, type TurnsPageRequest } from './history-pages.js';
import { HistoryProjector } from './history-projector.js';
import { rebuildHistory } from './history.js';
import { LoadedThread, type ActiveTurn } from './loaded-thread.js';
import type { ThreadEventSink, ThreadStatePort } from './ports.js';
import type { ThreadFacts } from './render/thread.js';
import type { TurnFacts } from './facts.js';
import { sessionMetaLine } from './rollout-lines.js';
import { applyOverrides, threadSettings, withoutEmpty, type SettingsOverrides, type StoredSettings, type ThreadDefaults } from './settings.js';
import { indexRowOf, loadedThreadFacts, storedThreadFacts } from './thread-facts.js';
import type { ThreadListRequest } from './thread-list.js';
import { loadStoredThread } from './thread-loading.js';
import { listThreads, readThread, type ThreadListPage, type ThreadQueryDeps, type ThreadRead } from './thread-queries.js';
import { searchThreads, type ThreadSearchRequest, type ThreadSearchResultPage } from './thread-search.js';
import { searchOccurrences, type OccurrencesRequest, type ThreadOccurrence } from './thread-occurrences.js';

export type { ThreadListPage, ThreadRead } from './thread-queries.js';
export type { ThreadSearchRequest, ThreadSearchResultPage } from './thread-search.js';
export type { ThreadOccurrence } from './thread-occurrences.js';
import { TurnRunner, type TurnToolDeps } from './turn-runner.js';
import { NO_APPROVALS, type ApprovalPort } from '../tools/approval.js';
import type { Toolset } from '../tools/tool.js';
import { approvalPolicyOf, DEFAULT_WORKSPACE_WRITE, sandboxPolicyOf } from './tool-policy.js';

/** How turns get their tools: one toolset per loaded thread, made by `createToolset` (main wires the real ones). */
export interface ThreadToolsDeps {
  createToolset(thread: { threadId: string; cwd: string }): Toolset;
  /** The server's environment (commands inherit it, minus what the tools strip). */
  env: Readonly<Record<string, string | undefined>>;
  codexHome: string;
}

/** The client a turn was started by, as its `initialize` named it. */
export interface TurnClient {
  name: string;
  version: string;
}

/** Who started a turn: the client (named in the model request's user agent) and where its approvals are asked. */
export interface TurnOrigin {
  client?: TurnClient;
  approvals?: ApprovalPort;
}

export interface ThreadManagerDeps {
  store: ThreadStore;
  stateDb: ThreadStatePort | null;
  model: ModelClient;
  clock: Clock;
  ids: IdSource;
  log: Logger;
  sink: ThreadEventSink;
  defaults: ThreadDefaults;
  /** The user agent sent to the model for a thread whose originator (client name) is given. */
  /** `client`: the client that started the turn (`clientInfo` of its connection), named in the agent's suffix. */
  userAgent: (originator: string, client?: TurnClient) => string;
  installationId: string;
  /** The configured provider's need for an OpenAI login and the login stored in `auth.json` (account methods). */
  auth: AuthSource;
  /** A loaded thread with no subscriber and no activity for this long is unloaded (reference: 30 min). */
  idleUnloadMs?: number;
  /** Absent: no tools are offered (the model gets `tools: []`). */
  tools?: ThreadToolsDeps;
}

export const IDLE_UNLOAD_MS = 30 * 60 * 1000;

/**
 * Owns the threads loaded in this process: loading (start/resume/fork) takes the cross-process writer
 * lock, archive unloads and releases it, turns run on a `TurnRunner`. Callers serialise requests per thread
 * (the router's queue); the manager never talks to connections, only to its event sink.
 */
export class ThreadManager {
  private readonly loaded = new Map<string, LoadedThread>();

  private readonly idleTimer: NodeJS.Timeout;
  /** Projects what loaded threads append into `thread_history_1.sqlite` (a no-op without a state DB). */
  private readonly projector: HistoryProjector;
  private readonly queryDeps: ThreadQueryDeps;

  constructor(private readonly deps: ThreadManagerDeps) {
    this.projector = new HistoryProjector(deps.stateDb?.history ?? null, deps.log, deps.store);
    this.queryDeps = { store: deps.store, stateDb: deps.stateDb, log: deps.log, loaded: (id) => this.get(id), storedFacts: (stored, gitInfo) => this.storedFacts(stored, gitInfo) };
    const idleMs = deps.idleUnloadMs ?? IDLE_UNLOAD_MS;
    this.idleTimer = setInterval(() => void this.unloadIdle(idleMs), Math.max(50, Math.min(60_000, Math.floor(idleMs / 4))));
    this.idleTimer.unref();
  }

  /** Loads what the first thread load needs (the native flock binding, the lock directory) while the client is idle. */
  warm(): void {
    try {
      this.deps.store.warm();
    } catch (error) {
      this.deps.log.debug({ err: error }, 'warm-up failed; the first thread load will retry');
    }
  }

  /** The loaded thread, marking it active now (every request that names it keeps it loaded). */
  get(threadId: string): LoadedThread | undefined {
    const thread = this.loaded.get(threadId);
    if (thread) thread.lastActivityMs = this.deps.clock.nowMs();
    return thread;
  }

  /**
   * Reference behaviour (SPEC §4.10): a loaded thread nobody is subscribed to, idle for `idleMs`, is unloaded
   * with `thread/status/changed notLoaded` and `thread/closed`, releasing its writer lock.
   */
  private async unloadIdle(idleMs: number): Promise<void> {
    const now = this.deps.clock.nowMs();
    for (const thread of [...this.loaded.values()]) {
      if (thread.active || this.deps.sink.hasSubscribers(thread.id) || now - thread.lastActivityMs < idleMs) continue;
      await this.unload(thread);
      this.deps.sink.broadcast('thread/closed', { threadId: thread.id });
    }
  }

  loadedIds(): string[] {
    return [...this.loaded.keys()].sort();
  }

  start(overrides: SettingsOverrides, originator: string, ephemeral: boolean): LoadedThread {
    const { clock, ids, store } = this.deps;
    const id = ids.uuid7();
    const createdAtMs = clock.nowMs();
    const settings = this.settingsFor({ threadId: id, createdAtMs, originator }, overrides, null);
    const lock = ephemeral ? null : this.lockOrThrow(id);
    const writer = ephemeral ? null : store.newWriter(id, createdAtMs);
    const thread = new LoadedThread(settings, ephemeral, writer, lock, { forkedFromId: null, parentThreadId: null, source: 'vscode', agentNickname: null, agentRole: null });
    this.loaded.set(id, thread);
    return thread;
  }

  /** Loads a stored thread. `loadedNow` is false when it was already loaded here (no status change then). */
  async resume(threadId: string, overrides: SettingsOverrides, originator: string): Promise<{ thread: LoadedThread; loadedNow: boolean }> {
    const existing = this.loaded.get(threadId);
    if (existing) return { thread: existing, loadedNow: false };
    const rolloutPath = await this.deps.store.find(threadId, false);
    if (!rolloutPath) throw new ThreadError('no-rollout', `no rollout found for thread id ${threadId}`);
    const lock = this.lockOrThrow(threadId);
    try {
      const thread = await loadStoredThread(this.deps.store, this.deps.clock, rolloutPath, lock, (createdAtMs, storedOriginator, stored) =>
        this.settingsFor({ threadId, createdAtMs, originator: storedOriginator ?? originator }, overrides, stored),
      );
      // What another process appended without projecting it (or a projection never made) is projected now, so
      // the reference reads every turn of this thread without loading it.
      await this.projector.catchUp(thread, thread.writer?.ordinal ?? 0);
      this.loaded.set(threadId, thread);
      return { thread, loadedNow: true };
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /**
   * A new thread continuing a stored one. Materialised at once: its file starts with a `session_meta` that
   * names the source (`forked_from_id`) followed by a copy of the source's lines, so it reads on its own.
   */
  async fork(sourceId: string, overrides: SettingsOverrides, originator: string, ephemeral: boolean): Promise<LoadedThread> {
    const sourcePath = this.loaded.get(sourceId)?.rolloutPath ?? (await this.deps.store.find(sourceId, false));
    if (!sourcePath || (this.loaded.get(sourceId) && !this.loaded.get(sourceId)?.materialized)) throw new ThreadError('no-rollout', `no rollout found for thread id ${sourceId}`);
    const { lines: sourceLines } = await this.deps.store.readWithLineage(sourcePath);
    const history = rebuildHistory(sourceLines);
    const source = await this.deps.store.storedThread(sourcePath);
    const thread = this.start({ model: history.model, ...withoutEmpty(overrides) }, originator, ephemeral);
    Object.assign(thread.origin, { forkedFromId: sourceId });
    thread.turns = history.turns;
    thread.modelInput = history.modelInput;
    if (history.totalUsage) thread.totalUsage = history.totalUsage;
    thread.preview = source?.preview ?? '';
    thread.name = source?.name ?? null;
    if (thread.writer) {
      const copied = sourceLines.filter((l) => l.type !== 'session_meta').map((l) => ({ type: l.type, payload: l.payload, ...(l.metadata ? { metadata: l.metadata } : {}) }));
      const appended = await thread.writer.append([sessionMetaLine(thread.settings, { forked_from_id: sourceId }), ...copied]);
      await this.projector.afterAppend(thread, appended);
      thread.historySequence = copied.filter((l) => l.type === 'response_item').length;
      if (thread.name) await this.deps.store.appendName(thread.id, thread.name, this.deps.clock.nowMs());
      this.indexFork(thread);
    }
    return thread;
  }

  /**
   * A fork's rollout exists at once, so its DB row must too (as in the reference, which otherwise logs
   * `state db discrepancy … upsert_needed` and repairs it; our `useStateDbOnly` listing would miss the fork).
   */
  private indexFork(thread: LoadedThread): void {
    try {
      this.deps.stateDb?.upsertThread(indexRowOf(thread, this.deps.clock.nowMs()));
    } catch (err) {
      this.deps.log.warn({ err, threadId: thread.id }, 'state db update failed; the rollout stays the truth');
    }
  }

  /**
   * SPEC §9: archives the thread (its rollout must exist), unloading it here, then its spawned descendants
   * deepest first; a descendant that fails is logged and skipped. Returns the ids archived, parent first.
   */
  async archive(threadId: string): Promise<string[]> {
    const loaded = this.loaded.get(threadId);
    // Seed rule (SPEC §10.1): a thread that never ran a turn has no rollout and cannot be archived.
    if (loaded && !loaded.materialized) throw new ThreadError('no-rollout', `no rollout found for thread id ${threadId}`);
    if (!loaded && !(await this.deps.store.find(threadId, false))) throw new ThreadError('no-rollout', `no rollout found for thread id ${threadId}`);
    // Like the reference, refuse to move a rollout that another process (ours or the reference) has loaded:
    // hold the thread's writer lock while archiving.
    // (Unloading here releases ours, so only another process can make this fail.)
    if (loaded) await this.unload(loaded);
    await this.withWriterLock(threadId, () => this.deps.store.archive(threadId));
    const archived = [threadId];
    for (const child of this.descendantsDeepestFirst(threadId)) {
      try {
        const childLoaded = this.loaded.get(child);
        if (childLoaded) await this.unload(childLoaded);
        if (!(await this.deps.store.find(child, false))) continue;
        await this.withWriterLock(child, () => this.deps.store.archive(child));
        archived.push(child);
      } catch (error) {
        this.deps.log.warn({ err: error, threadId: child, parent: threadId }, 'failed to archive spawned descendant; leaving it active');
      }
    }
    return archived;
  }

  /** Runs `work` holding `threadId`'s writer lock; `thread <id> already has an active writer` when another process has it. */
  private async withWriterLock<T>(threadId: string, work: () => Promise<T>): Promise<T> {
    const lock = this.lockOrThrow(threadId);
    try {
      return await work();
    } finally {
      lock.release();
    }
  }

  private descendantsDeepestFirst(threadId: string): string[] {
    try {
      return (this.deps.stateDb?.descendants(threadId) ?? []).slice().reverse();
    } catch (error) {
      this.deps.log.warn({ err: error }, 'could not read spawn edges');
      return [];
    }
  }

  /**
   * `thread/delete`: a thread loaded here is unloaded first (its subscribers see `notLoaded`); then, holding its
   * writer lock (refused while another process writes it), its rollout is removed and its database rows dropped.
   * `no-rollout` when there is no such thread.
   */
  async delete(threadId: string): Promise<void> {
    const loaded = this.loaded.get(threadId);
    if (loaded && !loaded.materialized) throw new ThreadError('no-rollout', `no rollout found for thread id ${threadId}`);
    if (!loaded && !(await this.deps.store.find(threadId, false)) && !(await this.deps.store.find(threadId, true))) {
      throw new ThreadError('no-rollout', `no rollout found for thread id ${threadId}`);
    }
    if (loaded) await this.unload(loaded);
    await this.withWriterLock(threadId, async () => {
      await this.deps.store.delete(threadId);
      try {
        this.deps.stateDb?.deleteThread?.(threadId);
      } catch (error) {
        this.deps.log.warn({ err: error, threadId }, 'state db delete failed');
      }
    });
  }

  /** Moves an archived thread back; answers it as stored (`notLoaded`). */
  async unarchive(threadId: string): Promise<ThreadFacts> {
    if (this.loaded.has(threadId)) throw new ThreadError('active-writer', `thread ${threadId} already has an active writer`);
    const restored = await this.deps.store.unarchive(threadId);
    const stored = await this.deps.store.storedThread(restored);
    if (!stored) throw new ThreadStoreError('io', `failed to read restored rollout ${restored}`);
    return this.storedFacts(stored);
  }

  /** Unloads a thread: ends its turn, closes its writer, releases its lock and drops subscriptions. */
  private async unload(thread: LoadedThread): Promise<void> {
    await thread.interruptAndSettle();
    await this.closeTools(thread);
    this.loaded.delete(thread.id);
    thread.status = { type: 'notLoaded' };
    this.deps.sink.thread(thread.id, 'thread/status/changed', { threadId: thread.id, status: thread.status });
    this.deps.sink.unloaded(thread.id);
    await thread.writer?.close();
    thread.lock?.release();
  }

  async setName(threadId: string, name: string): Promise<void> {
    if (name.trim() === '') throw new ThreadError('invalid-request', 'thread name must not be empty');
    const loaded = this.loaded.get(threadId);
    if (!loaded && !(await this.deps.store.find(threadId, false)) && !(await this.deps.store.find(threadId, true))) {
      throw new ThreadError('no-rollout', `no rollout found for thread id ${threadId}`);
    }
    if (loaded) loaded.name = name;
    const now = this.deps.clock.nowMs();
    if (!loaded?.ephemeral) await this.deps.store.appendName(threadId, name, now);
    try {
      this.deps.stateDb?.setName(threadId, name, now);
    } catch (error) {
      this.deps.log.warn({ err: error }, 'state db name update failed');
    }
  }

  /** turn/start: a new turn, or the input steered into the running one (SPEC §4.2); `turn` as the answer shows it. */
  startTurn(threadId: string, input: JsonObject[], overrides: SettingsOverrides, origin: TurnOrigin = {}): { turn: TurnFacts; steered: boolean } {
    const thread = this.loaded.get(threadId);
    if (!thread) throw new ThreadError('thread-not-found', `thread not found: ${threadId}`);
    if (thread.active) {
      const turn = this.steerInto(thread.active, input, null);
      return { turn: { ...turn, items: [], itemsView: 'notLoaded', startedAtMs: null }, steered: true };
    }
    applyOverrides(thread.settings, overrides, this.deps.defaults.cwd);
    const { clock, ids } = this.deps;
    const turn: TurnFacts = { id: ids.uuid7(), items: [], itemsView: 'full', status: 'inProgress', error: null, startedAtMs: clock.nowMs(), completedAtMs: null, durationMs: null };
    if (!isKnownModel(thread.settings.model)) {
      this.deps.sink.thread(threadId, 'warning', { threadId, message: unknownModelWarning(thread.settings.model) });
    }
    const active: ActiveTurn = { turn, controller: new AbortController(), request: null, pendingInputs: [], interrupted: false, done: Promise.resolve() };
    thread.active = active;
    thread.turns.push(turn);
    const runner = new TurnRunner(thread, active, { ...this.deps, userAgent: this.deps.userAgent(thread.settings.originator, origin.client), stateDb: this.deps.stateDb, projector: this.projector, tools: this.turnTools(thread, origin.approvals ?? NO_APPROVALS) });
    // The response goes out first: the runner starts on the next macrotask, after the reply is written.
    active.done = new Promise<void>((resolve) => setImmediate(() => void runner.run(input).finally(resolve)));
    return { turn: { ...turn, itemsView: 'notLoaded', startedAtMs: null }, steered: false };
  }

  /**
   * `thread/compact/start`: checks the thread now (`thread not found: …`); the returned start runs the compaction
   * turn once the answer is out. Reference behaviour: a running turn is interrupted first (its `turn/completed
   * interrupted` comes before the compaction's `turn/started`).
   */
  compact(threadId: string, origin: TurnOrigin = {}): () => void {
    const thread = this.loaded.get(threadId);
    if (!thread) throw new ThreadError('thread-not-found', `thread not found: ${threadId}`);
    const { clock, ids } = this.deps;
    return () => {
      const previous = thread.active;
      if (previous) {
        previous.interrupted = true;
        previous.onInterrupt?.();
        previous.controller.abort();
      }
      const turn: TurnFacts = { id: ids.uuid7(), items: [], itemsView: 'full', status: 'inProgress', error: null, startedAtMs: null, completedAtMs: null, durationMs: null };
      const active: ActiveTurn = { turn, controller: new AbortController(), request: null, pendingInputs: [], interrupted: false, done: Promise.resolve() };
      const runner = new TurnRunner(thread, active, { ...this.deps, userAgent: this.deps.userAgent(thread.settings.originator, origin.client), stateDb: this.deps.stateDb, projector: this.projector, tools: this.turnTools(thread, origin.approvals ?? NO_APPROVALS) });
      active.done = (previous?.done ?? Promise.resolve()).then(() => {
        turn.startedAtMs = clock.nowMs();
        thread.active = active;
        thread.turns.push(turn);
        return runner.runCompaction();
      });
    };
  }

  /**
   * `turn/steer`: adds `input` to the running turn, which must be `expectedTurnId`; returns that turn's id. Errors in
   * the reference's order and texts: `thread not found: <id>`, `no active turn to steer`, ``expected active turn id
   * `<expected>` but found `<actual>` ``, then `input must not be empty`.
   */
  steer(threadId: string, input: JsonObject[], expectedTurnId: string, clientId: string | null): string {
    const thread = this.get(threadId);
    if (!thread) throw new ThreadError('thread-not-found', `thread not found: ${threadId}`);
    const active = thread.active;
    if (!active) throw new ThreadError('no-active-turn', 'no active turn to steer');
    if (active.turn.id !== expectedTurnId) throw new ThreadError('invalid-request', `expected active turn id \`${expectedTurnId}\` but found \`${active.turn.id}\``);
    if (input.length === 0) throw new ThreadError('invalid-request', 'input must not be empty');
    return this.steerInto(active, input, clientId).id;
  }

  /**
   * Queues input for the running turn and abandons its model request in flight (on the next macrotask, after the
   * answer is written): the runner records the input and asks the model again within the same turn (SPEC §4.2).
   */
  private steerInto(active: ActiveTurn, input: JsonObject[], clientId: string | null): TurnFacts {
    active.pendingInputs.push({ input, clientId });
    const request = active.request;
    setImmediate(() => request?.abort());
    return active.turn;
  }

  /** The toolset of the thread (made with its first turn) and the policies of this turn. */
  private turnTools(thread: LoadedThread, approvals: ApprovalPort): TurnToolDeps {
    const tools = this.deps.tools;
    if (tools && !thread.toolset) thread.toolset = tools.createToolset({ threadId: thread.id, cwd: thread.settings.cwd });
    return {
      approvals,
      approvalPolicy: approvalPolicyOf(thread.settings.approvalPolicy),
      sandbox: sandboxPolicyOf(thread.settings.sandboxMode, thread.settings.workspaceWrite ?? DEFAULT_WORKSPACE_WRITE),
      env: tools?.env ?? {},
      codexHome: tools?.codexHome ?? '',
    };
  }

  /** Kills what the thread's tools started (command sessions); never throws. */
  private async closeTools(thread: LoadedThread): Promise<void> {
    const toolset = thread.toolset;
    thread.toolset = null;
    await toolset?.close().catch((err: unknown) => this.deps.log.error({ err, threadId: thread.id }, 'failed to close the thread tools'));
  }

  interrupt(threadId: string): void {
    const thread = this.loaded.get(threadId);
    if (!thread) throw new ThreadError('thread-not-found', `thread not found: ${threadId}`);
    const active = thread.active;
    if (!active) throw new ThreadError('no-active-turn', 'no active turn to interrupt');
    active.interrupted = true;
    active.onInterrupt?.();
    setImmediate(() => active.controller.abort());
  }

  /**
   * A stored thread as read/list/unarchive answer it: its live state when it is loaded here. `gitInfo` when the
   * caller already looked it up (a listed page asks for all its threads at once), else it is looked up here.
   */
  private storedFacts(stored: StoredThread, gitInfo?: GitInfo | null): ThreadFacts {
    const loaded = this.loaded.get(stored.id);
    // A rollout that names no provider shows the configured one, as a DB row for it does (`model_provider`).
    const facts = loaded
      ? loadedThreadFacts(loaded, { directInput: null })
      : storedThreadFacts(stored.modelProvider === null ? { ...stored, modelProvider: this.deps.defaults.modelProvider } : stored);
    return this.withGitInfo(facts, gitInfo);
  }

  /** `facts` with the thread's stored Git metadata (`known`, else looked up), when the state DB has some. */
  private withGitInfo(facts: ThreadFacts, known?: GitInfo | null): ThreadFacts {
    let gitInfo = known ?? null;
    if (known === undefined) {
      try {
        gitInfo = this.deps.stateDb?.gitInfo?.(facts.id) ?? null;
      } catch (error) {
        this.deps.log.warn({ err: error }, 'git metadata lookup failed');
      }
    }
    return gitInfo ? { ...facts, gitInfo } : facts;
  }

  /**
   * `thread/metadata/update`: patches the stored Git metadata (absent: unchanged, null: cleared) of a stored thread
   * and answers the thread as `thread/read` would. `projectId` names a project, and this server has none, so only
   * `""` (clear) is accepted. Checks and texts are the reference's.
   */
  async updateMetadata(threadId: string, update: { gitInfo: Partial<GitInfo> | null; projectId: string | null; hasDaybreak: boolean }): Promise<ThreadFacts> {
    const git = update.gitInfo ?? {};
    const gitFields = (['sha', 'branch', 'originUrl'] as const).filter((key) => git[key] !== undefined);
    if (gitFields.length === 0 && update.projectId === null && !update.hasDaybreak) {
      throw new ThreadError('invalid-request', 'thread metadata update must include at least one field');
    }
    for (const key of gitFields) {
      if (git[key] === '') throw new ThreadError('invalid-request', `gitInfo.${key} must not be empty`);
    }
    if (update.projectId !== null && update.projectId !== '') throw new ThreadError('invalid-request', `project not found: ${update.projectId}`);
    const rolloutPath = (await this.deps.store.find(threadId, false)) ?? (await this.deps.store.find(threadId, true));
    const loaded = this.loaded.get(threadId);
    if (!rolloutPath && !loaded?.materialized) throw new ThreadError('no-rollout', `no rollout found for thread id ${threadId}`);
    if (gitFields.length > 0) this.deps.stateDb?.updateGitInfo?.(threadId, Object.fromEntries(gitFields.map((key) => [key, git[key]])));
    if (loaded) return this.withGitInfo(loadedThreadFacts(loaded, { directInput: null }));
    const stored = rolloutPath ? await this.deps.store.storedThread(rolloutPath) : null;
    if (!stored) throw new ThreadError('no-rollout', `no rollout found for thread id ${threadId}`);
    return this.storedFacts({ ...stored, rolloutPath: path.resolve(rolloutPath!) });
  }

  /**
   * `thread/read`: a loaded thread from memory; a stored one (active or archived) from its file, its turns
   * rebuilt (with fork lineage) only when asked for. `not-loaded` when neither exists.
   */
  read(threadId: string, includeTurns: boolean): Promise<ThreadRead> {
    return readThread(this.queryDeps, threadId, includeTurns);
  }

  /**
   * After a config write: threads started from now on take the new default model, approval policy and sandbox
   * mode, as the reference re-reads config.toml for each new thread. The provider (and its client) stays.
   */
  updateDefaults(next: Pick<ThreadDefaults, 'model' | 'approvalPolicy' | 'sandboxMode' | 'sandboxModeSet' | 'workspaceWrite'>): void {
    this.deps.defaults = { ...this.deps.defaults, ...next };
  }

  /** `thread/turns/list`: a page of the thread's projected turns (`history-pages.ts`). */
  async listTurns(request: TurnsPageRequest): Promise<HistoryPage<Record<string, unknown>>> {
    await this.historyReady(request.threadId);
    return turnsPage(this.deps.stateDb?.history?.pages ?? null, request);
  }

  /** `thread/items/list`: a page of the thread's projected items. */
  async listItems(request: ItemsPageRequest): Promise<HistoryPage<ItemEntry>> {
    await this.historyReady(request.threadId);
    return itemsPage(this.deps.stateDb?.history?.pages ?? null, request);
  }

  /** The paging cursors of `thread/resume` in the reference's numbering, or null without a projection. */
  resumeCursors(threadId: string): { turns: string | null; items: string | null } | null {
    return resumeCursors(this.deps.stateDb?.history?.pages ?? null, threadId);
  }

  /** Waits for a loaded thread's pending projection; refuses a thread that is neither loaded nor stored. */
  private async historyReady(threadId: string): Promise<void> {
    const loaded = this.loaded.get(threadId);
    if (loaded) {
      await loaded.projection;
      return;
    }
    const stored = (await this.deps.store.find(threadId, false)) ?? (await this.deps.store.find(threadId, true));
    if (!stored) throw new ThreadError('not-loaded', `thread not loaded: ${threadId}`);
  }

  /** `thread/list`: one page of stored threads (live state for those loaded here) with their read states. */
  list(request: ThreadListRequest): Promise<ThreadListPage> {
    return listThreads(this.queryDeps, request);
  }

  /**
   * `thread/search`: threads whose preview, name, visible messages or id hold the term (literal, case-insensitive),
   * from the state DB's full-text index, or from a scan of the rollouts when there is none.
   */
  search(request: ThreadSearchRequest): Promise<ThreadSearchResultPage> {
    return searchThreads(this.queryDeps, request);
  }

  /** `thread/searchOccurrences`: each occurrence of the term in one thread's visible messages, in order. */
  searchOccurrences(request: OccurrencesRequest): Promise<{ data: ThreadOccurrence[]; nextCursor: string | null }> {
    return searchOccurrences(this.queryDeps, request);
  }

  /** `account/read`: the login the configured provider uses (see `account.ts` for the reference's rules). */
  readAccount(): Promise<AccountRead> {
    return readAccount(this.deps.auth);
  }

  /** Legacy `getAuthStatus`: the stored credential's kind, and the credential itself when asked for. */
  authStatus(includeToken: boolean): Promise<AuthStatus> {
    return authStatus(this.deps.auth, includeToken);
  }

  /** `account/rateLimits/read`: always the reference's error for the stored login (no ChatGPT backend here). */
  readRateLimits(): Promise<never> {
    return readRateLimits(this.deps.auth);
  }

  /** End of process: interrupt running turns (their lines are flushed), close writers, release locks. */
  async shutdown(): Promise<void> {
    clearInterval(this.idleTimer);
    await Promise.all([...this.loaded.values()].map((thread) => this.unloadQuietly(thread)));
  }

  private async unloadQuietly(thread: LoadedThread): Promise<void> {
    try {
      await thread.interruptAndSettle();
      await this.closeTools(thread);
      await thread.writer?.close();
    } catch (error) {
      this.deps.log.error({ err: error, threadId: thread.id }, 'failed to close thread');
    } finally {
      thread.lock?.release();
      this.loaded.delete(thread.id);
    }
  }

  private lockOrThrow(threadId: string): ThreadLock {
    const lock = this.deps.store.tryLock(threadId);
    if (!lock) throw new ThreadError('active-writer', `thread ${threadId} already has an active writer`);
    return lock;
  }

  private settingsFor(identity: { threadId: string; createdAtMs: number; originator: string }, overrides: SettingsOverrides, stored: StoredSettings | null) {
    return threadSettings(this.deps.defaults, { ...identity, windowId: this.deps.ids.uuid7() }, overrides, stored);
  }
}
