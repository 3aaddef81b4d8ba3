import { isTable, type TomlTable } from './config-edits.js';

/**
 * The checks a config write must pass before anything is written, for the keys this server knows, with the
 * reference's serde texts (`invalid type: integer \`5\`, expected a string`, `unknown variant …`) followed by
 * `\nin \`key.path\`\n` as the `toml` crate reports them. Returns the first problem, or null. Keys it does not
 * know are accepted, as the reference accepts keys it ignores.
 */
export function configProblem(config: TomlTable): string | null {
  for (const [key, check] of TOP_LEVEL) {
    if (!Object.hasOwn(config, key)) continue;
    const problem = check(config[key]);
    if (problem) return `${problem}\nin \`${key}\`\n`;
  }
  const providers = config['model_providers'];
  if (providers !== undefined) {
    if (!isTable(providers)) return `${unexpected(providers)}, expected a map\nin \`model_providers\`\n`;
    for (const [id, provider] of Object.entries(providers)) {
      if (!isTable(provider)) return `${unexpected(provider)}, expected struct ModelProviderInfo\nin \`model_providers.${id}\`\n`;
      for (const [key, check] of PROVIDER_FIELDS) {
        if (!Object.hasOwn(provider, key)) continue;
        const problem = check(provider[key]);
        if (problem) return `${problem}\nin \`model_providers.${id}.${key}\`\n`;
      }
    }
  }
  const features = config['features'];
  if (features !== undefined && !isTable(features)) return `${unexpected(features)}, expected a map\nin \`features\`\n`;
  return null;
}

type Check = (value: unknown) => string | null;

const string: Check = (value) => (typeof value === 'string' ? null : `${unexpected(value)}, expected a string`);
const boolean: Check = (value) => (typeof value === 'boolean' ? null : `${unexpected(value)}, expected a boolean`);
const u64: Check = (value) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0
    ? null
    : typeof value === 'number' && Number.isInteger(value)
      ? `invalid value: integer \`${value}\`, expected u64`
      : `${unexpected(value)}, expected u64`;

function variants(names: readonly string[]): Check {
  const expected = names.map((name) => `\`${name}\``).join(', ');
  return (value) => {
    if (typeof value !== 'string') return `${unexpected(value)}, expected enum`;
    return names.includes(value) ? null : `unknown variant \`${value}\`, expected one of ${expected}`;
  };
}

const TOP_LEVEL: ReadonlyArray<readonly [string, Check]> = [
  ['model', string],
  ['review_model', string],
  ['model_provider', string],
  ['approval_policy', variants(['untrusted', 'on-failure', 'on-request', 'granular', 'never'])],
  ['sandbox_mode', variants(['read-only', 'workspace-write', 'danger-full-access'])],
  ['instructions', string],
  ['developer_instructions', string],
];

const PROVIDER_FIELDS: ReadonlyArray<readonly [string, Check]> = [
  ['name', string],
  ['base_url', string],
  ['env_key', string],
  ['wire_api', variants(['responses'])],
  ['request_max_retries', u64],
  ['stream_max_retries', u64],
  ['stream_idle_timeout_ms', u64],
  ['requires_openai_auth', boolean],
];

/** serde's `invalid type: <what> ` prefix for a TOML value. */
function unexpected(value: unknown): string {
  if (typeof value === 'string') return `invalid type: string ${JSON.stringify(value)}`;
  if (typeof value === 'boolean') return `invalid type: boolean \`${value}\``;
  if (typeof value === 'number' || typeof value === 'bigint') {
    return Number.isInteger(value) || typeof value === 'bigint' ? `invalid type: integer \`${value}\`` : `invalid type: floating point \`${value}\``;
  }
  if (Array.isArray(value)) return 'invalid type: sequence';
  return 'invalid type: map';
}
