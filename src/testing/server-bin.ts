import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The built server entry, found relative to this module: `dist/testing/*.js` → `dist/cli.cjs`.
 * When the kit runs from sources (`src/testing/*.ts`, e.g. under vitest) it still points at the
 * build output `dist/cli.cjs`, so integration tests always drive the built server.
 */
export function defaultServerBin(moduleUrl: string = import.meta.url): string {
  const here = dirname(fileURLToPath(moduleUrl));
  const parent = dirname(here);
  if (basename(parent) === 'src') return join(dirname(parent), 'dist', 'cli.cjs');
  return join(parent, 'cli.cjs');
}

/** A `.js`/`.mjs`/`.cjs` entry runs under this Node; anything else is executed directly (e.g. a native reference binary). */
export function isNodeScript(bin: string): boolean {
  return /\.(c|m)?js$/.test(bin);
}
