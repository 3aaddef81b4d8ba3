import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readlinkSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';

/** Mode of the socket file and its directories: only the owner may connect. Reference: `CONTROL_SOCKET_MODE = 0o600`. */
export const CONTROL_SOCKET_MODE = 0o600;

/** `$CODEX_HOME/app-server-control/app-server-control.sock`, the reference's default for `--listen unix://`. */
export function defaultControlSocketPath(codexHome: string): string {
  return path.join(codexHome, 'app-server-control', 'app-server-control.sock');
}

/** A control socket start-up failure; `message` is the reference's text (printed as `Error: …`, exit 1). */
export class ControlSocketError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ControlSocketError';
  }
}

/**
 * Where a control socket lives. Reference layout (codex_uds): clients connect to `alias` (the path asked for),
 * a symlink to `physical`, a socket named by the SHA-256 of the alias inside a private `codex-daemon-<uid>`
 * directory under the temp root, so a deep `CODEX_HOME` never exceeds the 108-byte limit of a socket address.
 */
export interface ControlSocketPaths {
  alias: string;
  physicalDir: string;
  physical: string;
}

export function controlSocketPaths(alias: string, env: { tmpRoot: string; uid: number }): ControlSocketPaths {
  const physicalDir = path.join(env.tmpRoot, `codex-daemon-${env.uid}`);
  return { alias, physicalDir, physical: path.join(physicalDir, createHash('sha256').update(alias).digest('hex')) };
}

/**
 * Makes `alias` free to bind, as the reference does before binding: creates its directory (0700), then refuses a
 * live server (`app-server control socket is already in use at …`) and anything that is not a socket (`… path exists
 * and is not a socket: …`), and removes a stale socket (or symlink to one) that a crashed server left behind.
 * Liveness is a real connection attempt, so a socket another process is serving is never removed.
 */
export async function prepareControlSocket(paths: ControlSocketPaths): Promise<void> {
  mkdirSync(path.dirname(paths.alias), { recursive: true, mode: 0o700 });
  const probe = await tryConnect(paths.alias);
  if (probe === 'live') throw new ControlSocketError(`app-server control socket is already in use at ${paths.alias}`);
  const kind = entryKind(paths.alias);
  if (kind === 'none') return;
  if (kind !== 'socket') throw new ControlSocketError(`app-server control socket path exists and is not a socket: ${paths.alias}`);
  if (probe !== 'refused' && probe !== 'absent') throw new ControlSocketError(`failed to probe app-server control socket ${paths.alias}: ${probe}`);
  removeControlSocket(paths);
}

/**
 * Prepares the private directory and returns the path to bind; after binding, call {@link publishControlSocket}.
 * A stale physical socket (its alias gone) is removed first.
 */
export function physicalSocketToBind(paths: ControlSocketPaths): string {
  mkdirSync(paths.physicalDir, { recursive: true, mode: 0o700 });
  const dir = statSync(paths.physicalDir);
  if ((dir.mode & 0o077) !== 0) chmodSync(paths.physicalDir, 0o700);
  try {
    unlinkSync(paths.physical);
  } catch {
    // nothing there
  }
  return paths.physical;
}

/** After the bind: owner-only mode on the socket, then the alias symlink (a racing server that made one first wins). */
export function publishControlSocket(paths: ControlSocketPaths): void {
  chmodSync(paths.physical, CONTROL_SOCKET_MODE);
  try {
    symlinkSync(paths.physical, paths.alias);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new ControlSocketError(`app-server control socket is already in use at ${paths.alias}`, { cause: error });
    throw error;
  }
}

/** Removes the alias (when it is a socket or a symlink) and the physical socket it points to. Never throws. */
export function removeControlSocket(paths: ControlSocketPaths): void {
  let target: string | null = null;
  try {
    const st = lstatSync(paths.alias);
    if (st.isSymbolicLink()) target = path.resolve(path.dirname(paths.alias), readlinkSync(paths.alias));
    if (st.isSymbolicLink() || st.isSocket()) unlinkSync(paths.alias);
  } catch {
    // already gone
  }
  for (const file of new Set([target, paths.physical])) {
    if (file === null) continue;
    try {
      if (lstatSync(file).isSocket()) unlinkSync(file);
    } catch {
      // already gone
    }
  }
}

type EntryKind = 'none' | 'socket' | 'other';

/** What is at `file`: a socket, or a symlink to a socket or to nothing (a crashed server's), counts as a socket. */
function entryKind(file: string): EntryKind {
  let st;
  try {
    st = lstatSync(file);
  } catch {
    return 'none';
  }
  if (st.isSocket()) return 'socket';
  if (!st.isSymbolicLink()) return 'other';
  try {
    return statSync(file).isSocket() ? 'socket' : 'other';
  } catch {
    return 'socket';
  }
}

/** `live` when something accepts a connection at `file`; `absent` / `refused` when nothing does; else the error code. */
function tryConnect(file: string): Promise<'live' | 'absent' | 'refused' | string> {
  return new Promise((resolve) => {
    const socket = connect(file);
    socket.once('connect', () => {
      socket.destroy();
      resolve('live');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy();
      if (error.code === 'ENOENT') resolve('absent');
      else if (error.code === 'ECONNREFUSED') resolve('refused');
      else resolve(error.code ?? error.message);
    });
  });
}
