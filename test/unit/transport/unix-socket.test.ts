/** The control socket's path handling (issue 16): the reference's layout, stale/live detection and removal. */
import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { controlSocketPaths, defaultControlSocketPath, physicalSocketToBind, prepareControlSocket, publishControlSocket, removeControlSocket } from '../../../src/transport/unix-socket.js';
import { listenUnix, scratchDir } from './helpers.js';

const scratch = (): string => scratchDir('cas-uds-');
const listen = listenUnix;

const exists = (file: string) => {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
};

describe('control socket paths', () => {
  test('default path and the reference layout: sha256 of the alias in codex-daemon-<uid>', () => {
    expect(defaultControlSocketPath('/h')).toBe('/h/app-server-control/app-server-control.sock');
    // Measured on the reference: this alias maps to this physical name.
    expect(controlSocketPaths('/root/refprobe-d/home1/app-server-control/app-server-control.sock', { tmpRoot: '/tmp', uid: 0 })).toEqual({
      alias: '/root/refprobe-d/home1/app-server-control/app-server-control.sock',
      physicalDir: '/tmp/codex-daemon-0',
      physical: '/tmp/codex-daemon-0/344300cf30d17b1b9e2b5f1098fea56a20d326a7bc67ec67ed42d825b271d68e',
    });
  });

  test('prepare creates the directory 0700; bind, publish (0600 socket, symlink) and remove', async () => {
    const dir = scratch();
    const paths = controlSocketPaths(path.join(dir, 'ctl', 'a.sock'), { tmpRoot: path.join(dir, 'tmp'), uid: 7 });
    await prepareControlSocket(paths);
    expect(statSync(path.join(dir, 'ctl')).mode & 0o777).toBe(0o700);
    await listen(physicalSocketToBind(paths));
    publishControlSocket(paths);
    expect(statSync(paths.physicalDir).mode & 0o777).toBe(0o700);
    expect(statSync(paths.alias).mode & 0o777).toBe(0o600);
    expect(lstatSync(paths.alias).isSymbolicLink()).toBe(true);
    await expect(prepareControlSocket(paths)).rejects.toThrow(`app-server control socket is already in use at ${paths.alias}`);
    expect(() => publishControlSocket(paths)).toThrow(`app-server control socket is already in use at ${paths.alias}`);
    removeControlSocket(paths);
    expect(exists(paths.alias)).toBe(false);
    expect(exists(paths.physical)).toBe(false);
  });

  test('a stale socket, a stale symlink and a dangling symlink are removed; a regular file or directory is refused', async () => {
    const dir = scratch();
    const paths = controlSocketPaths(path.join(dir, 's.sock'), { tmpRoot: path.join(dir, 'tmp'), uid: 7 });
    // A socket nobody serves any more: a process that listened on it was killed (nothing unlinked it).
    const child = spawn(process.execPath, ['-e', "require('net').createServer().listen(process.argv[1], () => console.log('ready'))", paths.alias], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => child.stdout!.once('data', r));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(lstatSync(paths.alias).isSocket()).toBe(true);
    await prepareControlSocket(paths);
    expect(exists(paths.alias)).toBe(false);

    symlinkSync(path.join(dir, 'nowhere'), paths.alias);
    await prepareControlSocket(paths);
    expect(exists(paths.alias)).toBe(false);

    writeFileSync(paths.alias, 'x');
    await expect(prepareControlSocket(paths)).rejects.toThrow(`app-server control socket path exists and is not a socket: ${paths.alias}`);
    rmSync(paths.alias);
    mkdirSync(paths.alias);
    await expect(prepareControlSocket(paths)).rejects.toThrow('exists and is not a socket');
  });
});
