import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import type { $ZodIssue } from 'zod/v4/core';
import type { ProviderConfig } from './provider.js';
import { ConfigError } from './errors.js';
import { applyConfigOverrides, type ConfigOverride } from './overrides.js';
import { builtinOpenAiProvider, providerFromToml } from './provider.js';
import {
  ConfigTomlSchema,
  DEFAULT_APPROVAL_POLICY,
  DEFAULT_MODEL,
  DEFAULT_MODEL_PROVIDER,
  DEFAULT_SANDBOX_MODE,
  UNTRUSTED_APPROVAL_ERROR,
  type ApprovalPolicy,
  type ConfigToml,
  type SandboxMode,
} from './schema.js';

export const CONFIG_FILE_NAME = 'config.toml';

/** The resolved `$CODEX_HOME/config.toml` (SPEC §5): defaults applied, values validated. */
export interface Config {
  /** Absolute path of the config file (which may not exist). */
  path: string;
  /** Default model slug for new threads. */
  model: string;
  /** Default provider id; always a key of `modelProviders`. */
  modelProvider: string;
  approvalPolicy: ApprovalPolicy;
  sandboxMode: SandboxMode;
  /** Whether `sandbox_mode` was set (in the file or by `-c`); unset, the built-in `:read-only` profile applies. */
  sandboxModeSet: boolean;
  /** `[sandbox_workspace_write]` (defaults when absent): what `workspace-write` lets commands write besides the cwd. */
  sandboxWorkspaceWrite: { writableRoots: string[]; networkAccess: boolean; excludeTmpdirEnvVar: boolean; excludeSlashTmp: boolean };
  /** Every provider by id: the built-in `openai` plus the `[model_providers.*]` tables (which may override it). */
  modelProviders: Readonly<Record<string, ProviderConfig>>;
  /** The `[features]` table as written (`plugins = false`, …). */
  features: Readonly<Record<string, unknown>>;
  /** The whole parsed document, unknown keys included, for callers that need more. */
  raw: Readonly<Record<string, unknown>>;
}

/**
 * Loads `$CODEX_HOME/config.toml` with the command line's `-c` overrides (already parsed, applied in order on top of
 * the file). A missing file yields the defaults. Throws `ConfigError` for an unreadable file, a TOML syntax error
 * (with line and column) or an invalid value (with key path and what was expected). Never reads the environment.
 */
export async function loadConfig(codexHome: string, overrides: readonly ConfigOverride[] = []): Promise<Config> {
  const path = join(codexHome, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return parseConfigToml('', path, overrides);
    throw new ConfigError(`cannot read ${path}: ${(error as Error).message}`, path, null, { cause: error });
  }
  return parseConfigToml(text, path, overrides);
}

/**
 * Parses and validates config.toml text with `overrides` applied on top; `path` is only used in messages and
 * `Config.path`. A bad value that came from an override is reported as such, not as the file's.
 */
export function parseConfigToml(text: string, path: string, overrides: readonly ConfigOverride[] = []): Config {
  let document: Record<string, unknown>;
  try {
    document = parse(text);
  } catch (error) {
    if (error instanceof TomlError) {
      const firstLine = error.message.split('\n')[0] ?? error.message;
      const reason = firstLine.replace(/^Invalid TOML document:\s*/, '');
      throw new ConfigError(
        `invalid ${path}: TOML syntax error at line ${error.line}, column ${error.column}: ${reason}`,
        path,
        null,
        { cause: error },
      );
    }
    throw error;
  }
  applyConfigOverrides(document, overrides);

  const result = ConfigTomlSchema.safeParse(document);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const keyPath = issue.path.map(String).join('.');
    const details = result.error.issues.map(describeIssue).join('; ');
    const fromOverride = overrides.some((o) => keyPath === o.path || keyPath.startsWith(`${o.path}.`) || o.path.startsWith(`${keyPath}.`));
    const source = fromOverride ? 'invalid -c/--config override' : `invalid ${path}`;
    throw new ConfigError(`${source}: ${details}`, path, keyPath || null, { cause: result.error });
  }
  const toml = result.data;

  const modelProviders: Record<string, ProviderConfig> = Object.create(null) as Record<string, ProviderConfig>;
  modelProviders.openai = builtinOpenAiProvider();
  for (const [id, table] of Object.entries(toml.model_providers ?? {})) {
    modelProviders[id] = providerFromToml(id, table);
  }

  const modelProvider = toml.model_provider ?? DEFAULT_MODEL_PROVIDER;
  if (!Object.hasOwn(modelProviders, modelProvider)) {
    const source = overrides.some((o) => o.path === 'model_provider') ? 'invalid -c/--config override' : `invalid ${path}`;
    throw new ConfigError(
      `${source}: model_provider: Model provider \`${modelProvider}\` not found`,
      path,
      'model_provider',
    );
  }

  const ws = toml.sandbox_workspace_write ?? {};
  return {
    path,
    model: toml.model ?? DEFAULT_MODEL,
    modelProvider,
    approvalPolicy: approvalPolicyFrom(toml.approval_policy, path),
    sandboxMode: toml.sandbox_mode ?? DEFAULT_SANDBOX_MODE,
    sandboxModeSet: toml.sandbox_mode !== undefined,
    sandboxWorkspaceWrite: {
      writableRoots: ws.writable_roots ?? [],
      networkAccess: ws.network_access ?? false,
      excludeTmpdirEnvVar: ws.exclude_tmpdir_env_var ?? false,
      excludeSlashTmp: ws.exclude_slash_tmp ?? false,
    },
    modelProviders,
    features: { ...(toml.features ?? {}) },
    raw: document,
  };
}

/** Reference behaviour (0.169.0): `untrusted` stops the server; `on-failure` runs as `on-request`. */
function approvalPolicyFrom(value: ConfigToml['approval_policy'], path: string): ApprovalPolicy {
  if (value === undefined) return DEFAULT_APPROVAL_POLICY;
  if (value === 'untrusted') throw new ConfigError(UNTRUSTED_APPROVAL_ERROR, path, 'approval_policy');
  if (value === 'on-failure') return 'on-request';
  if (typeof value === 'string') return value;
  const g = value.granular;
  return { granular: { sandbox_approval: g.sandbox_approval, rules: g.rules, skill_approval: g.skill_approval ?? false, request_permissions: g.request_permissions ?? false, mcp_elicitations: g.mcp_elicitations } };
}

function describeIssue(issue: $ZodIssue): string {
  const keyPath = issue.path.map(String).join('.') || '<root>';
  return `${keyPath}: ${issue.message}`;
}
