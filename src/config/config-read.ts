import defaults from './config-read-defaults.json' with { type: 'json' };
import { isTable, mergeTables, type TomlTable } from './config-edits.js';
import { configVersion } from './config-version.js';

/** Where a config layer comes from, as `ConfigLayerSource` goes on the wire. */
export type ConfigLayerName =
  | { type: 'user'; file: string; profile: null }
  | { type: 'sessionFlags' }
  | { type: 'system'; file: string };

/** `ConfigLayerMetadata`: the layer and the version of its values. */
export interface ConfigLayerMetadata {
  name: ConfigLayerName;
  version: string;
}

/** One layer of the stack: its values as written (for the user layer: config.toml as parsed). */
export interface ConfigLayer extends ConfigLayerMetadata {
  config: TomlTable;
}

/** The reference's system layer path; this server never reads it, so the layer is always empty. */
export const SYSTEM_CONFIG_FILE = '/etc/codex/config.toml';

export function layer(name: ConfigLayerName, config: TomlTable): ConfigLayer {
  return { name, version: configVersion(config), config };
}

/**
 * `origins`: for every leaf of every layer (tables by key, arrays by index, joined with `.`), the layer that
 * sets it, the highest-precedence layer winning. `layers` is ordered highest precedence first.
 */
export function configOrigins(layers: readonly ConfigLayer[]): Record<string, ConfigLayerMetadata> {
  const origins: Record<string, ConfigLayerMetadata> = {};
  for (const entry of [...layers].reverse()) {
    const metadata = { name: entry.name, version: entry.version };
    recordLeaves(entry.config, [], (path) => {
      origins[path] = metadata;
    });
  }
  return origins;
}

function recordLeaves(value: unknown, path: string[], record: (path: string) => void): void {
  if (isTable(value)) {
    for (const [key, item] of Object.entries(value)) recordLeaves(item, [...path, key], record);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => recordLeaves(item, [...path, String(index)], record));
  } else if (path.length > 0) {
    record(path.join('.'));
  }
}

/** The layers' values merged, lowest precedence first (tables merge, other values replace). */
export function effectiveToml(layers: readonly ConfigLayer[]): TomlTable {
  const merged: TomlTable = {};
  for (const entry of [...layers].reverse()) mergeTables(merged, entry.config);
  return merged;
}

const DEFAULTS = defaults as Record<string, unknown>;
const PROVIDER_DEFAULTS: TomlTable = {
  name: null,
  base_url: null,
  model_catalog_url: null,
  env_key: null,
  env_key_instructions: null,
  experimental_bearer_token: null,
  auth: null,
  gateway_oauth: null,
  aws: null,
  project_id: null,
  location: null,
  credential_file: null,
  wire_api: 'responses',
  capabilities: null,
  query_params: null,
  http_headers: null,
  env_http_headers: null,
  request_max_retries: null,
  stream_max_retries: null,
  stream_idle_timeout_ms: null,
  websocket_connect_timeout_ms: null,
  requires_openai_auth: false,
  supports_websockets: false,
  supports_standalone_web_search: false,
};
const SANDBOX_WORKSPACE_WRITE_DEFAULTS: TomlTable = { writable_roots: [], network_access: false, exclude_tmpdir_env_var: false, exclude_slash_tmp: false };

/**
 * The effective config as `config/read` returns it: the reference serialises its typed `ConfigToml`, so every
 * field it knows is present (null or its default when unset) and keys it does not know are dropped. The field set
 * and defaults are the reference's answer for an empty config.toml (`config-read-defaults.json`); set values are
 * laid over them, with the nested structs this server knows (providers, `sandbox_workspace_write`, `history`,
 * `shell_environment_policy`, `features`) filled the same way.
 */
export function renderEffectiveConfig(effective: TomlTable): Record<string, unknown> {
  const config: Record<string, unknown> = structuredClone(DEFAULTS);
  for (const [key, value] of Object.entries(effective)) {
    if (!Object.hasOwn(DEFAULTS, key)) continue;
    config[key] = renderField(key, value);
  }
  return config;
}

function renderField(key: string, value: unknown): unknown {
  switch (key) {
    case 'model_providers':
      return isTable(value) ? Object.fromEntries(Object.entries(value).map(([id, provider]) => [id, withDefaults(PROVIDER_DEFAULTS, provider)])) : value;
    case 'sandbox_workspace_write':
      return withDefaults(SANDBOX_WORKSPACE_WRITE_DEFAULTS, value);
    case 'history':
    case 'shell_environment_policy':
      return withDefaults(DEFAULTS[key] as TomlTable, value);
    case 'features':
      // A written `[features]` table also brings the struct's own `network_proxy` field.
      return isTable(value) ? { network_proxy: null, ...(DEFAULTS['features'] as TomlTable), ...structuredClone(value) } : value;
    default:
      return structuredClone(value);
  }
}

function withDefaults(base: TomlTable, value: unknown): unknown {
  if (!isTable(value)) return structuredClone(value);
  const out: TomlTable = structuredClone(base);
  for (const [key, item] of Object.entries(value)) if (Object.hasOwn(base, key)) out[key] = structuredClone(item);
  return out;
}

/** A dotted-key override list as one TOML table (the session-flags layer). */
export function overridesTable(overrides: ReadonlyArray<{ path: string; value: unknown }>): TomlTable {
  const table: TomlTable = {};
  for (const { path, value } of overrides) {
    const parts = path.split('.');
    let cursor = table;
    for (const part of parts.slice(0, -1)) {
      const next = cursor[part];
      if (isTable(next)) cursor = next;
      else {
        const created: TomlTable = {};
        cursor[part] = created;
        cursor = created;
      }
    }
    cursor[parts[parts.length - 1]!] = structuredClone(value);
  }
  return table;
}
