import { ConfigError } from './errors.js';
import {
  DEFAULT_REQUEST_MAX_RETRIES,
  DEFAULT_STREAM_IDLE_TIMEOUT_MS,
  DEFAULT_STREAM_MAX_RETRIES,
  MAX_RETRIES_CAP,
  OPENAI_BASE_URL,
  type ProviderToml,
} from './schema.js';
import type { Config } from './config.js';

/** A `[model_providers.<id>]` entry of config.toml, resolved with defaults (SPEC §5). */
export interface ProviderConfig {
  id: string;
  name: string;
  /** Requests go to `${baseUrl}/responses`. */
  baseUrl: string;
  /** Env var holding the bearer token; null = send no Authorization header. */
  envKey: string | null;
  /** HTTP-level retries per attempt (default 4, cap 100). */
  requestMaxRetries: number;
  /** Whole-request retries after a stream failure (default 5, cap 100). */
  streamMaxRetries: number;
  /** Max silence between SSE events (default 300000). */
  streamIdleTimeoutMs: number;
  /** `requires_openai_auth`: whether the provider needs an OpenAI login (default: only for the id `openai`). */
  requiresOpenaiAuth: boolean;
}

/** The built-in `openai` provider, present unless config.toml defines `[model_providers.openai]`. */
export function builtinOpenAiProvider(): ProviderConfig {
  return providerFromToml('openai', { name: 'OpenAI', base_url: OPENAI_BASE_URL, env_key: 'OPENAI_API_KEY' });
}

/** Applies the SPEC §5 defaults and caps to one `[model_providers.<id>]` table. */
export function providerFromToml(id: string, table: ProviderToml): ProviderConfig {
  return {
    id,
    name: table.name ?? id,
    baseUrl: table.base_url ?? OPENAI_BASE_URL,
    envKey: table.env_key ?? null,
    requestMaxRetries: Math.min(table.request_max_retries ?? DEFAULT_REQUEST_MAX_RETRIES, MAX_RETRIES_CAP),
    streamMaxRetries: Math.min(table.stream_max_retries ?? DEFAULT_STREAM_MAX_RETRIES, MAX_RETRIES_CAP),
    streamIdleTimeoutMs: table.stream_idle_timeout_ms ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS,
    requiresOpenaiAuth: table.requires_openai_auth ?? id === 'openai',
  };
}

/**
 * The provider a thread uses. Throws `ConfigError` with the reference text
 * ``Model provider `<id>` not found`` when no such provider exists.
 */
export function resolveProvider(config: Config, id: string): ProviderConfig {
  const provider = config.modelProviders[id];
  if (!provider) throw new ConfigError(`Model provider \`${id}\` not found`, config.path, 'model_provider');
  return provider;
}
