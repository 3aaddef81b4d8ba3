/**
 * The interop tests' tools cache: third-party npm packages are installed on demand into
 * `test/interop/.tools/<tool>/` (gitignored) with `npm install --prefix`, never into the repo root.
 * When the registry cannot be reached the install fails and the tests that need the tool skip.
 *
 * Environment knobs: `CODEX_REFERENCE_BIN` (reference binary), `INTEROP_INSTALL_REFERENCE=0` (never download it),
 * `INTEROP_SERVER_CLI` (test another build of our server), `INTEROP_KEEP_HOMES=1` (keep the CODEX_HOMEs under
 * {@link interopHomesRoot}), `INTEROP_HOMES_DIR` (where the homes go), `INTEROP_STDERR_DIR` (append every server's stderr to `<dir>/<side>.stderr.log`).
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const INTEROP_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(INTEROP_DIR, '../..');
export const TOOLS_DIR = path.join(INTEROP_DIR, '.tools');
/** Our built server entry (`npm run build`); `INTEROP_SERVER_CLI` points the interop tests at another build. */
export const OUR_CLI = process.env['INTEROP_SERVER_CLI'] || path.join(REPO_ROOT, 'dist', 'cli.js');

/** How long one `npm install` may take before the tool is declared unavailable. */
export const INSTALL_TIMEOUT_MS = 240_000;
/** beforeAll timeout for hooks that install a tool. */
export const INSTALL_HOOK_TIMEOUT_MS = INSTALL_TIMEOUT_MS + 30_000;

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

function run(command: string, args: string[], options: { cwd: string; timeoutMs: number }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    // Under `npm test` the repo root's package/lifecycle variables are exported; they must not steer the cache
    // install. Registry settings (npm_config_registry, proxies, cache) are kept: CI may rely on them.
    for (const key of Object.keys(env)) {
      const k = key.toLowerCase();
      if (k.startsWith('npm_package_') || k.startsWith('npm_lifecycle_') || ['npm_config_prefix', 'npm_config_global', 'npm_config_location'].includes(k)) delete env[key];
    }
    execFile(command, args, { cwd: options.cwd, timeout: options.timeoutMs, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : null) : 0;
      resolve({ code, output: `${stdout}${stderr}${error && code === null ? `\n${error.message}` : ''}` });
    });
  });
}

/**
 * Installs `specs` (exact npm specs) into `.tools/<tool>/` unless a previous run left exactly these specs there.
 * Never throws: a failed install (no registry, no npm) comes back as `{ok:false, reason}`.
 */
export async function installTool(tool: string, specs: string[], npmArgs: string[] = []): Promise<ToolInstall> {
  mkdirSync(TOOLS_DIR, { recursive: true });
  // Test files run in parallel workers; two of them may want the same tool (e.g. the reference binary).
  const lock = path.join(TOOLS_DIR, `${tool}.install-lock`);
  const deadline = Date.now() + INSTALL_TIMEOUT_MS + 30_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      let stale = false;
      try {
        stale = Date.now() - statSync(lock).mtimeMs > INSTALL_TIMEOUT_MS + 30_000;
      } catch {
        // Released in between: try again.
      }
      if (stale) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) return { ok: false, reason: `timed out waiting for another worker installing ${tool} (${lock})` };
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await installToolLocked(tool, specs, npmArgs);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function installToolLocked(tool: string, specs: string[], npmArgs: string[]): Promise<ToolInstall> {
  const dir = path.join(TOOLS_DIR, tool);
  const marker = path.join(dir, '.installed.json');
  const wanted = JSON.stringify({ specs, npmArgs });
  const versionsOf = (): Record<string, string> =>
    Object.fromEntries(specs.map((s) => [packageName(s), installedVersion(dir, packageName(s)) ?? '?']));
  try {
    if (existsSync(marker) && readFileSync(marker, 'utf8') === wanted && specs.every((s) => installedVersion(dir, packageName(s)) !== null)) {
      return { ok: true, dir, versions: versionsOf() };
    }
    // A clean slate: a previous install with other specs or options may have left packages behind.
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: `interop-${tool}`, private: true }, null, 2)}\n`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const args = ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error', '--fetch-retries=1', '--fetch-timeout=30000', ...npmArgs, ...specs];
    const result = await run(npm, args, { cwd: dir, timeoutMs: INSTALL_TIMEOUT_MS });
    if (result.code !== 0) {
      const lines = result.output.trim().split('\n');
      const telling = lines.filter((l) => /\b(code|errno|syscall|request to|network|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|E404|403)\b/.test(l)).slice(0, 4);
      return { ok: false, reason: `npm install ${specs.join(' ')} failed (exit ${result.code}): ${(telling.length > 0 ? telling : lines.slice(-4)).join(' | ')}` };
    }
    const missing = specs.filter((s) => installedVersion(dir, packageName(s)) === null);
    if (missing.length > 0) return { ok: false, reason: `npm install finished but ${missing.join(', ')} is missing under ${dir}` };
    writeFileSync(marker, wanted);
    return { ok: true, dir, versions: versionsOf() };
  } catch (error) {
    return { ok: false, reason: `installing ${specs.join(' ')} failed: ${error instanceof Error ? error.message : String(error)}` };
  }
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
 * `<wrapper> app-server --listen stdio://` → `node <repo>/dist/cli.js app-server --listen stdio://`.
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
