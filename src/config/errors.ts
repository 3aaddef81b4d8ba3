/**
 * A config.toml that cannot be used: unreadable, not TOML, or a value of the wrong shape.
 * The message is meant for a user on stderr: it names the file, the line/column of a TOML syntax
 * error, or the key path and what was expected. `main.ts` prints it and exits 1 (no stack).
 */
export class ConfigError extends Error {
  constructor(
    message: string,
    /** The file concerned. */
    readonly path: string,
    /** Dotted key path of a schema error (`model_providers.mock.request_max_retries`), else null. */
    readonly keyPath: string | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ConfigError';
  }
}
