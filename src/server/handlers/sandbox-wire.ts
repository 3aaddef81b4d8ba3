/**
 * The one table between the wire's `SandboxPolicy` (`turn/start`'s `sandboxPolicy`, the `sandbox` of
 * start/resume/fork results) and the thread settings' `sandbox_mode` name plus `[sandbox_workspace_write]`.
 */
import type { SandboxPolicy } from '../../protocol/param-enums.js';
import type { SettingsOverrides } from '../../threads/settings.js';
import { DEFAULT_WORKSPACE_WRITE, type WorkspaceWriteSettings } from '../../threads/tool-policy.js';

const MODE_OF_TYPE: Record<string, string> = { readOnly: 'read-only', workspaceWrite: 'workspace-write', dangerFullAccess: 'danger-full-access' };

/** Reference behaviour (observed in thread/start results): each mode's wire shape. */
export function sandboxWire(mode: string, workspaceWrite: WorkspaceWriteSettings = DEFAULT_WORKSPACE_WRITE): SandboxPolicy {
  if (mode === 'danger-full-access') return { type: 'dangerFullAccess' };
  if (mode === 'workspace-write') {
    const w = workspaceWrite;
    return { type: 'workspaceWrite', writableRoots: [...w.writableRoots], networkAccess: w.networkAccess, excludeTmpdirEnvVar: w.excludeTmpdirEnvVar, excludeSlashTmp: w.excludeSlashTmp };
  }
  return { type: 'readOnly', networkAccess: false };
}

/** A request's `sandboxPolicy` as settings overrides (`externalSandbox` is not run here: no override). */
export function sandboxOverrides(policy: SandboxPolicy | null | undefined): Pick<SettingsOverrides, 'sandbox' | 'workspaceWrite'> {
  const mode = policy?.type ? MODE_OF_TYPE[policy.type] : undefined;
  if (!policy || !mode) return {};
  if (policy.type !== 'workspaceWrite') return { sandbox: mode };
  return { sandbox: mode, workspaceWrite: { writableRoots: policy.writableRoots, networkAccess: policy.networkAccess, excludeTmpdirEnvVar: policy.excludeTmpdirEnvVar, excludeSlashTmp: policy.excludeSlashTmp } };
}
