import { isTable, type TomlTable } from '../config/config-edits.js';
import { configVersion } from '../config/config-version.js';

/** `collaborationMode/list`: the reference's two built-in modes. */
export const COLLABORATION_MODES = [
  { name: 'Plan', mode: 'plan', model: null, reasoning_effort: 'medium' },
  { name: 'Default', mode: 'default', model: null, reasoning_effort: null },
] as const;

/** One provider of `modelProvider/list`. */
export interface ModelProviderEntry {
  id: string;
  name: string;
  canEdit: boolean;
  baseUrl: string | null;
  settings:
    | { type: 'openai' }
    | { type: 'customGateway'; auth: { mode: 'none' } | { mode: 'environmentVariable'; envKey: string } | { mode: 'externallyConfigured'; envKey: null } };
}

/**
 * `modelProvider/list`: the built-in `openai` (not editable) and each `[model_providers.*]` table, sorted by id, with
 * the reference's auth modes: an `env_key` is `environmentVariable`, `requires_openai_auth` `externallyConfigured`,
 * neither `none`.
 */
export function listModelProviders(config: TomlTable): { data: ModelProviderEntry[]; defaultProviderId: string; canChangeDefault: boolean } {
  const tables = isTable(config['model_providers']) ? config['model_providers'] : {};
  const entries = new Map<string, ModelProviderEntry>([['openai', { id: 'openai', name: 'OpenAI', canEdit: false, baseUrl: null, settings: { type: 'openai' } }]]);
  for (const [id, table] of Object.entries(tables)) {
    if (!isTable(table)) continue;
    const envKey = typeof table['env_key'] === 'string' ? table['env_key'] : null;
    const auth = envKey !== null ? { mode: 'environmentVariable' as const, envKey } : table['requires_openai_auth'] === true ? { mode: 'externallyConfigured' as const, envKey: null } : { mode: 'none' as const };
    entries.set(id, {
      id,
      name: typeof table['name'] === 'string' ? table['name'] : id,
      canEdit: true,
      baseUrl: typeof table['base_url'] === 'string' ? table['base_url'] : null,
      settings: { type: 'customGateway', auth },
    });
  }
  const data = [...entries.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const defaultProviderId = typeof config['model_provider'] === 'string' ? config['model_provider'] : 'openai';
  return { data, defaultProviderId, canChangeDefault: true };
}

/** One server of `mcpServerStatus/list`, as known from config.toml (no server is started here). */
export type McpServerStatusEntry = {
  name: string;
  runtimeStatus: null;
  pluginId: null;
  httpOrigin: string | null;
  serverInfo: null;
  serverCapabilities: null;
  toolListMeta: null;
  tools: Record<string, never>;
  toolsError: null;
  resources: [];
  resourceTemplates: [];
  authStatus: 'unsupported';
};

/**
 * `mcpServerStatus/list`: the `[mcp_servers]` of the config in name order, paged by index (the cursor is the index
 * of the next server). Servers are not started, so no tools are listed and no start-up error is reported.
 */
export function listMcpServers(config: TomlTable, cursor: string | null, limit: number | null): { data: McpServerStatusEntry[]; nextCursor: string | null } | { error: string } {
  const servers = isTable(config['mcp_servers']) ? config['mcp_servers'] : {};
  const names = Object.keys(servers).sort();
  let start = 0;
  if (cursor !== null) {
    if (!/^\d+$/.test(cursor)) return { error: `invalid cursor: ${cursor}` };
    start = Math.min(Number(cursor), names.length);
  }
  const end = limit === null ? names.length : Math.min(names.length, start + Math.max(1, limit));
  const data = names.slice(start, end).map((name) => {
    const table = servers[name];
    const url = isTable(table) && typeof table['url'] === 'string' ? table['url'] : null;
    return {
      name,
      runtimeStatus: null,
      pluginId: null,
      httpOrigin: url === null ? null : originOf(url),
      serverInfo: null,
      serverCapabilities: null,
      toolListMeta: null,
      tools: {},
      toolsError: null,
      resources: [],
      resourceTemplates: [],
      authStatus: 'unsupported',
    } satisfies McpServerStatusEntry;
  });
  return { data, nextCursor: end < names.length ? String(end) : null };
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** One command hook of `hooks/list`. */
export type HookEntry = {
  key: string;
  eventName: string;
  handlerType: 'command';
  command: string;
  async: boolean;
  matcher: string | null;
  timeoutSec: number;
  statusMessage: string | null;
  additionalContextLimit: null;
  sourcePath: string;
  source: 'user';
  pluginId: null;
  environmentId: null;
  displayOrder: number;
  enabled: boolean;
  isManaged: false;
  currentHash: string;
  trustStatus: 'trusted' | 'untrusted';
};

const DEFAULT_HOOK_TIMEOUT_SEC = 600;

/**
 * `hooks/list` for one cwd: the command hooks of config.toml's `[hooks]` (`[[hooks.<Event>]]` groups with a
 * `matcher` and `[[hooks.<Event>.hooks]]` handlers), keyed `<file>:<event_snake>:<group>:<handler>` and hashed as
 * the reference does (sha256 of the normalised identity: event name, matcher, handler); a hook is trusted when
 * `[hooks.state."<key>"] trusted_hash` is that hash. Project hooks (`.codex/` of the cwd) are not read here.
 */
export function listHooks(config: TomlTable, configFile: string): HookEntry[] {
  const hooks = isTable(config['hooks']) ? config['hooks'] : {};
  const state = isTable(hooks['state']) ? hooks['state'] : {};
  const out: HookEntry[] = [];
  for (const [event, groups] of Object.entries(hooks)) {
    if (event === 'state' || !Array.isArray(groups)) continue;
    const snake = event.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    const camel = snake.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    groups.forEach((group, groupIndex) => {
      if (!isTable(group) || !Array.isArray(group['hooks'])) return;
      const matcher = typeof group['matcher'] === 'string' ? group['matcher'] : null;
      group['hooks'].forEach((handler, handlerIndex) => {
        if (!isTable(handler) || handler['type'] !== 'command' || typeof handler['command'] !== 'string') return;
        const timeoutSec = typeof handler['timeout'] === 'number' ? handler['timeout'] : DEFAULT_HOOK_TIMEOUT_SEC;
        const isAsync = handler['async'] === true;
        const statusMessage = typeof handler['statusMessage'] === 'string' ? handler['statusMessage'] : null;
        const identity: TomlTable = { event_name: snake, hooks: [{ type: 'command', command: handler['command'], timeout: timeoutSec, async: isAsync, ...(statusMessage === null ? {} : { statusMessage }) }] };
        if (matcher !== null) identity['matcher'] = matcher;
        const key = `${configFile}:${snake}:${groupIndex}:${handlerIndex}`;
        const currentHash = configVersion(identity);
        const trusted = isTable(state[key]) && state[key]['trusted_hash'] === currentHash;
        out.push({
          key,
          eventName: camel,
          handlerType: 'command',
          command: handler['command'],
          async: isAsync,
          matcher,
          timeoutSec,
          statusMessage,
          additionalContextLimit: null,
          sourcePath: configFile,
          source: 'user',
          pluginId: null,
          environmentId: null,
          displayOrder: out.length,
          enabled: handler['enabled'] !== false,
          isManaged: false,
          currentHash,
          trustStatus: trusted ? 'trusted' : 'untrusted',
        });
      });
    });
  }
  return out;
}
