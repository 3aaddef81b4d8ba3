import path from 'node:path';
import type { ThreadSettings } from './rollout-lines.js';
import type { ApprovalPolicy } from '../tools/tool.js';
import type { WorkspaceWriteSettings } from './tool-policy.js';

/** Defaults from config.toml and the process (the server's cwd, our version). */
export interface ThreadDefaults {
  model: string;
  modelProvider: string;
  approvalPolicy: ApprovalPolicy;
  sandboxMode: string;
  /** Whether config.toml sets `sandbox_mode` (absent: false, the built-in `:read-only` profile applies). */
  sandboxModeSet?: boolean;
  cwd: string;
  cliVersion: string;
  /** config.toml's `[sandbox_workspace_write]` (absent: the reference's defaults). */
  workspaceWrite?: WorkspaceWriteSettings;
}

/** Per-thread settings a request may override (thread/start, thread/resume, thread/fork, turn/start). */
export interface SettingsOverrides {
  model?: string | null;
  modelProvider?: string | null;
  cwd?: string | null;
  approvalPolicy?: ApprovalPolicy | null;
  sandbox?: string | null;
  /** A `workspaceWrite` sandbox policy's roots and switches (turn/start's `sandboxPolicy`). */
  workspaceWrite?: WorkspaceWriteSettings | null;
}

/** What a stored rollout says of a thread's settings (null where it says nothing). */
export interface StoredSettings {
  model: string | null;
  modelProvider: string | null;
  cwd: string | null;
  cliVersion: string | null;
}

/** A thread's settings: the request's overrides, else what its rollout says, else the defaults. */
export function threadSettings(
  defaults: ThreadDefaults,
  identity: { threadId: string; createdAtMs: number; originator: string; windowId: string },
  overrides: SettingsOverrides,
  stored: StoredSettings | null,
): ThreadSettings {
  const settings: ThreadSettings = {
    ...identity,
    cwd: stored?.cwd ?? defaults.cwd,
    cliVersion: stored?.cliVersion ?? defaults.cliVersion,
    source: 'vscode',
    modelProvider: stored?.modelProvider ?? defaults.modelProvider,
    model: stored?.model ?? defaults.model,
    approvalPolicy: defaults.approvalPolicy,
    sandboxMode: defaults.sandboxMode,
    // Reference behaviour (0.169.0): the built-in profile is reported only when neither config.toml nor the
    // request chose a sandbox.
    defaultPermissionProfile: !defaults.sandboxModeSet && !overrides.sandbox,
    ...(defaults.workspaceWrite ? { workspaceWrite: defaults.workspaceWrite } : {}),
  };
  applyOverrides(settings, overrides, defaults.cwd);
  return settings;
}

/** Applies the non-empty overrides; a relative `cwd` is resolved against `baseCwd` (the server's). */
export function applyOverrides(settings: ThreadSettings, o: SettingsOverrides, baseCwd: string): void {
  if (o.model) settings.model = o.model;
  if (o.modelProvider) settings.modelProvider = o.modelProvider;
  if (o.cwd) settings.cwd = path.resolve(baseCwd, o.cwd);
  if (o.approvalPolicy) settings.approvalPolicy = o.approvalPolicy;
  if (o.sandbox) settings.sandboxMode = o.sandbox;
  if (o.workspaceWrite) settings.workspaceWrite = o.workspaceWrite;
}

export function withoutEmpty(o: SettingsOverrides): SettingsOverrides {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
}
