import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { removeStoredAuth, writeApiKeyAuth } from './auth-file.js';
import { loadConfig, type Config } from './config.js';
import { applyEdit, type ConfigEditRequest, jsonValueProblem, parseKeyPath, type TomlTable, valueAtPath } from './config-edits.js';
import {
  type ConfigLayer,
  type ConfigLayerMetadata,
  configOrigins,
  effectiveToml,
  layer,
  overridesTable,
  renderEffectiveConfig,
  SYSTEM_CONFIG_FILE,
} from './config-read.js';
import { configProblem } from './config-validate.js';
import { configVersion } from './config-version.js';
import { ConfigWriteError } from './config-write-error.js';
import type { ConfigOverride } from './overrides.js';
import { parseTomlForEdit, patchTomlText } from './toml-text-edit.js';

/** `config/read`'s answer. */
export interface ConfigReadResult {
  config: Record<string, unknown>;
  origins: Record<string, ConfigLayerMetadata>;
  layers?: ConfigLayer[];
}

/** `config/value/write` and `config/batchWrite`'s answer. */
export interface ConfigWriteResult {
  status: 'ok' | 'okOverridden';
  version: string;
  filePath: string;
  overriddenMetadata: { message: string; overridingLayer: ConfigLayerMetadata; effectiveValue: unknown } | null;
}

export interface ConfigServiceOptions {
  codexHome: string;
  /** The command line's `-c`/`--enable`/`--disable` overrides: the session-flags layer. */
  overrides: readonly ConfigOverride[];
  /** The process's working directory, against which a relative `filePath` is resolved. */
  cwd: string;
}

/**
 * The config methods over `$CODEX_HOME/config.toml`: reads the layer stack (session flags, user file, the
 * always-empty system layer) and edits the user file in place. Writes are serialised within the process, checked
 * against the client's `expectedVersion`, validated before anything is written, and replace the file atomically.
 */
export class ConfigService {
  private readonly userFile: string;
  private readonly sessionFlags: ConfigLayer | null;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ConfigServiceOptions) {
    this.userFile = join(options.codexHome, 'config.toml');
    this.sessionFlags = options.overrides.length > 0 ? layer({ type: 'sessionFlags' }, overridesTable(options.overrides)) : null;
  }

  async read(includeLayers: boolean): Promise<ConfigReadResult> {
    const layers = this.stack((await this.readUserFile()).value);
    const result: ConfigReadResult = { config: renderEffectiveConfig(effectiveToml(layers)), origins: configOrigins(layers) };
    if (includeLayers) result.layers = layers;
    return result;
  }

  /** The merged values of the layers (session flags over config.toml as it is now), for the lists that read config. */
  async effective(): Promise<TomlTable> {
    return effectiveToml(this.stack((await this.readUserFile()).value));
  }

  /**
   * The thread defaults config.toml now gives (after a write), or null when the file no longer loads with this
   * server's checks (then the running defaults stay).
   */
  async threadDefaults(): Promise<Pick<Config, 'model' | 'approvalPolicy' | 'sandboxMode' | 'sandboxModeSet'> & { workspaceWrite: Config['sandboxWorkspaceWrite'] } | null> {
    try {
      const config = await loadConfig(this.options.codexHome, this.options.overrides);
      return { model: config.model, approvalPolicy: config.approvalPolicy, sandboxMode: config.sandboxMode, sandboxModeSet: config.sandboxModeSet, workspaceWrite: config.sandboxWorkspaceWrite };
    } catch {
      return null;
    }
  }

  /** `account/login/start` (API key): stores the key in `auth.json` as the reference does. */
  saveApiKey(apiKey: string): Promise<void> {
    return writeApiKeyAuth(this.options.codexHome, apiKey);
  }

  /** `account/logout`: forgets the stored login. */
  logout(): Promise<void> {
    return removeStoredAuth(this.options.codexHome);
  }

  /** The server's working directory: the cwd of the lists when a client names none. */
  get cwd(): string {
    return this.options.cwd;
  }

  /** `$CODEX_HOME/config.toml`. */
  get userConfigFile(): string {
    return this.userFile;
  }

  /** Applies `edits` in order as one write (`config/value/write` is a batch of one). */
  write(edits: readonly ConfigEditRequest[], filePath: string | null, expectedVersion: string | null): Promise<ConfigWriteResult> {
    const run = this.writes.then(() => this.applyEdits(edits, filePath, expectedVersion));
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async applyEdits(edits: readonly ConfigEditRequest[], filePath: string | null, expectedVersion: string | null): Promise<ConfigWriteResult> {
    const target = filePath === null ? this.userFile : resolve(this.options.cwd, filePath);
    if (target !== this.userFile) throw new ConfigWriteError('configLayerReadonly', 'Only writes to the user config are allowed');
    const current = await this.readUserFile();
    if (!current.exists) await writeFileAtomic(this.userFile, '');
    if (expectedVersion !== null && expectedVersion !== configVersion(current.value)) {
      throw new ConfigWriteError('configVersionConflict', 'Configuration was modified since last read. Fetch latest version and retry.');
    }
    const updated = structuredClone(current.value);
    const paths: string[][] = [];
    for (const edit of edits) {
      const segments = parseKeyPath(edit.keyPath);
      if (edit.value !== null) {
        const problem = jsonValueProblem(edit.value);
        if (problem) throw new ConfigWriteError('configValidationError', problem);
      }
      applyEdit(updated, segments, edit.value, edit.mergeStrategy);
      paths.push(segments);
    }
    const problem = configProblem(updated) ?? configProblem(effectiveToml(this.stack(updated)));
    if (problem) throw new ConfigWriteError('configValidationError', `Invalid configuration: ${problem}`);
    const version = configVersion(updated);
    if (version !== configVersion(current.value)) await writeFileAtomic(this.userFile, patchTomlText(current.text, updated));
    const overridden = this.firstOverridden(updated, paths);
    return { status: overridden ? 'okOverridden' : 'ok', version, filePath: this.userFile, overriddenMetadata: overridden };
  }

  /** The reference's `okOverridden` check: the first edited path whose effective value is not the user's. */
  private firstOverridden(user: TomlTable, paths: readonly string[][]): ConfigWriteResult['overriddenMetadata'] {
    if (!this.sessionFlags) return null;
    const effective = effectiveToml(this.stack(user));
    for (const segments of paths) {
      const userValue = valueAtPath(user, segments);
      const effectiveValue = valueAtPath(effective, segments);
      if (userValue === undefined && effectiveValue === undefined) continue;
      if (userValue !== undefined && JSON.stringify(userValue) === JSON.stringify(effectiveValue)) continue;
      if (valueAtPath(this.sessionFlags.config, segments) === undefined) continue;
      return {
        message: 'Overridden by session flags',
        overridingLayer: { name: this.sessionFlags.name, version: this.sessionFlags.version },
        effectiveValue: effectiveValue ?? null,
      };
    }
    return null;
  }

  /** The layer stack, highest precedence first. */
  private stack(user: TomlTable): ConfigLayer[] {
    const layers: ConfigLayer[] = [];
    if (this.sessionFlags) layers.push(this.sessionFlags);
    layers.push(layer({ type: 'user', file: this.userFile, profile: null }, user));
    layers.push(layer({ type: 'system', file: SYSTEM_CONFIG_FILE }, {}));
    return layers;
  }

  private async readUserFile(): Promise<{ exists: boolean; text: string; value: TomlTable }> {
    let text: string;
    try {
      text = await readFile(this.userFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, text: '', value: {} };
      throw error;
    }
    return { exists: true, text, value: parseTomlForEdit(text) };
  }
}

/** `configRequirements/read`: no `requirements.toml` or MDM policy is ever read here, so there are none. */
export function readConfigRequirements(): { supportsIndependentSpeedModes: boolean; requirements: null } {
  return { supportsIndependentSpeedModes: true, requirements: null };
}
