import { FALLBACK_CONTEXT_WINDOW } from '../../threads/catalog.js';
import { requireThreadId } from '../../threads/errors.js';
import type { SettingsOverrides } from '../../threads/settings.js';
import type { JsonObject } from '../../support/json-values.js';
import { renderThread } from '../../threads/render/thread.js';
import { renderTurn } from '../../threads/render/turn.js';
import { loadedThreadFacts } from '../../threads/thread-facts.js';
import type { Handler, RequestContext } from '../context.js';
import { resumeResult, startResult } from './thread-results.js';

interface OverrideParams {
  model?: string | null;
  modelProvider?: string | null;
  cwd?: string | null;
  approvalPolicy?: string | null;
  sandbox?: string | null;
}

export interface ThreadStartParams extends OverrideParams {
  ephemeral?: boolean | null;
}
export interface ThreadResumeParams extends OverrideParams {
  threadId: string;
  excludeTurns?: boolean | null;
}
export interface ThreadForkParams extends ThreadResumeParams {
  ephemeral?: boolean | null;
}

const RESUME_DEPRECATION =
  'Full-history hydration is deprecated for paginated threads; use `excludeTurns: true`, then page with `thread/turns/list` and `thread/items/list`.';

function overrides(p: OverrideParams): SettingsOverrides {
  return { model: p.model, modelProvider: p.modelProvider, cwd: p.cwd, approvalPolicy: p.approvalPolicy, sandbox: p.sandbox };
}

function deprecation(cx: RequestContext, summary: string): void {
  cx.connection.notify('deprecationNotice', { summary, details: null });
}

export const handleThreadStart: Handler<ThreadStartParams> = (params, cx) => {
  const thread = cx.threads.start(overrides(params), cx.connection.clientName, params.ephemeral === true);
  cx.notifier.subscribe(thread.id, cx.connection);
  const wire = renderThread(loadedThreadFacts(thread), []);
  return { result: startResult(thread, wire), after: () => cx.notifier.thread(thread.id, 'thread/started', { thread: wire }) };
};

export const handleThreadResume: Handler<ThreadResumeParams> = async (params, cx) => {
  const threadId = requireThreadId(params.threadId, 'session');
  const withTurns = params.excludeTurns !== true;
  if (withTurns) deprecation(cx, RESUME_DEPRECATION);
  const { thread, loadedNow } = await cx.threads.resume(threadId, overrides(params), cx.connection.clientName);
  cx.notifier.subscribe(thread.id, cx.connection);
  if (loadedNow) cx.connection.notify('thread/status/changed', { threadId, status: thread.status });
  const turns: JsonObject[] = withTurns ? thread.turns.map((t) => renderTurn({ ...t, itemsView: 'full' })) : [];
  const usage = thread.lastUsage;
  return {
    result: resumeResult(thread, renderThread(loadedThreadFacts(thread), turns)),
    after: () => {
      if (withTurns && usage) {
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

export const handleThreadFork: Handler<ThreadForkParams> = async (params, cx) => {
  const sourceId = requireThreadId(params.threadId, 'session');
  const withTurns = params.excludeTurns !== true;
  if (withTurns) deprecation(cx, RESUME_DEPRECATION);
  const thread = await cx.threads.fork(sourceId, overrides(params), cx.connection.clientName, params.ephemeral === true);
  cx.notifier.subscribe(thread.id, cx.connection);
  const turns = withTurns ? thread.turns.map((t) => renderTurn({ ...t, itemsView: 'full' })) : [];
  const wire = renderThread(loadedThreadFacts(thread, { showForkedFrom: true }), turns);
  return { result: startResult(thread, wire), after: () => cx.notifier.thread(thread.id, 'thread/started', { thread: wire }) };
};
