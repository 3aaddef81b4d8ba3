import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { onTestFinished } from 'vitest';
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

/** A fresh folder (real path) removed when the current test finishes. */
export function scratchDir(prefix: string): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A plain server listening on the unix socket `file`, closed when the current test finishes (before its folder goes). */
export function listenUnix(file: string): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(file, () => resolve(server));
    onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
  });
}
