/**
 * The one temp-home helper of the test suite (the public kit has its own async `makeTempHome` for users).
 * Homes live under the OS temp dir, by their real (symlink-free) path, and are removed when the test ends.
 */
import { cpSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { FIXTURES } from './paths.js';

/** A fresh temp CODEX_HOME; the caller removes it with `cleanup` (safe to call twice). */
export function tempHome(prefix = 'cas-home-'): { home: string; cleanup: () => void } {
  const home = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true, maxRetries: 3 }) };
}

/** A fresh temp CODEX_HOME removed when the current test finishes (call it inside a test). */
export function tempHomeForTest(prefix = 'cas-home-'): string {
  const { home, cleanup } = tempHome(prefix);
  onTestFinished(cleanup);
  return home;
}

/** The reference homes in fixtures/rollouts (`0.169.0`, `0.130.0`, `0.40.0`). */
export function fixtureHome(version: string): string {
  return path.join(FIXTURES, 'rollouts', version);
}

/** Copies a reference home (never the original) into `home`. */
export function copyFixtureHome(version: string, home: string): void {
  cpSync(fixtureHome(version), home, { recursive: true });
}
