import { parse } from 'smol-toml';
import defaults from './config-read-defaults.json' with { type: 'json' };
import { isTable, type TomlTable } from './config-edits.js';
import { isKnownFeature } from './features.js';

/** The first field of config.toml the reference does not know, with its 1-based position in the text. */
export interface UnknownConfigField {
  path: string;
  line: number;
  column: number;
}

const TOP_LEVEL = new Set(Object.keys(defaults));
const NESTED: Readonly<Record<string, ReadonlySet<string>>> = {
  history: new Set(['persistence', 'max_bytes']),
  shell_environment_policy: new Set(Object.keys(defaults.shell_environment_policy)),
  sandbox_workspace_write: new Set(['writable_roots', 'network_access', 'exclude_tmpdir_env_var', 'exclude_slash_tmp']),
};
const PROVIDER_FIELDS = new Set([
  'name', 'base_url', 'model_catalog_url', 'env_key', 'env_key_instructions', 'experimental_bearer_token', 'auth', 'gateway_oauth', 'aws',
  'project_id', 'location', 'credential_file', 'wire_api', 'capabilities', 'query_params', 'http_headers', 'env_http_headers',
  'request_max_retries', 'stream_max_retries', 'stream_idle_timeout_ms', 'websocket_connect_timeout_ms', 'requires_openai_auth',
  'supports_websockets', 'supports_standalone_web_search',
]);

/**
 * `--strict-config`: the first key of the config.toml `text` (document order) that the reference would reject as an
 * unknown configuration field, or null (the text has already been validated as TOML). `-c` overrides are not checked. Checked: top-level keys, `[features]` names, provider tables, `history`,
 * `shell_environment_policy` and `sandbox_workspace_write`; the other nested tables are not checked here.
 */
export function findUnknownConfigField(text: string): UnknownConfigField | null {
  const path = firstUnknownPath(parse(text) as TomlTable);
  return path ? { path, ...locate(text, path.split('.')) } : null;
}

function firstUnknownPath(document: TomlTable): string | null {
  for (const [key, value] of Object.entries(document)) {
    if (!TOP_LEVEL.has(key)) return key;
    if (!isTable(value)) continue;
    if (key === 'features') {
      const unknown = Object.keys(value).find((name) => !isKnownFeature(name) && name !== 'network_proxy');
      if (unknown) return `features.${unknown}`;
    } else if (key === 'model_providers') {
      for (const [id, provider] of Object.entries(value)) {
        if (!isTable(provider)) continue;
        const unknown = Object.keys(provider).find((name) => !PROVIDER_FIELDS.has(name));
        if (unknown) return `model_providers.${id}.${unknown}`;
      }
    } else if (NESTED[key]) {
      const known = NESTED[key]!;
      const unknown = Object.keys(value).find((name) => !known.has(name));
      if (unknown) return `${key}.${unknown}`;
    }
  }
  return null;
}

/** Where `segments` is written: a `key =` line (dotted keys included) under its table, or the table's header. */
function locate(text: string, segments: readonly string[]): { line: number; column: number } {
  const target = segments.join('\u0000');
  let table: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const header = /^(\s*)\[\[?\s*([^\]]+?)\s*\]\]?/.exec(raw);
    if (header) {
      table = splitDotted(header[2]!);
      if (table.join('\u0000') === target) return { line: i + 1, column: header[1]!.length + 1 };
      continue;
    }
    const key = /^(\s*)((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=/.exec(raw);
    if (!key) continue;
    const full = [...table, ...splitDotted(key[2]!)];
    const joined = full.join('\u0000');
    if (joined === target || joined.startsWith(`${target}\u0000`)) return { line: i + 1, column: key[1]!.length + 1 };
  }
  return { line: 1, column: 1 };
}

function splitDotted(text: string): string[] {
  return (text.match(/"[^"]*"|'[^']*'|[^.\s]+/g) ?? []).map((part) => part.replace(/^["']|["']$/g, ''));
}
