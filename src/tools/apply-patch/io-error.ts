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

/** Where the first invalid UTF-8 sequence starts, and its length (null: the bytes end inside a sequence). */
function firstUtf8Error(bytes: Uint8Array): { validUpTo: number; errorLength: number | null } | null {
  const cont = (b: number | undefined): boolean => b !== undefined && b >= 0x80 && b <= 0xbf;
  let i = 0;
  while (i < bytes.length) {
    const first = bytes[i]!;
    if (first < 0x80) {
      i++;
      continue;
    }
    const width = first >= 0xc2 && first <= 0xdf ? 2 : first >= 0xe0 && first <= 0xef ? 3 : first >= 0xf0 && first <= 0xf4 ? 4 : 0;
    if (width === 0) return { validUpTo: i, errorLength: 1 };
    // The allowed range of the second byte depends on the first (no overlongs, surrogates or values past U+10FFFF).
    const [lo, hi] = first === 0xe0 ? [0xa0, 0xbf] : first === 0xed ? [0x80, 0x9f] : first === 0xf0 ? [0x90, 0xbf] : first === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    for (let k = 1; k < width; k++) {
      const b = bytes[i + k];
      if (b === undefined) return { validUpTo: i, errorLength: null };
      const ok = k === 1 ? b >= lo && b <= hi : cont(b);
      if (!ok) return { validUpTo: i, errorLength: k };
    }
    i += width;
  }
  return null;
}

/**
 * Decodes a file's bytes as UTF-8, or throws Rust's `Utf8Error` text (`invalid utf-8 sequence of 1 bytes from
 * index 1`, `incomplete utf-8 byte sequence from index 4`), which the reference reports for non-text files.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  const error = firstUtf8Error(bytes);
  if (error === null) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  throw new Error(
    error.errorLength === null
      ? `incomplete utf-8 byte sequence from index ${error.validUpTo}`
      : `invalid utf-8 sequence of ${error.errorLength} bytes from index ${error.validUpTo}`,
  );
}
