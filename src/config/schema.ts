import { z } from 'zod';

/** Reference value sets (SPEC §5). `on-failure` is deprecated upstream but still accepted. */
export const APPROVAL_POLICIES = ['untrusted', 'on-request', 'on-failure', 'never'] as const;
export const SANDBOX_MODES = ['read-only', 'workspace-write', 'danger-full-access'] as const;
export const WIRE_APIS = ['responses'] as const;

export type ApprovalPolicy = (typeof APPROVAL_POLICIES)[number];
export type SandboxMode = (typeof SANDBOX_MODES)[number];

/**
 * Default model when config.toml sets none: the entry flagged `isDefault` in the 0.169.0 bundled
 * catalogue (shared/protocol/model-list.json).
 */
export const DEFAULT_MODEL = 'gpt-6.1-sol';
export const DEFAULT_MODEL_PROVIDER = 'openai';
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = 'on-request';
export const DEFAULT_SANDBOX_MODE: SandboxMode = 'read-only';
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export const DEFAULT_REQUEST_MAX_RETRIES = 4;
export const DEFAULT_STREAM_MAX_RETRIES = 5;
/** Reference behaviour: larger retry counts are clamped to this, not rejected (SPEC §5). */
export const MAX_RETRIES_CAP = 100;
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 300_000;

const oneOf = (values: readonly string[]) => ({ error: `expected one of ${values.join(', ')}` });
const text = { error: 'expected a string' };
const count = z
  .number({ error: 'expected a non-negative integer' })
  .int({ error: 'expected a non-negative integer' })
  .nonnegative({ error: 'expected a non-negative integer' });

/** One `[model_providers.<id>]` table as written in config.toml; unknown keys are ignored. */
export const ProviderTomlSchema = z.looseObject({
  name: z.string(text).optional(),
  base_url: z.string(text).optional(),
  wire_api: z.enum(WIRE_APIS, oneOf(WIRE_APIS)).optional(),
  env_key: z.string(text).optional(),
  request_max_retries: count.optional(),
  stream_max_retries: count.optional(),
  stream_idle_timeout_ms: count.optional(),
});

/** The config.toml keys this server uses; every other key is accepted and kept in `raw`. */
export const ConfigTomlSchema = z.looseObject({
  model: z.string(text).optional(),
  model_provider: z.string(text).optional(),
  approval_policy: z.enum(APPROVAL_POLICIES, oneOf(APPROVAL_POLICIES)).optional(),
  sandbox_mode: z.enum(SANDBOX_MODES, oneOf(SANDBOX_MODES)).optional(),
  model_providers: z.record(z.string(), ProviderTomlSchema, { error: 'expected a table' }).optional(),
  features: z.record(z.string(), z.unknown(), { error: 'expected a table' }).optional(),
});

export type ProviderToml = z.infer<typeof ProviderTomlSchema>;
export type ConfigToml = z.infer<typeof ConfigTomlSchema>;
