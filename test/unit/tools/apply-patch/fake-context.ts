/** A ToolContext that records what a tool does, in order, with a manual clock and scripted approval answers. */
import type { JsonObject } from '../../../../src/support/json-values.js';
import type { ApprovalDecision, ApprovalRequest } from '../../../../src/tools/approval.js';
import type { SandboxMode, SandboxPolicy } from '../../../../src/tools/sandbox/policy.js';
import type { ApprovalPolicy, ToolContext } from '../../../../src/tools/tool.js';

export type Recorded =
  | { kind: 'item/started'; item: JsonObject }
  | { kind: 'item/completed'; item: JsonObject }
  | { kind: 'itemEvent'; method: string; params: JsonObject }
  | { kind: 'approve'; request: ApprovalRequest }
  | { kind: 'record'; payloads: JsonObject[] }
  | { kind: 'turn/diff/updated'; diff: string };

export interface FakeContext extends ToolContext {
  events: Recorded[];
  /** Answers for successive approvals (default `accept`). */
  decisions: ApprovalDecision[];
  clock: { ms: number };
}

export function sandboxOf(mode: SandboxMode, extra: Partial<SandboxPolicy> = {}): SandboxPolicy {
  return { mode, writableRoots: [], networkAccess: false, excludeTmpdirEnvVar: true, excludeSlashTmp: true, ...extra };
}

export function fakeContext(options: {
  cwd: string;
  approvalPolicy?: ApprovalPolicy;
  sandbox?: SandboxPolicy;
  decisions?: ApprovalDecision[];
  turnId?: string;
  signal?: AbortSignal;
}): FakeContext {
  const events: Recorded[] = [];
  const clock = { ms: 1_000_000 };
  const decisions = [...(options.decisions ?? [])];
  const cx: FakeContext = {
    threadId: 'thread-1',
    turnId: options.turnId ?? 'turn-1',
    model: 'mock-model',
    cwd: options.cwd,
    sandbox: options.sandbox ?? sandboxOf('workspace-write'),
    approvalPolicy: options.approvalPolicy ?? 'never',
    signal: options.signal ?? new AbortController().signal,
    env: {},
    codexHome: '/nonexistent-codex-home',
    events,
    decisions,
    clock,
    // Every reading advances the clock, so that stamps taken at different moments differ.
    nowMs: () => (clock.ms += 1),
    newId: () => 'id-1',
    itemStarted: (item) => events.push({ kind: 'item/started', item: structuredClone(item) }),
    itemEvent: (method, params) => events.push({ kind: 'itemEvent', method, params }),
    itemCompleted: (item) => events.push({ kind: 'item/completed', item: structuredClone(item) }),
    record: async (payloads) => {
      events.push({ kind: 'record', payloads: structuredClone(payloads) });
    },
    approve: async (request) => {
      events.push({ kind: 'approve', request: structuredClone(request) });
      return decisions.shift() ?? 'accept';
    },
  };
  return cx;
}
