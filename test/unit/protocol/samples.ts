/**
 * Sample wire objects built the way the server builds them (object literals in SPEC §3/§4 key order),
 * shared by the protocol tests.
 */
import type {
  AgentMessageItem,
  ReasoningItem,
  Thread,
  ThreadStartResponse,
  ThreadTokenUsage,
  Turn,
  TurnError,
  UserMessageItem,
} from '../../../src/protocol/index.js';

export const THREAD_ID = '01a211bb-3488-7891-b8fe-267dd738d32e';
export const TURN_ID = '01a211bb-37a3-75f2-ab41-4c6341fc5a55';
export const CWD = '/home/u/project';

export function loadedThread(): Thread {
  return {
    id: THREAD_ID,
    environments: [{ environmentId: 'local', cwd: CWD, runtimeWorkspaceRoots: [CWD] }],
    extra: null,
    sessionId: THREAD_ID,
    forkedFromId: null,
    attachedToThreadId: null,
    parentThreadId: null,
    preview: '',
    ephemeral: false,
    section: null,
    sectionEnteredAt: null,
    projectId: null,
    historyMode: 'paginated',
    modelProvider: 'mock_provider',
    model: 'mock-model',
    reasoningEffort: null,
    createdAt: 1795487494,
    updatedAt: 1795487494,
    recencyAt: 1795487494,
    status: { type: 'idle' },
    path: `/home/u/.codex/sessions/2026/11/24/rollout-2026-11-24T02-31-34-${THREAD_ID}.jsonl`,
    cwd: CWD,
    cliVersion: '0.169.0',
    originator: 'my_client',
    source: 'vscode',
    canAcceptDirectInput: true,
    threadSource: null,
    agentNickname: null,
    agentRole: null,
    gitInfo: null,
    name: null,
    daybreakEnabled: null,
    turns: [],
  };
}

export function userItem(): UserMessageItem {
  return {
    type: 'userMessage',
    id: '01a211bb-4000-7000-8000-000000000001',
    clientId: null,
    content: [{ type: 'text', text: 'hello', text_elements: [] }],
    startedAtMs: 1795487495175,
    completedAtMs: 1795487495175,
  };
}

export function agentItem(completed = true): AgentMessageItem {
  return {
    type: 'agentMessage',
    moderation: null,
    id: 'msg_mock_1',
    text: completed ? 'Done' : '',
    phase: null,
    memoryCitation: null,
    delivery: null,
    questions: null,
    startedAtMs: 1795487495192,
    completedAtMs: completed ? 1795487495192 : null,
  };
}

export function reasoningItem(): ReasoningItem {
  return {
    type: 'reasoning',
    id: 'rs_1',
    summary: ['Thinking about it'],
    content: [],
    startedAtMs: 1795487495180,
    completedAtMs: 1795487495190,
  };
}

export function turnError(): TurnError {
  return {
    message: 'unexpected status 401 Unauthorized: bad key, url: http://127.0.0.1:1/v1/responses',
    codexErrorInfo: { httpConnectionFailed: { httpStatusCode: 401 } },
    additionalDetails: null,
    misalignment: null,
  };
}

export function inProgressTurn(): Turn {
  return {
    id: TURN_ID,
    rootTurnId: TURN_ID,
    items: [],
    itemsView: 'notLoaded',
    status: 'inProgress',
    error: null,
    startedAt: null,
    completedAt: null,
    durationMs: null,
  };
}

export function completedTurn(): Turn {
  return {
    id: TURN_ID,
    rootTurnId: TURN_ID,
    items: [userItem(), reasoningItem(), agentItem()],
    itemsView: 'full',
    status: 'completed',
    error: null,
    startedAt: 1795487495,
    completedAt: 1795487495,
    durationMs: 57,
  };
}

export function failedTurn(): Turn {
  return { ...inProgressTurn(), status: 'failed', error: turnError(), startedAt: 1795487495, completedAt: 1795487496, durationMs: 812 };
}

export function tokenUsage(): ThreadTokenUsage {
  const b = {
    totalTokens: 30,
    inputTokens: 20,
    cachedInputTokens: 0,
    cacheWriteInputTokens: 0,
    outputTokens: 10,
    reasoningOutputTokens: 0,
  };
  return { total: b, last: { ...b }, modelContextWindow: 258400 };
}

export function threadStartResponse(): ThreadStartResponse {
  return {
    thread: loadedThread(),
    model: 'mock-model',
    modelProvider: 'mock_provider',
    serviceTier: null,
    disabledPluginIds: [],
    cwd: CWD,
    runtimeWorkspaceRoots: [CWD],
    instructionSources: [],
    approvalPolicy: 'never',
    approvalsReviewer: 'user',
    sandbox: { type: 'readOnly', networkAccess: false },
    activePermissionProfile: null,
    reasoningEffort: null,
    multiAgentMode: 'explicitRequestOnly',
  };
}
