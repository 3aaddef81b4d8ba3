import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(REPO_ROOT, 'fixtures');

/** A fresh temp CODEX_HOME, removed by `cleanup`. */
export function tempHome(prefix = 'cas-home-'): { home: string; cleanup: () => void } {
  const home = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/** Copies one of the reference homes in fixtures/rollouts (`0.169.0`, `0.130.0`, `0.40.0`) into `home`. */
export function copyFixtureHome(version: string, home: string): void {
  cpSync(path.join(FIXTURES, 'rollouts', version), home, { recursive: true });
}
