import { pino, destination, type Logger as PinoLogger } from 'pino';

/** The narrow logging surface the code below main uses. Always writes to stderr: stdout is the protocol. */
export type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error' | 'child'>;

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

/**
 * Maps `LOG_LEVEL` (pino names) or a RUST_LOG-like value (`warn`, `codex=debug,info`) to a pino level.
 * The last bare level in a RUST_LOG list wins; `off` means silent. Unknown values fall back to `warn`.
 */
export function resolveLogLevel(logLevel: string | undefined, rustLog: string | undefined): string {
  const direct = logLevel?.trim().toLowerCase();
  if (direct && LEVELS.has(direct)) return direct;
  if (rustLog) {
    const bare = rustLog
      .split(',')
      .map((part) => part.trim().toLowerCase())
      .map((part) => (part.includes('=') ? part.slice(part.indexOf('=') + 1) : part))
      .map((part) => (part === 'off' ? 'silent' : part))
      .filter((part) => LEVELS.has(part));
    const last = bare.at(-1);
    if (last) return last;
  }
  return 'warn';
}

/** A pino logger on file descriptor 2, synchronous so nothing is lost when the process exits. */
export function createStderrLogger(level: string): Logger {
  return pino({ level, base: undefined }, destination({ dest: 2, sync: true }));
}

/** A logger that drops everything; for unit tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
