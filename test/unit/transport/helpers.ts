import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../../src/support/logger.js';

/** A real pino logger whose JSON lines are kept in memory, so tests can assert what was logged. */
export function captureLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = pino({ level: 'debug', base: undefined }, stream);
  return {
    logger,
    lines: () =>
      out
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** Waits for pending stream events (pino's stream writes and `setImmediate`-driven callbacks). */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
