/**
 * Node's filesystem errors in the words of Rust's `std::io::Error` Display (`No such file or directory (os error 2)`),
 * which the reference puts in the texts the model reads.
 */

/** errno code → [number on Linux, strerror text]. */
const ERRNO: Record<string, [number, string]> = {
  EPERM: [1, 'Operation not permitted'],
  ENOENT: [2, 'No such file or directory'],
  EIO: [5, 'Input/output error'],
  EACCES: [13, 'Permission denied'],
  EBUSY: [16, 'Device or resource busy'],
  EEXIST: [17, 'File exists'],
  EXDEV: [18, 'Invalid cross-device link'],
  ENOTDIR: [20, 'Not a directory'],
  EISDIR: [21, 'Is a directory'],
  EINVAL: [22, 'Invalid argument'],
  EFBIG: [27, 'File too large'],
  ENOSPC: [28, 'No space left on device'],
  EROFS: [30, 'Read-only file system'],
  ENAMETOOLONG: [36, 'File name too long'],
  ENOTEMPTY: [39, 'Directory not empty'],
  ELOOP: [40, 'Too many levels of symbolic links'],
};

/** Rust's text for a read of a file that is not UTF-8 (`read_to_string`). */
export const INVALID_UTF8 = 'stream did not contain valid UTF-8';

/** The Rust Display text of a Node fs error (or of anything else thrown). */
export function ioErrorText(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    const known = ERRNO[code];
    if (known) return `${known[1]} (os error ${known[0]})`;
    const errno = (error as { errno?: unknown }).errno;
    if (typeof errno === 'number') return `${code} (os error ${Math.abs(errno)})`;
    return code;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Decodes a file's bytes as UTF-8, or throws the reference's invalid-data error. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw Object.assign(new Error(INVALID_UTF8), { utf8: true });
  }
}
