/** A ToolContext that records what a tool reports, with a scripted approval answer. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ApprovalDecision, ApprovalRequest } from '../../../../src/tools/approval.js';
import type { SandboxPolicy } from '../../../../src/tools/sandbox/policy.js';
import type { ApprovalPolicy, ToolCall, ToolContext } from '../../../../src/tools/tool.js';

export interface Recorded {
  events: Array<{ kind: 'started' | 'completed' | 'event'; method?: string; payload: Record<string, unknown> }>;
  records: Array<Record<string, unknown>>;
  approvals: ApprovalRequest[];
}

export const FULL_ACCESS: SandboxPolicy = { mode: 'danger-full-access', writableRoots: [], networkAccess: true, excludeSlashTmp: false, excludeTmpdirEnvVar: false };
export const READ_ONLY: SandboxPolicy = { mode: 'read-only', writableRoots: [], networkAccess: false, excludeSlashTmp: false, excludeTmpdirEnvVar: false };
export const WORKSPACE: SandboxPolicy = { mode: 'workspace-write', writableRoots: [], networkAccess: false, excludeSlashTmp: false, excludeTmpdirEnvVar: false };

export function tempDir(prefix = 'exec-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function fakeContext(options: {
  cwd: string;
  sandbox?: SandboxPolicy;
  approvalPolicy?: ApprovalPolicy;
  decision?: ApprovalDecision;
  signal?: AbortSignal;
  codexHome?: string;
  env?: Record<string, string | undefined>;
}): { cx: ToolContext; rec: Recorded } {
  const rec: Recorded = { events: [], records: [], approvals: [] };
  let ids = 0;
  const cx: ToolContext = {
    threadId: 'thread-1',
    turnId: 'turn-1',
    model: 'mock-model',
    cwd: options.cwd,
    sandbox: options.sandbox ?? FULL_ACCESS,
    approvalPolicy: options.approvalPolicy ?? 'never',
    signal: options.signal ?? new AbortController().signal,
    env: options.env ?? { PATH: process.env['PATH'], HOME: process.env['HOME'] },
    codexHome: options.codexHome ?? path.join(options.cwd, '.no-codex-home'),
    nowMs: () => Date.now(),
    newId: () => `id-${++ids}`,
    itemStarted: (item) => void rec.events.push({ kind: 'started', payload: item }),
    itemEvent: (method, params) => void rec.events.push({ kind: 'event', method, payload: params }),
    itemCompleted: (item) => void rec.events.push({ kind: 'completed', payload: item }),
    record: async (messages) => void rec.records.push(...messages),
    approve: async (request) => {
      // The runner's context announces the command's item when it asks (after the waitingOnApproval status).
      if ('startItem' in request && request.startItem) rec.events.push({ kind: 'started', payload: request.startItem });
      rec.approvals.push(request);
      return options.decision ?? 'decline';
    },
  };
  return { cx, rec };
}

let calls = 0;
export function execCall(args: unknown, name = 'exec_command'): ToolCall {
  calls += 1;
  return { type: 'function_call', name, callId: `call_${calls}`, input: typeof args === 'string' ? args : JSON.stringify(args) };
}

/** The text after `Output:\n` of a tool answer. */
export function outputOf(text: string): string {
  const at = text.indexOf('Output:\n');
  return at < 0 ? '' : text.slice(at + 'Output:\n'.length);
}

/** The session id of a `Process running with session ID N` answer. */
export function sessionIdOf(text: string): number {
  const m = /Process running with session ID (\d+)/.exec(text);
  if (!m) throw new Error(`no session id in: ${text}`);
  return Number(m[1]);
}
