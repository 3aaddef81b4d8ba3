import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Changes to the seed test configuration written by {@link createConfigToml}. */
export interface ConfigTomlOverrides {
  model?: string;
  approvalPolicy?: string;
  sandboxMode?: string;
  /** Provider id; default `mock_provider`. */
  providerId?: string;
  /** Default 0 (the seed's value). */
  requestMaxRetries?: number;
  /** Default 0 (the seed's value). */
  streamMaxRetries?: number;
  /** Env var holding the bearer token; omitted by default (no Authorization header). */
  envKey?: string;
  streamIdleTimeoutMs?: number;
  /** A `[features]` table, e.g. `{ plugins: false }`; omitted by default. */
  features?: Record<string, boolean | number | string>;
  /** Raw TOML lines placed with the top-level keys (before any table). */
  extraTopLevel?: string;
}

const str = (value: string): string => JSON.stringify(value);

/**
 * The seed's config.toml for a mock Responses server at `serverUri` (no trailing slash):
 * model `mock-model`, approval `never`, sandbox `read-only`, provider `mock_provider` with
 * `base_url = "<serverUri>/v1"`, `wire_api = "responses"` and zero retries.
 */
export function configTomlContents(serverUri: string, overrides: ConfigTomlOverrides = {}): string {
  const provider = overrides.providerId ?? 'mock_provider';
  const top = [
    `model = ${str(overrides.model ?? 'mock-model')}`,
    `approval_policy = ${str(overrides.approvalPolicy ?? 'never')}`,
    `sandbox_mode = ${str(overrides.sandboxMode ?? 'read-only')}`,
    `model_provider = ${str(provider)}`,
  ];
  if (overrides.extraTopLevel) top.push(overrides.extraTopLevel.trimEnd());
  const sections: string[] = [top.join('\n')];
  if (overrides.features) {
    const entries = Object.entries(overrides.features).map(([k, v]) => `${k} = ${typeof v === 'string' ? str(v) : String(v)}`);
    sections.push(['[features]', ...entries].join('\n'));
  }
  const table = [
    `[model_providers.${provider}]`,
    'name = "Mock provider for test"',
    `base_url = ${str(`${serverUri}/v1`)}`,
    'wire_api = "responses"',
    `request_max_retries = ${overrides.requestMaxRetries ?? 0}`,
    `stream_max_retries = ${overrides.streamMaxRetries ?? 0}`,
  ];
  if (overrides.envKey !== undefined) table.push(`env_key = ${str(overrides.envKey)}`);
  if (overrides.streamIdleTimeoutMs !== undefined) table.push(`stream_idle_timeout_ms = ${overrides.streamIdleTimeoutMs}`);
  sections.push(table.join('\n'));
  return `${sections.join('\n\n')}\n`;
}

/** Writes `configTomlContents(...)` to `<codexHome>/config.toml`; returns the file's path. */
export async function createConfigToml(codexHome: string, serverUri: string, overrides: ConfigTomlOverrides = {}): Promise<string> {
  const path = join(codexHome, 'config.toml');
  await writeFile(path, configTomlContents(serverUri, overrides));
  return path;
}
