// zod/mini with named imports: tree-shaken to a few KB, where the classic `z` namespace loads all of zod and its
// locales at start-up (~20 ms CPU and ~3 MiB RSS per process). Every message here is our own text.
import { array, boolean, enum as zEnum, int, looseObject, nonnegative, object, optional, record, string, union, unknown } from 'zod/mini';
import type { infer as Infer } from 'zod/mini';

/**
 * Reference value sets (SPEC §5). Reference behaviour (0.169.0): `on-failure` is accepted and read as `on-request`;
 * `untrusted` parses but refuses to start (`config.ts`); `granular` is the table form.
 */
export const APPROVAL_POLICIES = ['untrusted', 'on-request', 'on-failure', 'never'] as const;
export const SANDBOX_MODES = ['read-only', 'workspace-write', 'danger-full-access'] as const;
export const WIRE_APIS = ['responses'] as const;

export type ApprovalPolicyName = (typeof APPROVAL_POLICIES)[number];

/** `approval_policy = { granular = { … } }`: which kinds of prompt may reach the user. */
export interface GranularApproval {
  sandbox_approval: boolean;
  rules: boolean;
  skill_approval: boolean;
  request_permissions: boolean;
  mcp_elicitations: boolean;
}

/** The approval policy as the server runs it (config.toml's value after `on-failure` and `untrusted` are handled). */
export type ApprovalPolicy = 'on-request' | 'never' | { granular: GranularApproval };
export type SandboxMode = (typeof SANDBOX_MODES)[number];

/**
 * Default model when config.toml sets none: the entry flagged `isDefault` in the 0.169.0 bundled
 * catalogue (shared/protocol/model-list.json).
 */
export const DEFAULT_MODEL = 'gpt-6.1-sol';
export const DEFAULT_MODEL_PROVIDER = 'openai';
export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = 'on-request';

/** Reference behaviour: the error 0.169.0 stops with when config.toml sets `approval_policy = "untrusted"`. */
export const UNTRUSTED_APPROVAL_ERROR = 'approval_policy = "untrusted" is no longer supported; remove this setting';
export const DEFAULT_SANDBOX_MODE: SandboxMode = 'read-only';
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export const DEFAULT_REQUEST_MAX_RETRIES = 4;
export const DEFAULT_STREAM_MAX_RETRIES = 5;
/** Reference behaviour: larger retry counts are clamped to this, not rejected (SPEC §5). */
export const MAX_RETRIES_CAP = 100;
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 300_000;

const oneOf = (values: readonly string[]) => ({ error: `expected one of ${values.join(', ')}` });
const text = { error: 'expected a string' };
const flag = boolean({ error: 'expected a boolean' });
const GranularTomlSchema = object({
  sandbox_approval: flag,
  rules: flag,
  skill_approval: optional(flag),
  request_permissions: optional(flag),
  mcp_elicitations: flag,
});
const count = int({ error: 'expected a non-negative integer' }).check(nonnegative({ error: 'expected a non-negative integer' }));

/** One `[model_providers.<id>]` table as written in config.toml; unknown keys are ignored. */
export const ProviderTomlSchema = looseObject({
  name: optional(string(text)),
  base_url: optional(string(text)),
  wire_api: optional(zEnum(WIRE_APIS, oneOf(WIRE_APIS))),
  env_key: optional(string(text)),
  request_max_retries: optional(count),
  stream_max_retries: optional(count),
  stream_idle_timeout_ms: optional(count),
  requires_openai_auth: optional(boolean({ error: 'expected a boolean' })),
});

/** The config.toml keys this server uses; every other key is accepted and kept in `raw`. */
export const ConfigTomlSchema = looseObject({
  model: optional(string(text)),
  model_provider: optional(string(text)),
  approval_policy: optional(
    union([zEnum(APPROVAL_POLICIES), object({ granular: GranularTomlSchema })], oneOf(APPROVAL_POLICIES)),
  ),
  sandbox_mode: optional(zEnum(SANDBOX_MODES, oneOf(SANDBOX_MODES))),
  model_providers: optional(record(string(), ProviderTomlSchema, { error: 'expected a table' })),
  sandbox_workspace_write: optional(
    looseObject({
      writable_roots: optional(array(string(text), { error: 'expected an array of strings' })),
      network_access: optional(flag),
      exclude_tmpdir_env_var: optional(flag),
      exclude_slash_tmp: optional(flag),
    }),
  ),
  features: optional(record(string(), unknown(), { error: 'expected a table' })),
});

export type ProviderToml = Infer<typeof ProviderTomlSchema>;
export type ConfigToml = Infer<typeof ConfigTomlSchema>;
