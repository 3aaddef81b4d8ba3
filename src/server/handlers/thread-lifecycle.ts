import { FALLBACK_CONTEXT_WINDOW } from '../../threads/catalog.js';
import { requireThreadId } from '../../threads/errors.js';
import type { ThreadStartParams } from '../../protocol/thread-start-params.js';
import type { SettingsOverrides } from '../../threads/settings.js';
import type { Turn } from '../../protocol/turn.js';
import { renderThread } from '../../threads/render/thread.js';
import { renderTurn } from '../../threads/render/turn.js';
import { loadedThreadFacts } from '../../threads/thread-facts.js';
import type { Handler, RequestContext } from '../context.js';
import { resumeResult, startResult } from './thread-results.js';
import { approvalPolicyIn } from './approval-policy-wire.js';

/** The settings start, resume and fork may override (the three share these fields). */
type OverrideParams = Pick<ThreadStartParams, 'model' | 'modelProvider' | 'cwd' | 'approvalPolicy' | 'sandbox'>;

const RESUME_DEPRECATION =
  'Full-history hydration is deprecated for paginated threads; use `excludeTurns: true`, then page with `thread/turns/list` and `thread/items/list`.';

function overrides(p: OverrideParams): SettingsOverrides {
  return { model: p.model, modelProvider: p.modelProvider, cwd: p.cwd, approvalPolicy: approvalPolicyIn(p.approvalPolicy), sandbox: p.sandbox };
}

function deprecation(cx: RequestContext, summary: string): void {
  cx.connection.notify('deprecationNotice', { summary, details: null });
}

export const handleThreadStart: Handler<'thread/start'> = (params, cx) => {
  for (const warning of cx.info.configWarnings ?? []) cx.connection.notify('configWarning', warning);
  const thread = cx.threads.start(overrides(params), cx.connection.clientName, params.ephemeral === true);
  cx.notifier.subscribe(thread.id, cx.connection);
  const wire = renderThread(loadedThreadFacts(thread), []);
  return { result: startResult(thread, wire), after: () => cx.notifier.thread(thread.id, 'thread/started', { thread: wire }) };
};

export const handleThreadResume: Handler<'thread/resume'> = async (params, cx) => {
  const threadId = requireThreadId(params.threadId, 'session');
  const withTurns = params.excludeTurns !== true;
  if (withTurns) deprecation(cx, RESUME_DEPRECATION);
  const { thread, loadedNow } = await cx.threads.resume(threadId, overrides(params), cx.connection.clientName);
  cx.notifier.subscribe(thread.id, cx.connection);
  if (loadedNow) cx.connection.notify('thread/status/changed', { threadId, status: thread.status });
  const turns: Turn[] = withTurns ? thread.turns.map((t) => renderTurn({ ...t, itemsView: 'full' })) : [];
  const usage = thread.lastUsage;
  return {
    result: resumeResult(thread, renderThread(loadedThreadFacts(thread), turns), cx.threads.resumeCursors(thread.id)),
    after: () => {
      // Reference behaviour: sent whenever the thread has usage, also with `excludeTurns: true`.
      if (usage) {
        cx.connection.notify('thread/tokenUsage/updated', {
          threadId,
          turnId: thread.turns.at(-1)?.id ?? null,
          tokenUsage: { total: thread.totalUsage, last: usage, modelContextWindow: FALLBACK_CONTEXT_WINDOW },
        });
      }
      cx.connection.notify('thread/goal/cleared', { threadId });
    },
  };
};

export const handleThreadFork: Handler<'thread/fork'> = async (params, cx) => {
  const sourceId = requireThreadId(params.threadId, 'session');
  const withTurns = params.excludeTurns !== true;
  if (withTurns) deprecation(cx, RESUME_DEPRECATION);
  const thread = await cx.threads.fork(sourceId, overrides(params), cx.connection.clientName, params.ephemeral === true);
  cx.notifier.subscribe(thread.id, cx.connection);
  const turns = withTurns ? thread.turns.map((t) => renderTurn({ ...t, itemsView: 'full' })) : [];
  const wire = renderThread(loadedThreadFacts(thread, { showForkedFrom: true }), turns);
  return { result: startResult(thread, wire), after: () => cx.notifier.thread(thread.id, 'thread/started', { thread: wire }) };
};
