import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Logger as PinoLogger } from 'pino';

/** The narrow logging surface the code below main uses. Always writes to stderr: stdout is the protocol. */
export type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error' | 'child'>;

/** pino's levels and their numeric values. */
const LEVEL_VALUES: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };
const LEVELS = new Set(Object.keys(LEVEL_VALUES));

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

/**
 * A pino logger on file descriptor 2, synchronous so nothing is lost when the process exits. pino itself is
 * loaded on the first message at an enabled level that is more than one string: at the default `warn` most runs
 * log nothing, and loading pino costs start-up time every editor window would pay (≈ 50–100 ms of CPU, paid by
 * every process that waits for another's backfill, whose only message is one string).
 */
export function createStderrLogger(level: string): Logger {
  const threshold = LEVEL_VALUES[level] ?? LEVEL_VALUES['warn'] as number;
  let root: PinoLogger | null = null;
  const materialize = (): PinoLogger => {
    if (!root) {
      const { pino, destination } = createRequire(import.meta.url)('pino') as typeof import('pino');
      root = pino({ level, base: undefined }, destination({ dest: 2, sync: true }));
    }
    return root;
  };
  return lazyLogger(threshold, () => materialize(), writePlainLine);
}

/** A line pipe writes keep whole (PIPE_BUF); longer ones go through pino. */
const PLAIN_LINE_MAX_BYTES = 4096;

/**
 * Writes `msg` as the line pino would (`{"level":40,"time":…,"msg":…}`: no base fields, no bindings); false when it
 * did not (too long, or the write failed: pino then retries EAGAIN on a non-blocking stderr).
 */
function writePlainLine(level: number, msg: string): boolean {
  const line = `${JSON.stringify({ level, time: Date.now(), msg })}\n`;
  if (Buffer.byteLength(line) > PLAIN_LINE_MAX_BYTES) return false;
  try {
    writeSync(2, line);
    return true;
  } catch {
    return false;
  }
}

type Method = 'debug' | 'info' | 'warn' | 'error';

function lazyLogger(threshold: number, target: () => PinoLogger, writePlain?: (level: number, msg: string) => boolean): Logger {
  const method = (name: Method) =>
    ((...args: unknown[]) => {
      const level = LEVEL_VALUES[name] as number;
      if (level < threshold) return;
      if (writePlain && args.length === 1 && typeof args[0] === 'string' && writePlain(level, args[0])) return;
      (target()[name] as (...a: unknown[]) => void)(...args);
    }) as PinoLogger[Method];
  const childOf = (bindings: Record<string, unknown>): Logger => {
    let child: PinoLogger | null = null;
    return lazyLogger(threshold, () => (child ??= target().child(bindings)));
  };
  return {
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    child: childOf as unknown as PinoLogger['child'],
  };
}

/** A logger that drops everything; for unit tests. */
export function silentLogger(): Logger {
  return lazyLogger(Infinity, () => {
    throw new Error('silent logger never logs');
  });
}
