/**
 * Unified diffs rendered as the reference renders them (Rust `similar`'s `unified_diff()`): its line alignment
 * ({@link diffLines}), hunks of changes with `context` lines around them (two hunks closer than twice the context
 * are one), headers in GNU form (`@@ -3 +3,2 @@`: a count of 1 is left out, an empty side starts at the line
 * before), an optional `---`/`+++` header, and `\ No newline at end of file` after a last line without one.
 */
import { diffLines, splitLines, type LineOp } from './line-diff.js';

const oldRange = (op: LineOp): [number, number] => [op.oldIndex, op.oldIndex + (op.tag === 'equal' ? op.len : op.tag === 'delete' ? op.oldLen : 0)];
const newRange = (op: LineOp): [number, number] => [op.newIndex, op.newIndex + (op.tag === 'equal' ? op.len : op.tag === 'insert' ? op.newLen : 0)];

/** The ops cut into hunks: equal runs trimmed to `context` lines at the ends, split where longer than twice that. */
function hunks(ops: LineOp[], context: number): LineOp[][] {
  if (ops.length === 0) return [];
  const list = ops.map((op) => ({ ...op }));
  const first = list[0]!;
  if (first.tag === 'equal') {
    const cut = Math.max(0, first.len - context);
    first.oldIndex += cut;
    first.newIndex += cut;
    first.len -= cut;
  }
  const last = list[list.length - 1]!;
  if (last.tag === 'equal') last.len -= Math.max(0, last.len - context);
  const out: LineOp[][] = [];
  let group: LineOp[] = [];
  for (const op of list) {
    if (op.tag === 'equal' && op.len > context * 2) {
      group.push({ ...op, len: context });
      out.push(group);
      const cut = op.len - context;
      group = [{ tag: 'equal', oldIndex: op.oldIndex + cut, newIndex: op.newIndex + cut, len: op.len - cut }];
      continue;
    }
    group.push(op);
  }
  if (!(group.length === 0 || (group.length === 1 && group[0]!.tag === 'equal'))) out.push(group);
  // Groups that hold nothing but equal lines (a leading run cut off above) show no change.
  return out.filter((g) => g.some((op) => op.tag !== 'equal'));
}

function range(start: number, end: number): string {
  const len = end - start;
  if (len === 1) return `${start + 1}`;
  return `${len === 0 ? start : start + 1},${len}`;
}

function line(sign: string, text: string): string {
  return text.endsWith('\n') ? `${sign}${text}` : `${sign}${text}\n\\ No newline at end of file\n`;
}

/**
 * The hunks turning `oldText` into `newText` with `context` lines around each change, preceded by
 * `--- old\n+++ new\n` when `header` is given. Identical texts give `""`.
 */
export function unifiedDiff(oldText: string, newText: string, context: number, header?: { old: string; new: string }): string {
  if (oldText === newText) return '';
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const groups = hunks(diffLines(a, b), context);
  if (groups.length === 0) return '';
  let out = header ? `--- ${header.old}\n+++ ${header.new}\n` : '';
  for (const group of groups) {
    const [oldStart] = oldRange(group[0]!);
    const [newStart] = newRange(group[0]!);
    const [, oldEnd] = oldRange(group[group.length - 1]!);
    const [, newEnd] = newRange(group[group.length - 1]!);
    out += `@@ -${range(oldStart, oldEnd)} +${range(newStart, newEnd)} @@\n`;
    for (const op of group) {
      if (op.tag === 'equal') for (let i = 0; i < op.len; i++) out += line(' ', a[op.oldIndex + i]!);
      else if (op.tag === 'delete') for (let i = 0; i < op.oldLen; i++) out += line('-', a[op.oldIndex + i]!);
      else for (let i = 0; i < op.newLen; i++) out += line('+', b[op.newIndex + i]!);
    }
  }
  return out;
}
