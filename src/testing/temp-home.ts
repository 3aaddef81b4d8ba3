import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away CODEX_HOME. */
export interface TempHome {
  /** Absolute, symlink-free path of the directory. */
  path: string;
  /** Removes the directory and everything in it; safe to call twice. */
  cleanup(): Promise<void>;
}

/** Creates an empty CODEX_HOME under the OS temp directory. */
export async function makeTempHome(prefix = 'codex-home-'): Promise<TempHome> {
  const path = await realpath(await mkdtemp(join(tmpdir(), prefix)));
  return {
    path,
    cleanup: () => rm(path, { recursive: true, force: true, maxRetries: 3 }),
  };
}
