/** The sandbox a command (or a patch) runs under, as `sandbox_mode` / `sandboxPolicy` give it. */
import path from 'node:path';

export type SandboxMode = 'read-only' | 'workspace-write' | 'danger-full-access';

export interface SandboxPolicy {
  mode: SandboxMode;
  /** workspace-write: extra writable roots (absolute), besides the cwd. */
  writableRoots: string[];
  networkAccess: boolean;
  /** workspace-write: leave `$TMPDIR` / `/tmp` read-only. */
  excludeTmpdirEnvVar: boolean;
  excludeSlashTmp: boolean;
}

/** A root the sandbox lets a command write, with the subpaths that stay read-only inside it. */
export interface WritableRoot {
  root: string;
  readOnlySubpaths: string[];
}

/** Subdirectories of a writable root that stay read-only (they exist or not), as the reference protects them. */
const PROTECTED = ['.git', '.codex', '.agents'];

/** The writable roots of a policy for a command running in `cwd` (none for read-only; null for full access). */
export function writableRootsOf(policy: SandboxPolicy, cwd: string, tmpdir: string | undefined): WritableRoot[] | null {
  if (policy.mode === 'danger-full-access') return null;
  if (policy.mode === 'read-only') return [];
  const roots = [cwd, ...policy.writableRoots];
  if (!policy.excludeSlashTmp) roots.push('/tmp');
  if (!policy.excludeTmpdirEnvVar && tmpdir) roots.push(tmpdir);
  const unique = [...new Set(roots.map((r) => path.resolve(r)))];
  return unique.map((root) => ({ root, readOnlySubpaths: PROTECTED.map((p) => path.join(root, p)) }));
}

/** Whether the policy lets a tool write `target` (absolute, already resolved). */
export function mayWrite(roots: WritableRoot[] | null, target: string): boolean {
  if (roots === null) return true;
  const inside = (p: string, dir: string): boolean => p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
  return roots.some((r) => inside(target, r.root) && !r.readOnlySubpaths.some((ro) => inside(target, ro)));
}
