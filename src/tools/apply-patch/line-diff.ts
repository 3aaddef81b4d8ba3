/**
 * The line alignment the reference's diffs use (Rust `similar` 2.7, `TextDiff::from_lines` with its default Myers):
 * common prefix and suffix stripped, then Myers' linear-space divide and conquer on the middle snake (forward and
 * backward searches, diagonals visited from k = d down to -d), then the clean-up pass that slides inserted and
 * deleted blocks along equal runs to join neighbouring edits, and between two equal runs all deletions before all
 * insertions.
 *
 * Why not the `diff` package's alignment: where a file repeats lines (blank lines, closing braces), several minimal
 * diffs exist and the `diff` package's forward-only search picks other lines than `similar` does, so the hunks the
 * client shows (`fileChange` diffs, `turn/diff/updated`) would differ from the reference's.
 */

export type LineOp =
  | { tag: 'equal'; oldIndex: number; newIndex: number; len: number }
  | { tag: 'delete'; oldIndex: number; oldLen: number; newIndex: number }
  | { tag: 'insert'; oldIndex: number; newIndex: number; newLen: number };

/** Splits text into lines that keep their `\n` (the last one may lack it), as `similar` tokenises lines. */
/** Lines as numbers, equal lines having equal numbers. */
type Lines = Int32Array;

export function splitLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
    out.push(text.slice(start, i + 1));
    start = i + 1;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

/** Offsets into a diagonal array indexed from -size to size - 1. */
class Diagonals {
  private readonly v: Int32Array;
  constructor(private readonly offset: number) {
    this.v = new Int32Array(2 * offset + 2);
  }
  get(k: number): number {
    return this.v[k + this.offset]!;
  }
  set(k: number, x: number): void {
    this.v[k + this.offset] = x;
  }
}

const maxD = (n: number, m: number): number => Math.floor((n + m + 1) / 2) + 1;

/** The edit script turning `a` into `b`: equal runs, and between them one deletion and/or one insertion. */
export function diffLines(a: readonly string[], b: readonly string[]): LineOp[] {
  // Texts with no line in common: the search would find no snake (and cost O((N+M)²)); its clean-up would end with
  // this very script, all deletions then all insertions.
  const inA = new Set(a);
  if (a.length > 0 && b.length > 0 && !b.some((line) => inA.has(line))) {
    return [
      { tag: 'delete', oldIndex: 0, oldLen: a.length, newIndex: 0 },
      { tag: 'insert', oldIndex: a.length, newIndex: 0, newLen: b.length },
    ];
  }
  // Lines become numbers (equal lines, equal numbers): comparisons are the hot loop.
  const ids = new Map<string, number>();
  const intern = (lines: readonly string[]): Int32Array => Int32Array.from(lines, (line) => {
    let id = ids.get(line);
    if (id === undefined) ids.set(line, (id = ids.size));
    return id;
  });
  const x = intern(a);
  const y = intern(b);
  const raw: LineOp[] = [];
  const size = maxD(a.length, b.length);
  const vf = new Diagonals(size);
  const vb = new Diagonals(size);
  conquer(x, 0, x.length, y, 0, y.length, vf, vb, raw);
  // The clean-up sees the ops as the search produced them (runs not merged yet), as in `similar`.
  compact(x, y, raw);
  return orderEdits(raw);
}

function prefixLen(a: Lines, aStart: number, aEnd: number, b: Lines, bStart: number, bEnd: number): number {
  let n = 0;
  while (aStart + n < aEnd && bStart + n < bEnd && a[aStart + n] === b[bStart + n]) n++;
  return n;
}

function suffixLen(a: Lines, aStart: number, aEnd: number, b: Lines, bStart: number, bEnd: number): number {
  let n = 0;
  while (aEnd - n > aStart && bEnd - n > bStart && a[aEnd - n - 1] === b[bEnd - n - 1]) n++;
  return n;
}

function conquer(
  a: Lines,
  aStart: number,
  aEnd: number,
  b: Lines,
  bStart: number,
  bEnd: number,
  vf: Diagonals,
  vb: Diagonals,
  out: LineOp[],
): void {
  const prefix = prefixLen(a, aStart, aEnd, b, bStart, bEnd);
  if (prefix > 0) out.push({ tag: 'equal', oldIndex: aStart, newIndex: bStart, len: prefix });
  aStart += prefix;
  bStart += prefix;
  const suffix = suffixLen(a, aStart, aEnd, b, bStart, bEnd);
  aEnd -= suffix;
  bEnd -= suffix;
  if (aStart === aEnd && bStart === bEnd) {
    // nothing between prefix and suffix
  } else if (bStart === bEnd) {
    out.push({ tag: 'delete', oldIndex: aStart, oldLen: aEnd - aStart, newIndex: bStart });
  } else if (aStart === aEnd) {
    out.push({ tag: 'insert', oldIndex: aStart, newIndex: bStart, newLen: bEnd - bStart });
  } else {
    const [x, y] = middleSnake(a, aStart, aEnd, b, bStart, bEnd, vf, vb);
    conquer(a, aStart, x, b, bStart, y, vf, vb, out);
    conquer(a, x, aEnd, b, y, bEnd, vf, vb, out);
  }
  if (suffix > 0) out.push({ tag: 'equal', oldIndex: aEnd, newIndex: bEnd, len: suffix });
}

/** The start of the middle snake of an optimal path through `a[aStart..aEnd]` × `b[bStart..bEnd]`. */
function middleSnake(
  a: Lines,
  aStart: number,
  aEnd: number,
  b: Lines,
  bStart: number,
  bEnd: number,
  vf: Diagonals,
  vb: Diagonals,
): [number, number] {
  const n = aEnd - aStart;
  const m = bEnd - bStart;
  const delta = n - m;
  const odd = (delta & 1) === 1;
  vf.set(1, 0);
  vb.set(1, 0);
  const dMax = maxD(n, m);
  for (let d = 0; d < dMax; d++) {
    for (let k = d; k >= -d; k -= 2) {
      let x = k === -d || (k !== d && vf.get(k - 1) < vf.get(k + 1)) ? vf.get(k + 1) : vf.get(k - 1) + 1;
      const y = x - k;
      const [x0, y0] = [x, y];
      if (x < n && y < m) x += prefixLen(a, aStart + x, aEnd, b, bStart + y, bEnd);
      vf.set(k, x);
      if (odd && Math.abs(k - delta) <= d - 1 && vf.get(k) + vb.get(-(k - delta)) >= n) return [x0 + aStart, y0 + bStart];
    }
    for (let k = d; k >= -d; k -= 2) {
      let x = k === -d || (k !== d && vb.get(k - 1) < vb.get(k + 1)) ? vb.get(k + 1) : vb.get(k - 1) + 1;
      let y = x - k;
      if (x < n && y < m) {
        const advance = suffixLen(a, aStart, aStart + n - x, b, bStart, bStart + m - y);
        x += advance;
        y += advance;
      }
      vb.set(k, x);
      if (!odd && Math.abs(k - delta) <= d && vb.get(k) + vf.get(-(k - delta)) >= n) return [n - x + aStart, m - y + bStart];
    }
  }
  throw new Error('unable to find a middle snake');
}

const oldStart = (op: LineOp): number => op.oldIndex;
const oldEnd = (op: LineOp): number => op.oldIndex + (op.tag === 'equal' ? op.len : op.tag === 'delete' ? op.oldLen : 0);
const newStart = (op: LineOp): number => op.newIndex;
const newEnd = (op: LineOp): number => op.newIndex + (op.tag === 'equal' ? op.len : op.tag === 'insert' ? op.newLen : 0);
const isEmpty = (op: LineOp): boolean => (op.tag === 'equal' ? op.len : op.tag === 'delete' ? op.oldLen : op.newLen) === 0;

/** Moves an op's ranges by `n` (negative: up). */
function shift(op: LineOp, n: number): void {
  op.oldIndex += n;
  op.newIndex += n;
}

/** Grows (positive) or shrinks (negative) an op at its start, keeping its end. */
function resizeStart(op: LineOp, n: number): void {
  op.oldIndex -= n;
  op.newIndex -= n;
  resizeEnd(op, n);
}

function resizeEnd(op: LineOp, n: number): void {
  if (op.tag === 'equal') op.len += n;
  else if (op.tag === 'delete') op.oldLen += n;
  else op.newLen += n;
}

/**
 * `similar`'s clean-up (its `Compact` hook): each deletion, then each insertion, is slid up and then down along the
 * neighbouring equal runs (as far as the lines allow), swapping past the other kind of edit and merging into edits of
 * its own kind it meets. Only insertions can slide along equal text here: `similar` compares a deletion's (empty)
 * new-side range, which never matches, so deletions only swap and merge.
 */
function compact(a: Lines, b: Lines, ops: LineOp[]): void {
  for (const tag of ['delete', 'insert'] as const) {
    for (let p = 0; p < ops.length; p++) {
      if (ops[p]!.tag !== tag) continue;
      p = slideUp(a, b, ops, p);
      p = slideDown(a, b, ops, p);
    }
  }
}

function slideUp(a: Lines, b: Lines, ops: LineOp[], p: number): number {
  while (p > 0) {
    const prev = ops[p - 1]!;
    const cur = ops[p]!;
    if (prev.tag === 'equal' && cur.tag !== 'equal') {
      const common = cur.tag === 'insert' ? suffixLen(a, oldStart(prev), oldEnd(prev), b, newStart(cur), newEnd(cur)) : 0;
      if (common > 0) {
        const next = ops[p + 1];
        if (next?.tag === 'equal') resizeStart(next, common);
        else ops.splice(p + 1, 0, { tag: 'equal', oldIndex: oldEnd(prev) - common, newIndex: newEnd(cur) - common, len: common });
        shift(cur, -common);
        resizeEnd(prev, -common);
        if (isEmpty(prev)) {
          ops.splice(p - 1, 1);
          p--;
        }
      } else if (isEmpty(prev)) {
        ops.splice(p - 1, 1);
        p--;
      } else break;
    } else if (prev.tag !== cur.tag && prev.tag !== 'equal') {
      ops[p - 1] = cur;
      ops[p] = prev;
      p--;
    } else if (prev.tag === cur.tag && cur.tag !== 'equal') {
      resizeEnd(prev, cur.tag === 'insert' ? cur.newLen : (cur as Extract<LineOp, { tag: 'delete' }>).oldLen);
      ops.splice(p, 1);
      p--;
    } else break;
  }
  return p;
}

function slideDown(a: Lines, b: Lines, ops: LineOp[], p: number): number {
  while (p + 1 < ops.length) {
    const next = ops[p + 1]!;
    const cur = ops[p]!;
    if (next.tag === 'equal' && cur.tag !== 'equal') {
      const common = cur.tag === 'insert' ? prefixLen(a, oldStart(next), oldEnd(next), b, newStart(cur), newEnd(cur)) : 0;
      if (common > 0) {
        const prev = p > 0 ? ops[p - 1] : undefined;
        if (prev?.tag === 'equal') resizeEnd(prev, common);
        else {
          ops.splice(p, 0, { tag: 'equal', oldIndex: oldStart(next), newIndex: newStart(cur), len: common });
          p++;
        }
        shift(ops[p]!, common);
        resizeStart(ops[p + 1]!, -common);
        if (isEmpty(ops[p + 1]!)) ops.splice(p + 1, 1);
      } else if (isEmpty(next)) {
        ops.splice(p + 1, 1);
      } else break;
    } else if (next.tag !== cur.tag && next.tag !== 'equal') {
      ops[p + 1] = cur;
      ops[p] = next;
      p++;
    } else if (next.tag === cur.tag && cur.tag !== 'equal') {
      resizeEnd(cur, cur.tag === 'insert' ? (next as Extract<LineOp, { tag: 'insert' }>).newLen : (next as Extract<LineOp, { tag: 'delete' }>).oldLen);
      ops.splice(p + 1, 1);
    } else break;
  }
  return p;
}

/** Between two equal runs: one deletion (all removed lines) then one insertion, as `similar`'s `Replace` orders them. */
function orderEdits(ops: LineOp[]): LineOp[] {
  const out: LineOp[] = [];
  let del: Extract<LineOp, { tag: 'delete' }> | null = null;
  let ins: Extract<LineOp, { tag: 'insert' }> | null = null;
  const flush = (): void => {
    if (del) out.push(ins ? { ...del, newIndex: ins.newIndex } : del);
    if (ins) out.push(del ? { ...ins, oldIndex: del.oldIndex + del.oldLen } : ins);
    del = null;
    ins = null;
  };
  for (const op of ops) {
    if (isEmpty(op)) continue;
    if (op.tag === 'equal') {
      flush();
      const last = out[out.length - 1];
      if (last?.tag === 'equal') last.len += op.len;
      else out.push({ ...op });
    } else if (op.tag === 'delete') {
      if (del) del.oldLen += op.oldLen;
      else del = { ...op };
    } else if (ins) ins.newLen += op.newLen;
    else ins = { ...op };
  }
  flush();
  return out;
}
