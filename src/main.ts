import { accessSync, constants, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseCommandLine, type GlobalOptions, type ListenTarget, type WsAuthArgs } from './config/command-line.js';
import { systemClock } from './support/clock.js';
import { systemIds, type IdSource } from './support/ids.js';
import { createStderrLogger, resolveLogLevel, type Logger } from './support/logger.js';
import { nodeCrypto } from './support/lazy-modules.js';
import { scheduleDaemonMemoryFlags } from './support/memory-flags.js';

/** The protocol version we are compatible with, reported in `userAgent` (clients check it). */
export const SERVER_VERSION = '0.169.0';

/**
 * The entrypoint: the only place that reads `process.env`, touches stdio, decides CODEX_HOME and opens the
 * state database. Everything below receives what it needs as constructor arguments.
 */
export async function main(argv: string[]): Promise<number> {
  const cli = parseCommandLine(argv);
  switch (cli.kind) {
    case 'version':
      // The reference's text: clients parse `codex-cli <version>`.
      process.stdout.write(`codex-cli ${SERVER_VERSION}\n`);
      return 0;
    case 'help':
      process.stdout.write(cli.text);
      return 0;
    case 'usage-error':
      process.stderr.write(cli.message);
      return 2;
    case 'no-transport':
      // Reference text (`--listen off` with no remote control, exit 1).
      process.stderr.write('Error: no transport configured; use --listen or enable remote control\n');
      return 1;
    case 'generate-json-schema':
      return generateSchema(cli.out, createStderrLogger(resolveLogLevel(process.env['LOG_LEVEL'], process.env['RUST_LOG'])));
    case 'app-server':
      break;
  }
  const log = createStderrLogger(resolveLogLevel(process.env['LOG_LEVEL'], process.env['RUST_LOG']));
  const home = resolveCodexHome(process.env['CODEX_HOME']);
  if (!home.ok) {
    process.stderr.write(`${home.message}\n`);
    return 1;
  }
  return runAppServer(home.path, log, cli.overrides, cli.listen, cli.wsAuth);
}

async function runAppServer(codexHome: string, log: Logger, options: GlobalOptions, listen: ListenTarget, wsAuth: WsAuthArgs): Promise<number> {
  const [{ loadConfig, ConfigError, OverrideError, featureToggleOverrides, parseConfigOverrides, readStoredAuth, resolveProvider, findUnknownConfigField }, { openStateDb }] = await Promise.all([
    import('./config/index.js'),
    import('./state/index.js'),
  ]);
  let config;
  let overrides;
  try {
    // Reference order: unknown feature names are refused before the `-c` values are parsed.
    const toggles = featureToggleOverrides(options.enable, options.disable);
    overrides = [...parseConfigOverrides(options.config), ...toggles];
    config = await loadConfig(codexHome, overrides);
    if (options.strictConfig) {
      const unknown = findUnknownConfigField(readFileOrEmpty(config.path));
      if (unknown) {
        process.stderr.write(`Error: ${config.path}:${unknown.line}:${unknown.column}: unknown configuration field \`${unknown.path}\`\n`);
        return 1;
      }
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof OverrideError) {
      process.stderr.write(`Error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  // What the reference refuses before start-up work: bad `--ws-*` options, a live control socket (exit 1).
  const listenSpec = await prepareListener(listen, wsAuth, codexHome);
  if (listenSpec !== null && 'error' in listenSpec) {
    process.stderr.write(`Error: ${listenSpec.error}\n`);
    return 1;
  }
  const clock = systemClock;
  const ids: IdSource = systemIds;
  // The rest of start-up needs no database, so it loads while the gate waits for another process's backfill or
  // this one reads rollouts, instead of after it (eight processes started at once answer `initialize` soon after
  // the backfill ends). It starts one event-loop turn late: the claim, which decides who runs the backfill, first.
  // One DB handle per process, returned once the backfill is complete; null means "work from the filesystem".
  const loading = loadServerParts(codexHome, ids, log);
  // A failure to load is reported once the database is open: leaving mid-backfill would strand the claim.
  loading.catch(() => undefined);
  const stateDb = await openStateDb(codexHome, { clock, log, ids, defaultModelProvider: config.modelProvider });
  scheduleDaemonMemoryFlags(process.env);
  const { modules, bwrapPath, spawnPty, info } = await loading;
  const [{ LocalThreadStore }, { ThreadManager }, { createResponsesClient }, { AppServer }, { Notifier }, transport, { ConfigService }, { FileSearchSessions }, { createThreadTools }, { isKnownModel }] = modules;
  const store = new LocalThreadStore(codexHome, stateDb, { clock, log });
  const notifier = new Notifier();
  const provider = resolveProvider(config, config.modelProvider);
  const model = createResponsesClient(provider, { env: { ...process.env }, log });
  const threads = new ThreadManager({
    store,
    stateDb,
    model,
    clock,
    ids,
    log,
    sink: notifier,
    defaults: { model: config.model, modelProvider: config.modelProvider, approvalPolicy: config.approvalPolicy, sandboxMode: config.sandboxMode, sandboxModeSet: config.sandboxModeSet, workspaceWrite: config.sandboxWorkspaceWrite, cwd: process.cwd(), cliVersion: SERVER_VERSION },
    // Reference layout: `<originator>/<version> (<os>; <arch>) <terminal> (<client>; <client version>)`, the client being
    // the one that started the turn (the reference names whichever client initialized last: one process-wide value).
    userAgent: (originator, client) => `${originator}/${SERVER_VERSION} (${info.osDescription}; ${info.arch}) ${info.terminal}${client ? ` (${client.name}; ${client.version})` : ''}`,
    installationId: info.installationId,
    auth: { requiresOpenaiAuth: provider.requiresOpenaiAuth, read: () => readStoredAuth(codexHome) },
    // Test hook: integration tests shorten the reference's 30-minute idle unload.
    idleUnloadMs: positiveInt(process.env['CODEX_APP_SERVER_IDLE_UNLOAD_MS']),
    tools: {
      createToolset: () =>
        createThreadTools({
          bwrapPath,
          spawnPty,
          knownModel: isKnownModel,
          emitTurnDiff: (threadId, turnId, diff) => notifier.thread(threadId, 'turn/diff/updated', { threadId, turnId, diff }),
        }),
      env: { ...process.env },
      codexHome,
    },
  });
  const configService = new ConfigService({ codexHome, overrides, cwd: process.cwd() });
  const server = new AppServer({ threads, config: configService, fileSearch: new FileSearchSessions(), notifier, info, log });
  if (listenSpec !== null) return serveListener(listenSpec.spec, { server, threads, close: () => stateDb?.close(), clock, log });
  const reader = new transport.NdjsonMessageReader(process.stdin, { logger: log });
  const writer = new transport.NdjsonMessageWriter(process.stdout, { clock, logger: log });

  let stopping: Promise<number> | null = null;
  const stop = (reason: string): Promise<number> => {
    stopping ??= (async () => {
      log.debug({ reason }, 'shutting down');
      await server.drain();
      await threads.shutdown();
      stateDb?.close();
      await writer.flush?.();
      return 0;
    })();
    return stopping;
  };
  writer.onError(() => void stop('stdout closed'));
  process.on('SIGTERM', () => void stop('SIGTERM').then((code) => process.exit(code)));
  process.on('SIGINT', () => void stop('SIGINT').then((code) => process.exit(code)));
  await server.serve(reader, writer);
  return stop('stdin closed');
}

/** The server's modules and the facts about this machine start-up reports (none of it needs the state DB). */
async function loadServerParts(codexHome: string, ids: IdSource, log: Logger) {
  // One event-loop turn first: opening the database up to the backfill claim runs in microtasks, and the claim
  // should not wait for the module initialisation (in the bundle the imports below are microtasks too).
  await new Promise<void>((resolve) => setImmediate(resolve));
  const modules = await Promise.all([
    import('./rollout/local-thread-store.js'),
    import('./threads/thread-manager.js'),
    import('./model/responses-client.js'),
    import('./server/app-server.js'),
    import('./server/notifier.js'),
    import('./transport/index.js'),
    import('./config/config-service.js'),
    import('./discovery/file-search-sessions.js'),
    import('./tools/index.js'),
    import('./threads/catalog.js'),
  ]);
  const { findBwrap, bwrapMissingWarning } = modules[8];
  // node:crypto (≈ 3 ms to load) here, not with the first id: a process's first `thread/start` makes one, and an
  // editor sends it right after `initialize`. Here it loads while the gate waits when another process backfills.
  nodeCrypto();
  const bwrapPath = process.platform === 'linux' ? findBwrap(process.env['PATH'], isExecutableFile) : null;
  const spawnPty = loadNodePty(log);
  const info = {
    version: SERVER_VERSION,
    codexHome,
    osDescription: osDescription(),
    arch: os.arch() === 'x64' ? 'x86_64' : os.arch() === 'arm64' ? 'aarch64' : os.arch(),
    terminal: terminalName(process.env),
    hostname: os.hostname(),
    platformOs: process.platform === 'darwin' ? 'macos' : process.platform,
    installationId: installationId(codexHome, ids),
    configWarnings: process.platform === 'linux' && bwrapPath === null ? [bwrapMissingWarning()] : [],
  };
  return { modules, bwrapPath, spawnPty, info };
}

type Prepared = { spec: import('./transport/listen.js').ListenerSpec } | { error: string };

/** Checks `--listen ws://`/`unix://` and `--ws-*` as the reference does before start-up; null for stdio. */
async function prepareListener(listen: ListenTarget, wsAuth: WsAuthArgs, codexHome: string): Promise<Prepared | null> {
  if (listen.kind === 'stdio') return null;
  const [{ wsAuthFromSettings }, { nonLoopbackWithoutAuth, isLoopbackHost }, unix] = await Promise.all([
    import('./transport/ws-auth.js'),
    import('./transport/listen.js'),
    import('./transport/unix-socket.js'),
  ]);
  if (listen.kind === 'ws') {
    const auth = wsAuthFromSettings(wsAuth, { cwd: process.cwd(), resolve: (cwd, file) => path.resolve(cwd, file), readFile: (file) => readFileSync(file, 'utf8') });
    if (!auth.ok) return { error: auth.message };
    if (!auth.authorize && !isLoopbackHost(listen.host)) return { error: nonLoopbackWithoutAuth(listen.host, listen.port) };
    return { spec: { kind: 'ws', host: listen.host, port: listen.port, authorize: auth.authorize } };
  }
  const alias = listen.path === null ? unix.defaultControlSocketPath(codexHome) : path.resolve(listen.path);
  const paths = unix.controlSocketPaths(alias, { tmpRoot: os.platform() === 'darwin' ? '/private/tmp' : '/tmp', uid: process.getuid?.() ?? 0 });
  try {
    await unix.prepareControlSocket(paths);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  return { spec: { kind: 'unix', paths } };
}

/**
 * Serves `--listen ws://` or `unix://` clients, each on its own connection of the one server, until SIGTERM/SIGINT:
 * then it stops accepting, lets every connection's in-flight requests finish, interrupts running turns (their
 * last notifications still go out), closes every client after its queued messages, closes the DB, removes the
 * socket file and exits 0. The banner goes to stderr once the server is ready (listening means ready).
 */
async function serveListener(
  spec: import('./transport/listen.js').ListenerSpec,
  parts: { server: import('./server/app-server.js').AppServer; threads: { shutdown(): Promise<void> }; close: () => void; clock: import('./support/clock.js').Clock; log: Logger },
): Promise<number> {
  const { startListener } = await import('./transport/listen.js');
  const { server, threads, log } = parts;
  let listener;
  try {
    listener = await startListener(spec, {
      clock: parts.clock,
      logger: log,
      // Test hook: integration tests lower the per-connection send bound to reach it with little traffic.
      maxQueuedSendBytes: positiveInt(process.env['CODEX_APP_SERVER_MAX_QUEUED_SEND_BYTES']),
      onConnection: ({ reader, writer }) => void server.serve(reader, writer),
    });
  } catch (error) {
    await threads.shutdown();
    parts.close();
    process.stderr.write(`Error: ${bindErrorText(error)}\n`);
    return 1;
  }
  const running = listener;
  process.once('exit', () => running.removeSocketFile());
  if (running.banner) process.stderr.write(running.banner);
  const stopped = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.debug({ reason: stopped, connections: running.connectionCount }, 'shutting down');
  // A second signal while draining: stop now, still without leaving the socket file behind.
  const force = (): void => {
    running.removeSocketFile();
    process.exit(1);
  };
  process.once('SIGTERM', force);
  process.once('SIGINT', force);
  running.stopAccepting();
  await server.drain();
  await threads.shutdown();
  log.debug('turns ended; closing client connections');
  await running.close();
  parts.close();
  log.debug('shut down');
  return 0;
}

/** Rust's display of a bind error (`Address in use (os error 98)`), else Node's message. */
function bindErrorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return 'Address in use (os error 98)';
  if (code === 'EADDRNOTAVAIL') return 'Cannot assign requested address (os error 99)';
  if (code === 'EACCES') return 'Permission denied (os error 13)';
  return error instanceof Error ? error.message : String(error);
}

/** The text of `file`, or `''` when there is none (`--strict-config` on a home without config.toml). */
function readFileOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

async function generateSchema(out: string | null, log: Logger): Promise<number> {
  if (!out) {
    process.stderr.write('Error: generate-json-schema requires --out DIR\n');
    return 2;
  }
  // Loaded from the per-module build, not the server bundle: the schema export needs all of zod, the server none.
  const protocol: typeof import('./protocol/index.js') = await import(new URL('./protocol/index.js', import.meta.url).href);
  const { writeJsonSchemas } = protocol;
  const written = await writeJsonSchemas(path.resolve(out));
  log.info({ count: written.length }, 'wrote JSON schema files');
  return 0;
}

type HomeResolution = { ok: true; path: string } | { ok: false; message: string };

/** `CODEX_HOME` must exist when set (reference text, SPEC §5); the default `~/.codex` is created. */
export function resolveCodexHome(envValue: string | undefined): HomeResolution {
  if (envValue && envValue.trim() !== '') {
    const resolved = path.resolve(envValue);
    try {
      if (statSync(resolved).isDirectory()) return { ok: true, path: resolved };
    } catch {
      // fall through to the error below
    }
    return { ok: false, message: `Error: CODEX_HOME points to "${envValue}", but that path does not exist` };
  }
  const fallback = path.join(os.homedir(), '.codex');
  mkdirSync(fallback, { recursive: true });
  return { ok: true, path: fallback };
}

function installationId(home: string, ids: IdSource): string {
  const file = path.join(home, 'installation_id');
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f-]{36}$/i.test(existing)) return existing;
  } catch {
    // created below
  }
  const id = ids.uuid4();
  try {
    writeFileSync(file, id, { flag: 'wx' });
  } catch {
    // Another process created it first: use theirs.
    try {
      return readFileSync(file, 'utf8').trim() || id;
    } catch {
      return id;
    }
  }
  return id;
}

/** `Debian 12.0.0`-style description, as the reference's user agent shows it. */
function osDescription(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const field = (key: string) => new RegExp(`^${key}="?([^"\\n]*)"?`, 'm').exec(text)?.[1];
    const name = field('NAME')?.split(' ')[0] ?? os.type();
    const parts = (field('VERSION_ID') ?? os.release()).split('.').map((p) => p.replace(/\D.*$/, '') || '0');
    while (parts.length < 3) parts.push('0');
    return `${name} ${parts.slice(0, 3).join('.')}`;
  } catch {
    return `${os.type()} ${os.release()}`;
  }
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * node-pty's `spawn` (a native addon), loaded on the first command that asks for a terminal rather than at start-up
 * (≈ 5 ms of every start otherwise). When it does not load, that command and every later one fail to start, with
 * the warning logged once.
 */
function loadNodePty(log: Logger): import('./tools/exec/process.js').Spawners['spawnPty'] {
  let pty: typeof import('node-pty') | null | undefined;
  return (file, args, options) => {
    if (pty === undefined) {
      try {
        // require, not import(): the bundled server (dist/server.cjs) runs without a dynamic-import callback.
        pty = createRequire(import.meta.url)('node-pty') as typeof import('node-pty');
      } catch (err) {
        log.warn({ err }, 'node-pty did not load: tty commands are unavailable');
        pty = null;
      }
    }
    if (pty === null) throw new Error('pseudo-terminals are unavailable (node-pty not loaded)');
    return pty.spawn(file, [...args], options) as unknown as import('./tools/exec/process.js').PtyLike;
  };
}

function positiveInt(value: string | undefined): number | undefined {
  const n = value ? Number.parseInt(value, 10) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function terminalName(env: NodeJS.ProcessEnv): string {
  if (env['TERM_PROGRAM']) return env['TERM_PROGRAM_VERSION'] ? `${env['TERM_PROGRAM']}/${env['TERM_PROGRAM_VERSION']}` : env['TERM_PROGRAM'];
  if (env['TERM'] && env['TERM'] !== 'dumb') return env['TERM'];
  return 'unknown';
}
