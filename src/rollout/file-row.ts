import type { IndexedThreadInput } from './thread-index.js';
import type { RolloutSummary } from './types.js';

/**
 * `threads.sandbox_policy` as the reference stores it: the permission profile as JSON. A row rebuilt from a
 * file alone (backfill, read-repair) uses the read-only profile (SPEC §8.1).
 */
export function sandboxPolicyJson(mode: string): string {
  if (mode === 'danger-full-access') return '{"type":"disabled"}';
  const access = mode === 'workspace-write' ? 'write' : 'read';
  return `{"type":"managed","file_system":{"type":"restricted","entries":[{"path":{"type":"special","value":{"kind":"root"}},"access":"${access}"}]},"network":"restricted"}`;
}

export const READ_ONLY_SANDBOX_POLICY_JSON = sandboxPolicyJson('read-only');

/** `threads.approval_mode` of a row built from a file alone. */
export const FILE_ROW_APPROVAL_MODE = 'on-request';

/** The index row a rollout file alone implies: no name, and for an archived file `archived_at` = its mtime. */
export function rowFromSummary(summary: RolloutSummary): IndexedThreadInput {
  // Field by field rather than a rest spread: a backfill builds 100,000 of these from summaries that arrive from
  // its worker threads, and copying every own property (the search texts included) of those cost ≈ 20 µs each.
  return {
    id: summary.id,
    rolloutPath: summary.rolloutPath,
    archived: summary.archived,
    createdAtMs: summary.createdAtMs,
    updatedAtMs: summary.updatedAtMs,
    recencyAtMs: summary.recencyAtMs,
    source: summary.source,
    spawn: summary.spawn,
    modelProvider: summary.modelProvider,
    model: summary.model,
    cwd: summary.cwd,
    cliVersion: summary.cliVersion,
    originator: summary.originator,
    preview: summary.preview,
    tokensUsed: summary.tokensUsed,
    approvalMode: FILE_ROW_APPROVAL_MODE,
    sandboxPolicy: READ_ONLY_SANDBOX_POLICY_JSON,
    name: null,
    archivedAtMs: summary.archived ? summary.updatedAtMs : null,
  };
}
