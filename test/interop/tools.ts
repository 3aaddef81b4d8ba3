/**
 * The interop tests' tools: third-party npm packages pinned as devDependencies (installed by `npm ci`, never at
 * test time); `test/interop/.tools/` (gitignored) only holds generated wrapper scripts. A missing tool or
 * reference binary is a skip with its reason locally and a failure under CI (`CI=true`).
 *
 * Environment knobs: `CODEX_REFERENCE_BIN` (reference binary; `.ci/run` sets it),
 * `INTEROP_SERVER_CLI` (test another build of our server), `INTEROP_KEEP_HOMES=1` (keep the CODEX_HOMEs under
 * {@link interopHomesRoot}), `INTEROP_HOMES_DIR` (where the homes go), `INTEROP_STDERR_DIR` (append every server's stderr to `<dir>/<side>.stderr.log`).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const INTEROP_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(INTEROP_DIR, '../..');
export const TOOLS_DIR = path.join(INTEROP_DIR, '.tools');
/** Our built server entry (`npm run build`); `INTEROP_SERVER_CLI` points the interop tests at another build. */
export const OUR_CLI = process.env['INTEROP_SERVER_CLI'] || path.join(REPO_ROOT, 'dist', 'cli.cjs');

/** beforeAll timeout for hooks that load a tool (no installs happen at test time any more). */
export const INSTALL_HOOK_TIMEOUT_MS = 60_000;

export type ToolInstall = { ok: true; dir: string; versions: Record<string, string> } | { ok: false; reason: string };

/** Package name of a spec such as `@scope/name@1.2.3` or `name@^7`. */
function packageName(spec: string): string {
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  return at < 0 ? spec : spec.slice(0, at);
}

/** Installed version of `name` under `dir`, or null. */
export function installedVersion(dir: string, name: string): string | null {
  try {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? null;
  } catch {
    return null;
  }
}

/**
 * The interop tools are pinned devDependencies (`npm ci` installs them; nothing is downloaded at test time).
 * `specs` are exact `name@version` specs; a missing package or another version comes back with the reason.
 */
export function devTool(specs: string[]): ToolInstall {
  const versions: Record<string, string> = {};
  for (const spec of specs) {
    const name = packageName(spec);
    const wanted = spec.slice(name.length + 1);
    const found = installedVersion(REPO_ROOT, name);
    if (found === null) return { ok: false, reason: `${name} is not installed (a pinned devDependency: run \`npm ci\`)` };
    if (wanted && found !== wanted) return { ok: false, reason: `${name} ${found} is installed, the tests are written for ${wanted} (run \`npm ci\`)` };
    versions[name] = found;
  }
  return { ok: true, dir: REPO_ROOT, versions };
}

/** Imports an installed ESM package by its entry file (resolved from its package.json `exports`/`module`/`main`). */
export async function importInstalled<T>(dir: string, name: string): Promise<T> {
  const root = path.join(dir, 'node_modules', name);
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    exports?: Record<string, unknown> | string;
    module?: string;
    main?: string;
  };
  const dot = typeof pkg.exports === 'string' ? pkg.exports : (pkg.exports?.['.'] as unknown);
  const pick = (entry: unknown): string | undefined => {
    if (typeof entry === 'string') return entry;
    if (entry && typeof entry === 'object') {
      const e = entry as Record<string, unknown>;
      return pick(e['import']) ?? pick(e['default']) ?? pick(e['node']);
    }
    return undefined;
  };
  const rel = pick(dot) ?? pkg.module ?? pkg.main ?? 'index.js';
  return (await import(pathToFileURL(path.join(root, rel)).href)) as T;
}

/** Path of an installed package's bin script. */
export function installedBin(dir: string, name: string, bin: string): string {
  const pkg = JSON.parse(readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
  const rel = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.[bin];
  if (!rel) throw new Error(`${name} has no bin ${bin}`);
  return path.join(dir, 'node_modules', name, rel);
}

/**
 * An executable wrapper that runs our server the way an editor extension would run `codex`:
 * `<wrapper> app-server --listen stdio://` → `node <repo>/dist/cli.cjs app-server --listen stdio://`.
 * With `pidFile`, each start appends the server's pid (the wrapper `exec`s, so the pid is node's).
 */
export function writeServerWrapper(name: string, options: { pidFile?: string } = {}): string {
  const binDir = path.join(TOOLS_DIR, 'bin');
  mkdirSync(binDir, { recursive: true });
  const file = path.join(binDir, name);
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const lines = ['#!/bin/sh', '# Runs codex-app-server-ts like a `codex` binary (generated by test/interop).'];
  if (options.pidFile) lines.push(`echo $$ >> ${q(options.pidFile)}`);
  lines.push(`exec ${q(process.execPath)} ${q(OUR_CLI)} "$@"`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  chmodSync(file, 0o755);
  return file;
}

/**
 * Where interop homes live: `$INTEROP_HOMES_DIR`, else `<cache>/codex-app-server-ts/interop-homes`
 * (`$XDG_CACHE_HOME` or `~/.cache`). Never under the checkout or the temp dir: the reference binary treats a
 * CODEX_HOME under `/tmp` differently (it refuses to create its helper binaries there and warns), and a
 * checkout may itself lie under `/tmp` (a `mktemp -d` clone).
 */
export function interopHomesRoot(): string {
  const fromEnv = process.env['INTEROP_HOMES_DIR'];
  if (fromEnv) return fromEnv;
  const cache = process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache');
  return path.join(cache, 'codex-app-server-ts', 'interop-homes');
}

/** A scratch directory under {@link interopHomesRoot}; `codex` is CODEX_HOME, `home` is HOME. */
export function makeInteropHome(prefix: string): { base: string; codexHome: string; home: string; cleanup: () => void } {
  const root = interopHomesRoot();
  mkdirSync(root, { recursive: true });
  const base = mkdtempSync(path.join(root, `${prefix}-`));
  const codexHome = path.join(base, 'codex');
  const home = path.join(base, 'home');
  mkdirSync(codexHome);
  mkdirSync(home);
  return {
    base,
    codexHome,
    home,
    cleanup: () => {
      if (process.env['INTEROP_KEEP_HOMES'] !== '1') rmSync(base, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/** Why a test that needs our built server cannot run, or null. */
export function ourServerMissing(): string | null {
  return existsSync(OUR_CLI) ? null : `${OUR_CLI} is missing: run \`npm run build\` first`;
}
