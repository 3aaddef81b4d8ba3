/** Paths of the checkout, found from this file: tests never name absolute paths outside the repo. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(REPO_ROOT, 'fixtures');
export const DIST_CLI = path.join(REPO_ROOT, 'dist', 'cli.cjs');
