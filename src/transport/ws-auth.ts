import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks the `Authorization` header of a WebSocket upgrade. Returns null when the client may connect, else the
 * reference's 401 body text. Never throws.
 */
export type UpgradeAuthorizer = (authorization: string | undefined) => string | null;

/** Reference text of `--ws-token-sha256` that is not a SHA-256 digest (exit 1). */
export const TOKEN_SHA256_INVALID = '--ws-token-sha256 must be a 64-character hex SHA-256 digest';

/** The 32-byte digest of a `--ws-token-sha256` value (either case), or null when it is not 64 hex digits. */
export function parseTokenSha256(hex: string): Buffer | null {
  return /^[0-9a-fA-F]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : null;
}

/** The digest a capability token is compared through (the token file's content, trimmed, as the reference reads it). */
export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * `--ws-auth capability-token`: the client sends `Authorization: Bearer <token>` (scheme in any case) and the
 * SHA-256 of the token must equal `expected`. Digests of equal length are compared with `timingSafeEqual`, so the
 * time taken says nothing about how much of a guess was right. Texts as the reference answers (401):
 * no header → `missing websocket bearer token`; another scheme or no token → `invalid authorization header`; a wrong token →
 * `invalid websocket bearer token`.
 */
export function capabilityTokenAuthorizer(expected: Buffer): UpgradeAuthorizer {
  return (authorization) => {
    if (authorization === undefined) return 'missing websocket bearer token';
    const match = /^bearer (.*)$/is.exec(authorization);
    // Reference behaviour: the token is trimmed (`Bearer  <token>` is accepted).
    const token = match?.[1]!.trim() ?? '';
    if (token === '') return 'invalid authorization header';
    return timingSafeEqual(tokenDigest(token), expected) ? null : 'invalid websocket bearer token';
  };
}

/** The `--ws-*` options as the command line gave them (see `config/command-line.ts`). */
export interface WsAuthSettings {
  mode: 'capability-token' | 'signed-bearer-token' | null;
  tokenFile: string | null;
  tokenSha256: string | null;
  signedOptions: string[];
}

/**
 * The authorizer `--ws-*` asks for on a `ws://` listener, or the reference's start-up error text (printed as
 * `Error: …`, exit 1). A relative `--ws-token-file` is resolved against `cwd`, as the reference does; the file's
 * content is trimmed and must not be empty. `readFile` throws a Node errno error when the file cannot be read.
 */
export function wsAuthFromSettings(
  args: WsAuthSettings,
  env: { cwd: string; resolve: (cwd: string, file: string) => string; readFile: (file: string) => string },
): { ok: true; authorize: UpgradeAuthorizer | null } | { ok: false; message: string } {
  if (args.mode === null) {
    if (args.tokenFile !== null || args.tokenSha256 !== null || args.signedOptions.length > 0) {
      return { ok: false, message: 'websocket auth flags require `--ws-auth capability-token` or `--ws-auth signed-bearer-token`' };
    }
    return { ok: true, authorize: null };
  }
  if (args.mode === 'capability-token' && args.signedOptions.length > 0) {
    return { ok: false, message: '`--ws-shared-secret-file`, `--ws-issuer`, `--ws-audience`, and `--ws-max-clock-skew-seconds` require `--ws-auth signed-bearer-token`' };
  }
  if (args.mode === 'signed-bearer-token' && (args.tokenFile !== null || args.tokenSha256 !== null)) {
    return { ok: false, message: '`--ws-token-file` and `--ws-token-sha256` require `--ws-auth capability-token`, not `signed-bearer-token`' };
  }
  if (args.mode === 'signed-bearer-token') return { ok: false, message: '`--ws-auth signed-bearer-token` is not supported by this server; use `--ws-auth capability-token`' };
  if (args.tokenFile !== null && args.tokenSha256 !== null) return { ok: false, message: '`--ws-token-file` and `--ws-token-sha256` are mutually exclusive' };
  if (args.tokenFile !== null) {
    const file = env.resolve(env.cwd, args.tokenFile);
    let token: string;
    try {
      token = env.readFile(file).trim();
    } catch (error) {
      return { ok: false, message: `failed to read websocket auth secret ${file}: ${ioErrorText(error)}` };
    }
    if (token === '') return { ok: false, message: `websocket auth secret ${file} must not be empty` };
    return { ok: true, authorize: capabilityTokenAuthorizer(tokenDigest(token)) };
  }
  if (args.tokenSha256 !== null) {
    const digest = parseTokenSha256(args.tokenSha256);
    if (!digest) return { ok: false, message: TOKEN_SHA256_INVALID };
    return { ok: true, authorize: capabilityTokenAuthorizer(digest) };
  }
  return { ok: false, message: '`--ws-token-file` or `--ws-token-sha256` is required when `--ws-auth capability-token` is set' };
}

/** Rust's `io::Error` display for the errors a token file read meets (`No such file or directory (os error 2)`). */
function ioErrorText(error: unknown): string {
  const known: Record<string, [string, number]> = {
    ENOENT: ['No such file or directory', 2],
    EACCES: ['Permission denied', 13],
    EISDIR: ['Is a directory', 21],
    ENOTDIR: ['Not a directory', 20],
    // The reference is a musl build: its texts are musl's `strerror` (glibc says `Too many levels of symbolic links`).
    ELOOP: ['Symbolic link loop', 40],
  };
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const entry = known[code];
  return entry ? `${entry[0]} (os error ${entry[1]})` : error instanceof Error ? error.message : String(error);
}
