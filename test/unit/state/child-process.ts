import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { runtimeCopy } from '../../support/unprivileged.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');

/** Bundles `open-child.ts` (TypeScript) into one CommonJS file plain `node` can run; returns its path. */
export async function buildOpenChild(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'state-child-'));
  // Readable by the unprivileged user some tests run the child as.
  chmodSync(dir, 0o755);
  const outfile = path.join(dir, 'open-child.cjs');
  await build({
    entryPoints: [path.join(here, 'open-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['better-sqlite3'],
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

export interface ChildResult {
  ok: boolean;
  startup?: { schema: string; backfill: { scanned: number; upserted: number; failed: number } | null; waitedMs: number };
  backfill?: { status: string; lastWatermark: string | null };
  warnings: string[];
  stderr: string;
}

export function runOpenChild(
  script: string,
  home: string,
  options: Record<string, unknown> = {},
  uid?: number,
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, home, JSON.stringify(options)], {
      // An unprivileged child cannot be assumed to read the checkout (a clone in a 0700 folder): it loads the
      // SQLite binding from a readable copy of the runtime dependencies.
      env: { ...process.env, NODE_PATH: uid === undefined ? path.join(repoRoot, 'node_modules') : runtimeCopy().nodeModules },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(uid === undefined ? {} : { uid, gid: uid }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve({ ...(JSON.parse(stdout) as Omit<ChildResult, 'stderr'>), stderr });
      } catch (err) {
        reject(new Error(`child exited ${code}: ${stdout} ${stderr}`, { cause: err }));
      }
    });
  });
}
