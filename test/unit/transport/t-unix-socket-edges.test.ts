/** Edges of the control socket files (issue 17): directory modes, what is and is not removed, symlinks, probe errors. */
import { spawn } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CONTROL_SOCKET_MODE, ControlSocketError, controlSocketPaths, physicalSocketToBind, prepareControlSocket, publishControlSocket, removeControlSocket } from '../../../src/transport/unix-socket.js';
import { listenUnix, scratchDir } from './helpers.js';

const scratch = (): string => scratchDir('t-uds-');
const listen = listenUnix;

/** A socket file nobody serves: the process that bound it was killed, so nothing unlinked it. */
async function staleSocket(file: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', "require('net').createServer().listen(process.argv[1], () => console.log('ready'))", file], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => child.stdout!.once('data', r));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}

const exists = (file: string) => {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
};

describe('physicalSocketToBind', () => {
  test('tightens a private directory that others may read, and removes a stale physical socket', async () => {
    const dir = scratch();
    const paths = controlSocketPaths(path.join(dir, 'a.sock'), { tmpRoot: dir, uid: 3 });
    mkdirSync(paths.physicalDir, { mode: 0o755 });
    chmodSync(paths.physicalDir, 0o755);
    await staleSocket(paths.physical);
    expect(physicalSocketToBind(paths)).toBe(paths.physical);
    expect(statSync(paths.physicalDir).mode & 0o777).toBe(0o700);
    expect(exists(paths.physical)).toBe(false);
    await listen(paths.physical);
  });

  test('a directory already private is left as it is (0700 exactly, not widened)', () => {
    const dir = scratch();
    const paths = controlSocketPaths(path.join(dir, 'a.sock'), { tmpRoot: dir, uid: 3 });
    mkdirSync(paths.physicalDir, { mode: 0o700 });
    chmodSync(paths.physicalDir, 0o500);
    physicalSocketToBind(paths);
    expect(statSync(paths.physicalDir).mode & 0o777).toBe(0o500);
  });
});

describe('publishControlSocket', () => {
  test('owner-only socket, then the alias symlink to it', async () => {
    const dir = scratch();
    const paths = controlSocketPaths(path.join(dir, 'a.sock'), { tmpRoot: path.join(dir, 't'), uid: 3 });
    await listen(physicalSocketToBind(paths));
    publishControlSocket(paths);
    expect(CONTROL_SOCKET_MODE).toBe(0o600);
    expect(lstatSync(paths.physical).mode & 0o777).toBe(0o600);
  });

  test('an alias that exists is the reference error, with the OS error as cause; other errors pass through', async () => {
    const dir = scratch();
    const paths = controlSocketPaths(path.join(dir, 'a.sock'), { tmpRoot: path.join(dir, 't'), uid: 3 });
    await listen(physicalSocketToBind(paths));
    writeFileSync(paths.alias, '');
    let caught: unknown;
    try {
      publishControlSocket(paths);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ControlSocketError);
    expect(caught).toMatchObject({ name: 'ControlSocketError', message: `app-server control socket is already in use at ${paths.alias}`, cause: { code: 'EEXIST' } });

    const missingDir = { ...paths, alias: path.join(dir, 'no-such-dir', 'a.sock') };
    let other: unknown;
    try {
      publishControlSocket(missingDir);
    } catch (error) {
      other = error;
    }
    expect(other).not.toBeInstanceOf(ControlSocketError);
    expect(other).toMatchObject({ code: 'ENOENT' });
  });
});

describe('removeControlSocket', () => {
  test('a relative symlink is followed from the alias directory; the socket it points to is removed', async () => {
    const dir = scratch();
    mkdirSync(path.join(dir, 'home'));
    mkdirSync(path.join(dir, 'phys'));
    const target = path.join(dir, 'phys', 'real.sock');
    await staleSocket(target);
    const paths = { alias: path.join(dir, 'home', 'a.sock'), physicalDir: path.join(dir, 'elsewhere'), physical: path.join(dir, 'elsewhere', 'x') };
    symlinkSync('../phys/real.sock', paths.alias);
    removeControlSocket(paths);
    expect(exists(paths.alias)).toBe(false);
    expect(exists(target)).toBe(false);
  });

  test('regular files are never removed: not the alias, not a symlink target, not the physical path', () => {
    const dir = scratch();
    const alias = path.join(dir, 'alias');
    const physical = path.join(dir, 'physical');
    writeFileSync(alias, 'mine');
    writeFileSync(physical, 'mine too');
    removeControlSocket({ alias, physicalDir: dir, physical });
    expect(exists(alias)).toBe(true);
    expect(exists(physical)).toBe(true);

    const target = path.join(dir, 'target');
    writeFileSync(target, 'data');
    rmSync(alias);
    symlinkSync(target, alias);
    removeControlSocket({ alias, physicalDir: dir, physical });
    expect(exists(alias)).toBe(false);
    expect(exists(target)).toBe(true);
    expect(exists(physical)).toBe(true);
  });

  test('a socket alias (not a symlink) and the physical socket are both removed; nothing there is fine', async () => {
    const dir = scratch();
    const alias = path.join(dir, 'alias.sock');
    const physical = path.join(dir, 'physical.sock');
    await staleSocket(alias);
    await staleSocket(physical);
    removeControlSocket({ alias, physicalDir: dir, physical });
    expect(exists(alias)).toBe(false);
    expect(exists(physical)).toBe(false);
    expect(() => removeControlSocket({ alias, physicalDir: dir, physical })).not.toThrow();
  });
});

describe('prepareControlSocket', () => {
  test('a symlink to a live socket is in use; a symlink to a regular file is not a socket', async () => {
    const dir = scratch();
    const live = path.join(dir, 'live.sock');
    await listen(live);
    const alias = path.join(dir, 'a.sock');
    symlinkSync(live, alias);
    const paths = { alias, physicalDir: dir, physical: path.join(dir, 'p') };
    await expect(prepareControlSocket(paths)).rejects.toThrow(new ControlSocketError(`app-server control socket is already in use at ${alias}`));
    expect(exists(live)).toBe(true);

    rmSync(alias);
    writeFileSync(path.join(dir, 'file'), '');
    symlinkSync(path.join(dir, 'file'), alias);
    await expect(prepareControlSocket(paths)).rejects.toThrow(`app-server control socket path exists and is not a socket: ${alias}`);
  });

  test('a symlink to a stale socket is removed with the socket; the directory is created 0700 with its parents', async () => {
    const dir = scratch();
    const stale = path.join(dir, 'stale.sock');
    await staleSocket(stale);
    const alias = path.join(dir, 'a.sock');
    symlinkSync(stale, alias);
    await prepareControlSocket({ alias, physicalDir: dir, physical: path.join(dir, 'p') });
    expect(exists(alias)).toBe(false);
    expect(exists(stale)).toBe(false);

    const deep = path.join(dir, 'x', 'y', 'c.sock');
    await prepareControlSocket({ alias: deep, physicalDir: dir, physical: path.join(dir, 'p') });
    expect(statSync(path.join(dir, 'x', 'y')).mode & 0o777).toBe(0o700);
    expect(exists(deep)).toBe(false);
  });
});
