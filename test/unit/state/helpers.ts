import { cpSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../../src/support/logger.js';
import { fixtureHome, tempHomeForTest } from '../../support/temp-home.js';

/** The checkout's copy of the reference 0.169.0 home (never a path outside the repo). */
export const FIXTURE_HOME_0169 = fixtureHome('0.169.0');

/** A fresh temp CODEX_HOME, removed when the test finishes (the suite's one temp-home helper). */
export function makeTempHome(prefix = 'state-home-'): string {
  return tempHomeForTest(prefix);
}

/** A copy of a fixture home (never the original) in a temp dir. */
export function copyFixtureHome(source = FIXTURE_HOME_0169): string {
  const home = makeTempHome('state-fixture-');
  cpSync(source, home, { recursive: true });
  return home;
}

export interface RecordingLogger extends Logger {
  warnings: string[];
  infos: string[];
}

/**
 * A Logger double that keeps warn/info messages (the only levels src/state uses). `onMessage` sees each one as
 * it is logged: tests use it to act at a point in the code's sequence instead of after a wall-clock delay.
 */
export function recordingLogger(onMessage?: (level: 'warn' | 'info' | 'error', text: string) => void): RecordingLogger {
  const warnings: string[] = [];
  const infos: string[] = [];
  const text = (args: unknown[]): string => args.filter((a) => typeof a === 'string').join(' ');
  const logger = {
    warnings,
    infos,
    warn: (...args: unknown[]) => {
      warnings.push(text(args));
      onMessage?.('warn', text(args));
    },
    info: (...args: unknown[]) => {
      infos.push(text(args));
      onMessage?.('info', text(args));
    },
    debug: () => undefined,
    error: (...args: unknown[]) => {
      warnings.push(text(args));
      onMessage?.('error', text(args));
    },
    child: () => logger,
  };
  return logger as unknown as RecordingLogger;
}

/** A valid UUIDv7-shaped id whose text order follows `n`. */
export function threadIdFor(n: number, prefix = '01a2'): string {
  const hex = n.toString(16).padStart(8, '0');
  return `${prefix}${hex.slice(0, 4)}-${hex.slice(4, 8)}-7000-8000-${n.toString(16).padStart(12, '0')}`;
}

export interface FakeRollout {
  id: string;
  createdAtMs: number;
  archived?: boolean;
  source?: unknown;
  modelProvider?: string;
  cwd?: string;
  preview?: string | null;
  model?: string;
  /** File mtime (ms); defaults to creation + 1 s. */
  mtimeMs?: number;
}

/** Writes a minimal rollout (session_meta, optional turn_context and user message) at its canonical path. */
export function writeRollout(home: string, rollout: FakeRollout): string {
  const iso = new Date(rollout.createdAtMs).toISOString();
  const name = `rollout-${iso.slice(0, 19).replace(/:/g, '-')}-${rollout.id}.jsonl`;
  const dir = rollout.archived
    ? path.join(home, 'archived_sessions')
    : path.join(home, 'sessions', iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10));
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  const lines: unknown[] = [
    {
      timestamp: iso,
      ordinal: 0,
      type: 'session_meta',
      payload: {
        id: rollout.id,
        timestamp: iso,
        cwd: rollout.cwd ?? '/work/project',
        originator: 'test_client',
        cli_version: '0.169.0',
        source: rollout.source ?? 'vscode',
        model_provider: rollout.modelProvider ?? 'mock_provider',
      },
    },
  ];
  if (rollout.model) {
    lines.push({ timestamp: iso, ordinal: lines.length, type: 'turn_context', payload: { cwd: '/work/project', model: rollout.model } });
  }
  const preview = rollout.preview === undefined ? 'hi' : rollout.preview;
  if (preview !== null) {
    lines.push({ timestamp: iso, ordinal: lines.length, type: 'event_msg', payload: { type: 'user_message', message: preview } });
  }
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const mtime = (rollout.mtimeMs ?? rollout.createdAtMs + 1000) / 1000;
  utimesSync(file, mtime, mtime);
  return file;
}

export const BASE_MS = Date.UTC(2026, 0, 1, 0, 0, 0);
