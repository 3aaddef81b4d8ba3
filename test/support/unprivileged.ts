/**
 * Running code the way an unprivileged user (or a read-only filesystem) sees it, without depending on the
 * permissions of the folders above the checkout.
 *
 * Root ignores permission bits, so permission faults need either a process that is not root (`setpriv` to
 * `nobody`) or a read-only bind mount (`bwrap --ro-bind`). A process running as `nobody` cannot be pointed at the
 * checkout itself: a clone inside a private folder (`mktemp -d`, mode 0700) is unreadable to it. It therefore runs
 * a copy of what it needs — `dist/`, `package.json` and the production dependency closure of `node_modules` — in a
 * 0755 temp directory ({@link runtimeCopy}).
 *
 * When a facility is missing, {@link unavailable} skips locally with the reason and FAILS in CI (`CI=true`), so a
 * fault test never passes by accident on a machine that cannot produce the fault.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';

export const NOBODY = 65534;

/** True under CI (`CI=true` or `CI=1`): a test that cannot run there is a failure, not a skip. */
export function inCi(): boolean {
  const ci = process.env['CI'];
  return ci === 'true' || ci === '1';
}

/** Skips locally with `reason`; in CI throws, so the test fails and says why. */
export function unavailable(ctx: { skip: (note?: string) => void }, reason: string): void {
  if (inCi()) throw new Error(`cannot run here: ${reason} (under CI=true a test that cannot run fails instead of skipping)`);
  ctx.skip(reason);
}

/** A readable copy of the built server and its runtime dependencies. */
export interface RuntimeCopy {
  /** The 0755 directory holding `dist/`, `package.json` and `node_modules/`. */
  root: string;
  /** `<root>/dist/cli.cjs`. */
  cli: string;
  /** `<root>/node_modules`. */
  nodeModules: string;
}

let copy: RuntimeCopy | null = null;

/** Names of the production dependencies of the repo, transitively (what `dist/` loads at run time). */
export function productionClosure(repoRoot = REPO_ROOT): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    const manifest = path.join(repoRoot, 'node_modules', name, 'package.json');
    // Optional or nested dependencies that npm placed elsewhere travel with their parent's folder.
    if (!existsSync(manifest)) return;
    seen.add(name);
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep);
  };
  const root = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dep of Object.keys(root.dependencies ?? {})) visit(dep);
  return [...seen].sort();
}

/**
 * Copies `dist/`, `package.json` (for `"type": "module"`) and the production dependencies into a fresh 0755
 * temp directory, once per test worker; removed when the worker exits. Build sources of native addons
 * (`deps/`, `src/`, object files) are left out.
 */
export function runtimeCopy(): RuntimeCopy {
  if (copy) return copy;
  const cliInRepo = path.join(REPO_ROOT, 'dist', 'cli.cjs');
  if (!existsSync(cliInRepo)) throw new Error(`${cliInRepo} is missing: run \`npm run build\` first`);
  const root = mkdtempSync(path.join(tmpdir(), 'cas-runtime-'));
  chmodSync(root, 0o755);
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  cpSync(path.join(REPO_ROOT, 'dist'), path.join(root, 'dist'), { recursive: true });
  cpSync(path.join(REPO_ROOT, 'package.json'), path.join(root, 'package.json'));
  const skip = /[\\/]better-sqlite3[\\/](deps|src|build[\\/](deps|Release[\\/]obj(\.target)?))([\\/]|$)/;
  for (const name of productionClosure()) {
    cpSync(path.join(REPO_ROOT, 'node_modules', name), path.join(root, 'node_modules', name), {
      recursive: true,
      dereference: true,
      filter: (src) => !skip.test(src),
    });
  }
  // cpSync keeps the source modes; make sure everything is readable (and directories traversable) by others.
  spawnSync('chmod', ['-R', 'a+rX', root]);
  copy = { root, cli: path.join(root, 'dist', 'cli.cjs'), nodeModules: path.join(root, 'node_modules') };
  return copy;
}

/** How to run something so file permissions apply to it, or why that is not possible here. */
export type Unprivileged =
  | { ok: true; serverBin: string | undefined; uid: number; gid: number; note: string; nodeModules: string | undefined }
  | { ok: false; reason: string };

let unprivilegedCache: Unprivileged | null = null;

/** `setpriv` on this machine, or null. */
export function setprivPath(): string | null {
  return ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null;
}

/**
 * As a normal user the server runs as is. As root it runs through `setpriv` as `nobody`, from a readable
 * {@link runtimeCopy} (the home must then be chowned to `nobody`). Before saying yes, it proves that `nobody`
 * can load the copy (the server entry and the SQLite binding) — a private temp directory would stop it.
 */
export function unprivileged(): Unprivileged {
  if (unprivilegedCache) return unprivilegedCache;
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) {
    unprivilegedCache = { ok: true, serverBin: undefined, uid, gid: process.getgid?.() ?? uid, note: `running as uid ${uid}`, nodeModules: undefined };
    return unprivilegedCache;
  }
  const setpriv = setprivPath();
  if (!setpriv) {
    unprivilegedCache = { ok: false, reason: 'running as root and setpriv (util-linux) is not installed: permission faults cannot be produced' };
    return unprivilegedCache;
  }
  const runtime = runtimeCopy();
  const probe = spawnSync(
    setpriv,
    [
      `--reuid=${NOBODY}`,
      `--regid=${NOBODY}`,
      '--clear-groups',
      '--',
      process.execPath,
      '-e',
      `require('node:fs').accessSync(${JSON.stringify(runtime.cli)}, require('node:fs').constants.R_OK); require(${JSON.stringify(path.join(runtime.nodeModules, 'better-sqlite3'))}); require('node:fs').accessSync(${JSON.stringify(tmpdir())}, require('node:fs').constants.X_OK)`,
    ],
    { encoding: 'utf8', timeout: 20_000 },
  );
  if (probe.status !== 0) {
    unprivilegedCache = {
      ok: false,
      reason:
        `running as root, and uid ${NOBODY} cannot load the server copy in ${runtime.root} ` +
        `(is ${tmpdir()} traversable by others? set TMPDIR to a 1777 directory): ${(probe.stderr || probe.error?.message || '').trim().split('\n')[0]}`,
    };
    return unprivilegedCache;
  }
  const wrapper = path.join(runtime.root, 'server-as-nobody.sh');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexec ${setpriv} --reuid=${NOBODY} --regid=${NOBODY} --clear-groups -- "${process.execPath}" "${runtime.cli}" "$@"\n`,
    { mode: 0o755 },
  );
  unprivilegedCache = {
    ok: true,
    serverBin: wrapper,
    uid: NOBODY,
    gid: NOBODY,
    note: `running as root: the server runs as nobody through setpriv, from a copy in ${runtime.root}`,
    nodeModules: runtime.nodeModules,
  };
  return unprivilegedCache;
}

/** `bwrap` (bubblewrap) on this machine, or null. */
export function bwrapPath(): string | null {
  return ['/usr/bin/bwrap', '/bin/bwrap'].find((p) => existsSync(p)) ?? null;
}

/**
 * A wrapper script that runs the built server with `readOnly` paths bind-mounted read-only (bubblewrap), so
 * writes fail with EROFS even for root; or why that is not possible. The paths must exist before the wrapper
 * runs; the rest of the filesystem stays as it is.
 */
export function readOnlyServer(readOnly: string[], cli = path.join(REPO_ROOT, 'dist', 'cli.cjs')): { ok: true; serverBin: string } | { ok: false; reason: string } {
  const bwrap = bwrapPath();
  if (!bwrap) return { ok: false, reason: 'bubblewrap (bwrap) is not installed: a read-only bind cannot be made (apt-get install -y bubblewrap)' };
  const probe = spawnSync(bwrap, ['--bind', '/', '/', '--ro-bind', tmpdir(), tmpdir(), '--', process.execPath, '-e', '0'], { encoding: 'utf8', timeout: 20_000 });
  if (probe.status !== 0) return { ok: false, reason: `bwrap cannot make a read-only bind here: ${(probe.stderr || probe.error?.message || '').trim().split('\n')[0]}` };
  const dir = mkdtempSync(path.join(tmpdir(), 'cas-ro-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const binds = readOnly.map((p) => `--ro-bind ${q(p)} ${q(p)}`).join(' ');
  const wrapper = path.join(dir, 'server-read-only.sh');
  writeFileSync(wrapper, `#!/bin/sh\nexec ${bwrap} --bind / / ${binds} -- ${q(process.execPath)} ${q(cli)} "$@"\n`, { mode: 0o755 });
  return { ok: true, serverBin: wrapper };
}
