/**
 * Unified diffs rendered as the reference renders them (Rust `similar`'s `unified_diff()`): hunk headers in GNU form
 * (`@@ -3 +3,2 @@`: a count of 1 is left out, an empty side starts at the line before), an optional `---`/`+++`
 * header, and `\ No newline at end of file` after a last line without one. The line matching is the `diff`
 * package's (Myers, like `similar`); where several minimal diffs exist the two may pick different ones.
 */
import { structuredPatch } from 'diff';

function range(start: number, count: number): string {
  if (count === 1) return `${start}`;
  // The `diff` package numbers an empty side from the line after; GNU (and `similar`) from the line before.
  return `${count === 0 ? start - 1 : start},${count}`;
}

/**
 * The hunks turning `oldText` into `newText` with `context` lines around each change, preceded by
 * `--- old\n+++ new\n` when `header` is given. Identical texts give `""`.
 */
export function unifiedDiff(oldText: string, newText: string, context: number, header?: { old: string; new: string }): string {
  if (oldText === newText) return '';
  const patch = structuredPatch('a', 'b', oldText, newText, undefined, undefined, { context });
  if (patch.hunks.length === 0) return '';
  let out = header ? `--- ${header.old}\n+++ ${header.new}\n` : '';
  for (const hunk of patch.hunks) {
    out += `@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@\n`;
    for (const line of hunk.lines) out += `${line}\n`;
  }
  return out;
}
