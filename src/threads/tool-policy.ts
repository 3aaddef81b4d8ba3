/**
 * The policies a turn's tools run under, from the thread's settings (config.toml's `approval_policy`,
 * `sandbox_mode` and `[sandbox_workspace_write]`, as overridden per thread and per turn).
 */
import type { SandboxMode, SandboxPolicy } from '../tools/sandbox/policy.js';
import type { ApprovalPolicy } from '../tools/tool.js';

/** `[sandbox_workspace_write]` of config.toml (the reference's defaults when absent). */
export interface WorkspaceWriteSettings {
  writableRoots: string[];
  networkAccess: boolean;
  excludeTmpdirEnvVar: boolean;
  excludeSlashTmp: boolean;
}

export const DEFAULT_WORKSPACE_WRITE: WorkspaceWriteSettings = { writableRoots: [], networkAccess: false, excludeTmpdirEnvVar: false, excludeSlashTmp: false };

const MODES: readonly SandboxMode[] = ['read-only', 'workspace-write', 'danger-full-access'];

/** The sandbox of a thread whose `sandboxMode` setting is `mode`; an unknown mode is read-only (fail closed). */
export function sandboxPolicyOf(mode: string, workspaceWrite: WorkspaceWriteSettings): SandboxPolicy {
  const known = (MODES as readonly string[]).includes(mode) ? (mode as SandboxMode) : 'read-only';
  if (known !== 'workspace-write') return { mode: known, writableRoots: [], networkAccess: known === 'danger-full-access', excludeTmpdirEnvVar: false, excludeSlashTmp: false };
  return { mode: known, ...workspaceWrite, writableRoots: [...workspaceWrite.writableRoots] };
}

/** The policy as a text (`on-request`, `never`, `granular`): the state DB's `approval_mode`, the developer note. */
export function approvalPolicyLabel(policy: ApprovalPolicy): string {
  return typeof policy === 'string' ? policy : 'granular';
}

/**
 * The thread's `approvalPolicy` setting (a kebab-case string, or the `granular` object a request may give) as the
 * tools see it. Anything else asks (`on-request`): never run without asking because a setting was not understood.
 */
export function approvalPolicyOf(setting: unknown): ApprovalPolicy {
  if (setting === 'never' || setting === 'on-request' || setting === 'on-failure') return setting;
  if (typeof setting === 'object' && setting !== null && 'granular' in setting) {
    const g = (setting as { granular: Record<string, unknown> }).granular;
    const flag = (k: string): boolean => g[k] === true;
    return { granular: { sandbox_approval: flag('sandbox_approval'), rules: flag('rules'), skill_approval: flag('skill_approval'), request_permissions: flag('request_permissions'), mcp_elicitations: flag('mcp_elicitations') } };
  }
  return 'on-request';
}
