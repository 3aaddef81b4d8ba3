export { CONFIG_FILE_NAME, loadConfig, parseConfigToml, type Config } from './config.js';
export { ConfigError } from './errors.js';
export { builtinOpenAiProvider, providerFromToml, resolveProvider } from './provider.js';
export {
  APPROVAL_POLICIES,
  DEFAULT_APPROVAL_POLICY,
  DEFAULT_MODEL,
  DEFAULT_MODEL_PROVIDER,
  DEFAULT_REQUEST_MAX_RETRIES,
  DEFAULT_SANDBOX_MODE,
  DEFAULT_STREAM_IDLE_TIMEOUT_MS,
  DEFAULT_STREAM_MAX_RETRIES,
  MAX_RETRIES_CAP,
  OPENAI_BASE_URL,
  SANDBOX_MODES,
  type ApprovalPolicy,
  type SandboxMode,
} from './schema.js';
export { parseCommandLine, type CommandLine, type GlobalOptions } from './command-line.js';
export { applyConfigOverrides, featureToggleOverrides, OverrideError, parseConfigOverrides, type ConfigOverride } from './overrides.js';
export { parseAuthJson, readStoredAuth, type StoredAuth } from './auth-file.js';
export { findUnknownConfigField, type UnknownConfigField } from './strict-config.js';
