import type { ThreadLock, ThreadStore } from '../rollout/thread-store.js';
import type { Clock } from '../support/clock.js';
import { rebuildHistory } from './history.js';
import { LoadedThread } from './loaded-thread.js';
import type { ThreadSettings } from './rollout-lines.js';
import type { StoredSettings } from './settings.js';

/** What a stored thread says about its settings; the manager applies the request's overrides to it. */
export type SettingsOf = (createdAtMs: number, storedOriginator: string | null, stored: StoredSettings) => ThreadSettings;

/**
 * Loads a stored thread from its rollout (with fork lineage): settings, history for the next model request,
 * turns, usage, and a writer that continues the file. The caller holds `lock` and releases it on failure.
 */
export async function loadStoredThread(store: ThreadStore, clock: Clock, rolloutPath: string, lock: ThreadLock, settingsOf: SettingsOf): Promise<LoadedThread> {
  const { own: contents, lines } = await store.readWithLineage(rolloutPath);
  const history = rebuildHistory(lines);
  const summary = await store.storedThread(rolloutPath);
  const meta = history.sessionMeta ?? {};
  const createdAtMs = summary?.createdAtMs ?? clock.nowMs();
  const settings = settingsOf(createdAtMs, typeof meta['originator'] === 'string' ? meta['originator'] : null, {
    model: history.model,
    modelProvider: typeof meta['model_provider'] === 'string' ? meta['model_provider'] : null,
    cwd: typeof meta['cwd'] === 'string' ? meta['cwd'] : null,
    cliVersion: typeof meta['cli_version'] === 'string' ? meta['cli_version'] : null,
  });
  const ownMeta = contents.lines[0]?.type === 'session_meta' ? contents.lines[0] : null;
  const writer = store.continueWriter(rolloutPath, contents);
  const thread = new LoadedThread(settings, false, writer, lock, {
    forkedFromId: summary?.forkedFromId ?? null,
    parentThreadId: summary?.spawn?.parentThreadId ?? null,
    source: summary?.source ?? 'vscode',
    agentNickname: summary?.spawn?.agentNickname ?? null,
    agentRole: summary?.spawn?.agentRole ?? null,
  });
  thread.projectHistory = ownMeta?.payload['history_mode'] === 'paginated';
  thread.turns = history.turns;
  thread.modelInput = history.modelInput;
  thread.historySequence = contents.lines.filter((l) => l.type === 'response_item').length;
  if (history.totalUsage) thread.totalUsage = history.totalUsage;
  thread.lastUsage = history.lastUsage;
  thread.preview = summary?.preview ?? '';
  thread.name = summary?.name ?? null;
  thread.updatedAtMs = summary?.updatedAtMs ?? createdAtMs;
  thread.recencyAtMs = summary?.recencyAtMs ?? createdAtMs;
  return thread;
}
