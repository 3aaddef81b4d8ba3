import { isRecord } from '../../support/json-values.js';
import type { SessionSource } from '../../rollout/types.js';
import type { Thread, ThreadReadState } from '../../protocol/thread.js';
import type { Turn } from '../../protocol/turn.js';
import type { ReadState, ThreadStatus } from '../facts.js';
import { seconds } from './turn.js';

/**
 * The one renderer of the v2 `Thread` shape, fed by plain domain values. It lives in threads/ (not server/)
 * because the thread layer emits notifications that carry a Thread (`thread/started`) or a Turn
 * (`turn/started`, `turn/completed`), and server/ renders results with the same functions. Objects are built
 * as literals in the reference's key order: clients that compare JSON text (and our tests) see that order.
 */


/** Plain facts about a thread, loaded or stored, from which its wire shape is rendered. */
export interface ThreadFacts {
  id: string;
  loaded: boolean;
  cwd: string;
  forkedFromId: string | null;
  parentThreadId: string | null;
  preview: string;
  ephemeral: boolean;
  modelProvider: string | null;
  model: string | null;
  createdAtMs: number;
  updatedAtMs: number;
  recencyAtMs: number;
  status: ThreadStatus;
  path: string | null;
  cliVersion: string;
  originator: string;
  source: SessionSource;
  agentNickname: string | null;
  agentRole: string | null;
  name: string | null;
  /** `canAcceptDirectInput`: true for loaded threads in start/resume/fork/read, null elsewhere. */
  directInput: boolean | null;
  /** Stored Git metadata (`thread/metadata/update`); absent means none. */
  gitInfo?: { sha: string | null; branch: string | null; originUrl: string | null } | null;
}

/** The v2 `Thread` object (SPEC §3). `turns` are already rendered (`renderTurn`). */
export function renderThread(t: ThreadFacts, turns: Turn[]): Thread {
  return {
    id: t.id,
    environments: t.loaded ? [{ environmentId: 'local', cwd: t.cwd, runtimeWorkspaceRoots: [t.cwd] }] : null,
    extra: null,
    sessionId: t.id,
    forkedFromId: t.forkedFromId,
    attachedToThreadId: null,
    parentThreadId: t.parentThreadId,
    preview: t.preview,
    ephemeral: t.ephemeral,
    section: null,
    sectionEnteredAt: null,
    projectId: null,
    historyMode: 'paginated',
    // A stored thread without a provider renders null, as before the renderer was typed; the v2 schema wants a
    // string (the reference substitutes its configured provider): TODO(#15) with config/read.
    modelProvider: t.modelProvider as string,
    model: t.model,
    reasoningEffort: null,
    createdAt: seconds(t.createdAtMs),
    updatedAt: seconds(t.updatedAtMs),
    recencyAt: seconds(t.recencyAtMs),
    status: t.status,
    path: t.path,
    cwd: t.cwd,
    cliVersion: t.cliVersion,
    originator: t.originator,
    source: sourceWire(t.source),
    canAcceptDirectInput: t.directInput,
    threadSource: null,
    agentNickname: t.agentNickname,
    agentRole: t.agentRole,
    gitInfo: t.gitInfo ?? null,
    name: t.name,
    daybreakEnabled: null,
    turns,
  };
}

/** Rollouts spell sub-agent sources `{"subagent":…}`; the v2 wire spells them `{"subAgent":…}`. */
export function sourceWire(source: SessionSource): Thread['source'] {
  if (isRecord(source) && 'subagent' in source) return { subAgent: source['subagent'] } as Thread['source'];
  return source as Thread['source'];
}


/** The `readStates` entry of a thread. */
export function renderReadState(state: ReadState): ThreadReadState {
  return { firstUnread: state.firstUnreadTurnId ? { type: 'turn', turnId: state.firstUnreadTurnId } : null, revision: state.revision };
}
