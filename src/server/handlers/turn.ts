import { ThreadError, requireThreadId } from '../../threads/errors.js';
import { renderTurn } from '../../threads/render/turn.js';
import type { Handler } from '../context.js';
import { approvalPolicyIn } from './approval-policy-wire.js';
import { sandboxOverrides } from './sandbox-wire.js';


function loadedId(raw: string): string {
  // A malformed id can never name a loaded thread: answer as the reference does for unknown ones.
  try {
    return requireThreadId(raw, 'thread');
  } catch {
    throw new ThreadError('thread-not-found', `thread not found: ${raw}`);
  }
}

/**
 * Experimental `turn/start` params in the order the reference checks them (found pairwise against the reference: the
 * first present one is named): refused without the `experimentalApi` capability, before the thread id is looked at.
 */
const START_EXPERIMENTAL_FIELDS = [
  'responsesapiClientMetadata',
  'responsesapiClientMetadataPatch',
  'additionalContext',
  'environments',
  'runtimeWorkspaceRoots',
  'permissions',
  'collaborationMode',
  'multiAgentMode',
  'cyberAccessProgram',
] as const;

export const handleTurnStart: Handler<'turn/start'> = (params, cx) => {
  const experimental = cx.connection.experimentalApi ? undefined : START_EXPERIMENTAL_FIELDS.find((field) => params[field] != null);
  if (experimental) throw new ThreadError('invalid-request', `turn/start.${experimental} requires experimentalApi capability`);
  const threadId = loadedId(params.threadId);
  const overrides = { model: params.model, cwd: params.cwd, approvalPolicy: approvalPolicyIn(params.approvalPolicy), ...sandboxOverrides(params.sandboxPolicy) };
  const client = { name: cx.connection.clientName, version: cx.connection.clientVersion ?? '' };
  const { turn } = cx.threads.startTurn(threadId, params.input, overrides, { client, approvals: cx.connection.approvals });
  return { result: { turn: renderTurn(turn) } };
};

export const handleTurnInterrupt: Handler<'turn/interrupt'> = (params, cx) => {
  cx.threads.interrupt(loadedId(params.threadId));
  return { result: {} };
};

/**
 * `thread/compact/start`: answers `{}` and runs a compaction turn (reference texts: `invalid thread id: …` for a
 * malformed id, `thread not found: …` for one not loaded).
 */
export const handleThreadCompactStart: Handler<'thread/compact/start'> = (params, cx) => {
  const threadId = requireThreadId(params.threadId, 'thread');
  const client = { name: cx.connection.clientName, version: cx.connection.clientVersion ?? '' };
  const start = cx.threads.compact(threadId, { client, approvals: cx.connection.approvals });
  return { result: {}, after: start };
};

/** Experimental `turn/steer` params, in declaration order: refused without the `experimentalApi` capability. */
const STEER_EXPERIMENTAL_FIELDS = ['responsesapiClientMetadata', 'responsesapiClientMetadataPatch', 'additionalContext'] as const;

/**
 * `turn/steer`: a malformed id is `invalid thread id: …` (reference), unlike turn/start's `thread not found`. Reference
 * behaviour: an experimental field (present, not null) without the capability is refused before anything else.
 */
export const handleTurnSteer: Handler<'turn/steer'> = (params, cx) => {
  const experimental = cx.connection.experimentalApi ? undefined : STEER_EXPERIMENTAL_FIELDS.find((field) => params[field] != null);
  if (experimental) throw new ThreadError('invalid-request', `turn/steer.${experimental} requires experimentalApi capability`);
  const threadId = requireThreadId(params.threadId, 'thread');
  const turnId = cx.threads.steer(threadId, params.input, params.expectedTurnId, params.clientUserMessageId ?? null);
  return { result: { turnId } };
};
