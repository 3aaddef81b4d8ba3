import { isIPv6 } from 'node:net';
import type { Clock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import { physicalSocketToBind, publishControlSocket, removeControlSocket, type ControlSocketPaths } from './unix-socket.js';
import { WebSocketListener, type AcceptedConnection } from './websocket-listener.js';
import type { UpgradeAuthorizer } from './ws-auth.js';

/** What to listen on: a `ws://` address (with its authorizer) or a prepared control socket. */
export type ListenerSpec =
  | { kind: 'ws'; host: string; port: number; authorize: UpgradeAuthorizer | null }
  | { kind: 'unix'; paths: ControlSocketPaths };

/** A bound listener: the banner to print on stderr (null for a unix socket, which the reference announces nowhere). */
export interface RunningListener {
  banner: string | null;
  /** Refuses new clients from now on (the socket file stays until `close`). */
  stopAccepting(): void;
  /** Stops accepting, closes every client after its queued messages, removes the socket file. */
  close(): Promise<void>;
  /** Removes the socket file now, synchronously (for a process exiting without `close`). Idempotent. */
  removeSocketFile(): void;
  readonly connectionCount: number;
}

/** 127.0.0.0/8 or ::1, as Rust's `IpAddr::is_loopback` decides. */
export function isLoopbackHost(host: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(host) || host === '0:0:0:0:0:0:0:1';
}

/** `IP:PORT` as Rust displays a socket address (`[::1]:80` for IPv6). */
export function displayAddress(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The reference's start-up error for a non-loopback `ws://` address without `--ws-auth` (exit 1). */
export function nonLoopbackWithoutAuth(host: string, port: number): string {
  return `refusing to start non-loopback websocket listener ${displayAddress(host, port)} without auth; configure \`--ws-auth capability-token\` or \`--ws-auth signed-bearer-token\``;
}

/** The reference's stderr banner of a `ws://` listener, for the bound address. */
export function websocketBanner(host: string, port: number): string {
  const address = displayAddress(host, port);
  const note = isLoopbackHost(host) ? 'binds localhost only (use SSH port-forwarding for remote access)' : 'websocket auth is required for non-localhost listeners';
  return ['codex app-server (WebSockets)', `  listening on: ws://${address}`, `  readyz: http://${address}/readyz`, `  healthz: http://${address}/healthz`, `  note: ${note}`, ''].join('\n');
}

/** Binds `spec`; every accepted client goes to `onConnection`. Rejects with the OS error when the bind fails. */
export async function startListener(
  spec: ListenerSpec,
  options: { clock: Clock; logger: Logger; maxQueuedSendBytes?: number; onConnection: (connection: AcceptedConnection) => void },
): Promise<RunningListener> {
  const listener = new WebSocketListener({
    clock: options.clock,
    logger: options.logger,
    flavour: spec.kind === 'ws' ? 'tcp' : 'unix',
    authorize: spec.kind === 'ws' ? spec.authorize : null,
    maxQueuedSendBytes: options.maxQueuedSendBytes,
    onConnection: options.onConnection,
  });
  if (spec.kind === 'ws') {
    const address = await listener.listenTcp(spec.host, spec.port);
    return { banner: websocketBanner(spec.host, address.port), stopAccepting: () => listener.stopAccepting(), close: () => listener.close(), removeSocketFile: () => {}, get connectionCount() { return listener.connectionCount; } };
  }
  const { paths } = spec;
  await listener.listenUnix(physicalSocketToBind(paths));
  let removed = false;
  const removeSocketFile = (): void => {
    if (removed) return;
    removed = true;
    removeControlSocket(paths);
  };
  try {
    publishControlSocket(paths);
  } catch (error) {
    await listener.close();
    throw error;
  }
  options.logger.info({ socketPath: paths.alias }, 'app-server control socket listening');
  return {
    banner: null,
    stopAccepting: () => listener.stopAccepting(),
    close: async () => {
      await listener.close();
      removeSocketFile();
    },
    removeSocketFile,
    get connectionCount() {
      return listener.connectionCount;
    },
  };
}
