/**
 * The two implementations under test and how they are started: same environment, same working directory,
 * same mock Responses server, both through the test kit's `McpProcess` (real stdio pipes).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BENCH_CACHE = path.join(REPO, 'bench', '.cache');
export const REFERENCE_PREFIX = path.join(BENCH_CACHE, 'reference');
export const REFERENCE_VERSION = '0.169.0';
export const DIST = path.join(REPO, 'dist');

/**
 * A private copy of dist/ for the run (bench/.cache/build/dist-<pid>), so a rebuild by someone else while the
 * bench runs cannot change, or break, the code under test half-way. Module resolution still finds the repo's
 * node_modules (it walks up from the copy). Returns the copy's root; `removeSnapshot` deletes it.
 */
export function snapshotDist() {
  if (!existsSync(path.join(DIST, 'cli.cjs')) || !existsSync(path.join(DIST, 'testing', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first');
  }
  const dest = path.join(BENCH_CACHE, 'build', `dist-${process.pid}`);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(path.dirname(dest), { recursive: true });
  cpSync(DIST, dest, { recursive: true });
  return dest;
}

export function removeSnapshot(dist) {
  if (dist !== DIST) rmSync(dist, { recursive: true, force: true });
}

/** The test kit from a build output (`<dist>/testing/index.js`). */
export async function loadKit(dist = DIST) {
  const entry = path.join(dist, 'testing', 'index.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  return import(pathToFileURL(entry).href);
}

/** `git describe`-like note of what is being measured. */
export function buildDescription() {
  const git = (args) => spawnSync('git', args, { cwd: REPO, encoding: 'utf8' }).stdout?.trim() ?? '';
  const head = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--', 'src']).length > 0;
  return head ? `commit ${head}${dirty ? ' + uncommitted changes in src/' : ''}` : 'unknown commit';
}

/** Newest mtime under src/ vs dist/cli.cjs: a stale build would benchmark old code. */
export function staleBuildWarning() {
  let newestSrc = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newestSrc = Math.max(newestSrc, statMtime(full));
    }
  };
  walk(path.join(REPO, 'src'));
  const built = statMtime(path.join(REPO, 'dist', 'main.js'));
  return newestSrc > built ? 'src/ is newer than dist/: run `npm run build` to benchmark the current sources' : null;
}

function statMtime(file) {
  try {
    return Math.floor(statSync(file).mtimeMs);
  } catch {
    return 0;
  }
}

/** `CODEX_REFERENCE_BIN`, else the binary `npm run bench -- --install-reference` put under bench/.cache/reference. */
export function findReferenceBin() {
  const fromEnv = process.env.CODEX_REFERENCE_BIN;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CODEX_REFERENCE_BIN=${fromEnv} does not exist`);
    return fromEnv;
  }
  const scope = path.join(REFERENCE_PREFIX, 'node_modules', '@openai');
  if (!existsSync(scope)) return null;
  for (const pkg of readdirSync(scope).filter((name) => name.startsWith('codex-'))) {
    const vendor = path.join(scope, pkg, 'vendor');
    if (!existsSync(vendor)) continue;
    for (const triple of readdirSync(vendor)) {
      const bin = path.join(vendor, triple, 'bin', 'codex');
      if (existsSync(bin)) return bin;
    }
  }
  return null;
}

export function installReference() {
  mkdirSync(REFERENCE_PREFIX, { recursive: true });
  const r = spawnSync('npm', ['install', `@openai/codex@${REFERENCE_VERSION}`, '--prefix', REFERENCE_PREFIX, '--no-audit', '--no-fund'], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('npm install of the reference failed');
}

export function referenceVersion(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return (r.stdout || '').trim();
}

/** Peak resident set size (VmHWM) of a live process, in KiB. */
export function vmHwmKiB(pid) {
  const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/**
 * CPU time (ms) the process has used so far: the sum of the `/proc/<pid>/task/<tid>/schedstat` run times of its live
 * threads. Threads that already exited are not counted (for both servers); time spent waiting for a CPU is
 * not included, so this stays meaningful on a loaded machine where wall-clock times are inflated.
 */
export function cpuTimeMs(pid) {
  let total = 0;
  let tasks;
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return NaN;
  }
  for (const task of tasks) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
    } catch {
      // the thread exited between readdir and read
    }
  }
  return total;
}

/**
 * A local HTTP proxy that refuses everything and counts attempts. Both servers get it as HTTP(S)_PROXY, so a
 * stray network call fails at once instead of timing out, and shows up in the report.
 */
export async function startProxyTrap() {
  let attempts = 0;
  const seen = [];
  const server = createServer((req, res) => {
    attempts += 1;
    if (seen.length < 20) seen.push(`${req.method} ${req.url}`);
    res.writeHead(403).end('bench: network disabled');
  });
  server.on('connect', (req, socket) => {
    attempts += 1;
    if (seen.length < 20) seen.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    uri: `http://127.0.0.1:${port}`,
    attempts: () => attempts,
    seen: () => [...seen],
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * Starts an implementation on `codexHome`. Same clean environment for both: PATH, a scratch HOME,
 * OPENAI_API_KEY=dummy, TZ=UTC, proxies pointing at the trap (loopback exempt), git discovery stopped
 * above the scratch working directory.
 */
export function startServer(kit, impl, codexHome, ctx, readTimeoutMs = 30_000) {
  const env = {
    HOME: ctx.scratchHome,
    OPENAI_API_KEY: 'dummy',
    TZ: 'UTC',
    HTTP_PROXY: ctx.proxy.uri,
    HTTPS_PROXY: ctx.proxy.uri,
    ALL_PROXY: ctx.proxy.uri,
    http_proxy: ctx.proxy.uri,
    https_proxy: ctx.proxy.uri,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    GIT_CEILING_DIRECTORIES: ctx.runRoot,
    ...(impl.env ?? {}),
  };
  return kit.McpProcess.start({ codexHome, serverBin: impl.bin, cleanEnv: true, env, cwd: ctx.workdir, readTimeoutMs });
}
