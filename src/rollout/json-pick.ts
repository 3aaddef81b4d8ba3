/**
 * Reads one value out of a JSON line's bytes without building the line: the line is checked against the JSON
 * grammar `JSON.parse` applies (so a malformed line is still refused as a whole), and the value at a key path is
 * located on the way, with `JSON.parse`'s rule for repeated keys (the last one wins, all of its value).
 *
 * The summariser needs two numbers and a name from lines of ≈700 bytes each (`token_count`, `turn_context`);
 * building those lines costs several times what checking them costs.
 */

/** Where the picked value lies in the line; `first` is its first byte (`"`, a digit or `-`, `{`, `[`, `t`, `f`, `n`). */
export interface Picked {
  start: number;
  end: number;
  first: number;
}

/**
 * - `invalid`: the line is not one JSON value (`JSON.parse` would throw);
 * - `unsure`: a key on the path is written with an escape: the caller parses the line instead;
 * - `null`: the line is valid but the path leads nowhere (the top value or a step is not an object, or a key is missing);
 * - otherwise the last occurrence of the path's value.
 */
export type PickResult = Picked | null | 'invalid' | 'unsure';

class Invalid extends Error {}
class Unsure extends Error {}
const INVALID = new Invalid();
const UNSURE = new Unsure();

const QUOTE = 0x22;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const BACKSLASH = 0x5c;

/** The value at `keyPath` (object keys, each spelled in ASCII) in the JSON text data[start, end). */
export function pickJsonValue(data: Uint8Array, start: number, end: number, keyPath: readonly Uint8Array[]): PickResult {
  const picker = new Picker(data, end, keyPath);
  try {
    picker.pos = start;
    picker.skipSpace();
    picker.value(0);
    picker.skipSpace();
    if (picker.pos !== end) return 'invalid';
    return picker.found;
  } catch (error) {
    if (error === UNSURE) return 'unsure';
    if (error === INVALID) return 'invalid';
    return 'unsure'; // a stack overflow on absurd nesting: let JSON.parse decide
  }
}

class Picker {
  pos = 0;
  found: Picked | null = null;

  constructor(
    private readonly data: Uint8Array,
    private readonly end: number,
    private readonly keyPath: readonly Uint8Array[],
  ) {}

  skipSpace(): void {
    const data = this.data;
    let pos = this.pos;
    while (pos < this.end) {
      const c = data[pos]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      pos += 1;
    }
    this.pos = pos;
  }

  /** One value at `pos`; `depth` is the number of path keys matched so far, -1 when off the path. */
  value(depth: number): void {
    if (this.pos >= this.end) throw INVALID;
    const c = this.data[this.pos]!;
    if (c === 0x7b) this.object(depth);
    else if (c === 0x5b) this.array();
    else if (c === QUOTE) this.string();
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) this.number();
    else if (c === 0x74) this.word(TRUE);
    else if (c === 0x66) this.word(FALSE);
    else if (c === 0x6e) this.word(NULL);
    else throw INVALID;
  }

  private object(depth: number): void {
    const data = this.data;
    if (this.openedEmpty(CLOSE_BRACE)) return;
    const onPath = depth >= 0 && depth < this.keyPath.length;
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.end || data[this.pos] !== QUOTE) throw INVALID;
      const keyStart = this.pos;
      const escaped = this.string();
      let next = -1;
      if (onPath) {
        if (escaped) throw UNSURE;
        if (this.keyIs(keyStart + 1, this.pos - 1, this.keyPath[depth]!)) {
          // A repeated key replaces all of the earlier value: what was found under it is gone.
          this.found = null;
          next = depth + 1;
        }
      }
      this.skipSpace();
      if (this.pos >= this.end || data[this.pos] !== 0x3a) throw INVALID;
      this.pos += 1;
      this.skipSpace();
      const valueStart = this.pos;
      this.value(next === this.keyPath.length ? -1 : next);
      if (next === this.keyPath.length) this.found = { start: valueStart, end: this.pos, first: data[valueStart]! };
      if (this.closedAfterMember(CLOSE_BRACE)) return;
    }
  }

  private array(): void {
    if (this.openedEmpty(CLOSE_BRACKET)) return;
    for (;;) {
      this.skipSpace();
      this.value(-1);
      if (this.closedAfterMember(CLOSE_BRACKET)) return;
    }
  }

  /** Steps over a container's opening bracket; true when `close` follows at once (an empty container, consumed too). */
  private openedEmpty(close: number): boolean {
    this.pos += 1;
    this.skipSpace();
    if (this.pos < this.end && this.data[this.pos] === close) {
      this.pos += 1;
      return true;
    }
    return false;
  }

  /** After a member: true at `close` (consumed); past a comma, false; anything else is invalid. */
  private closedAfterMember(close: number): boolean {
    this.skipSpace();
    if (this.pos >= this.end) throw INVALID;
    const c = this.data[this.pos]!;
    this.pos += 1;
    if (c === close) return true;
    if (c !== 0x2c) throw INVALID;
    return false;
  }

  /** A string at `pos` (its opening quote); whether it holds an escape. */
  string(): boolean {
    const data = this.data;
    const end = this.end;
    let pos = this.pos + 1;
    let escaped = false;
    for (;;) {
      if (pos >= end) throw INVALID;
      const c = data[pos]!;
      if (c === QUOTE) break;
      if (c < 0x20) throw INVALID;
      if (c === BACKSLASH) {
        escaped = true;
        pos += 1;
        if (pos >= end) throw INVALID;
        const e = data[pos]!;
        if (e === 0x75) {
          for (let i = 1; i <= 4; i += 1) if (pos + i >= end || !isHex(data[pos + i]!)) throw INVALID;
          pos += 4;
        } else if (e !== QUOTE && e !== BACKSLASH && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) {
          throw INVALID;
        }
      }
      pos += 1;
    }
    this.pos = pos + 1;
    return escaped;
  }

  private number(): void {
    const data = this.data;
    const end = this.end;
    let pos = this.pos;
    if (data[pos] === 0x2d) pos += 1;
    if (pos >= end) throw INVALID;
    if (data[pos] === 0x30) pos += 1;
    else if (isDigit(data[pos]!)) while (pos < end && isDigit(data[pos]!)) pos += 1;
    else throw INVALID;
    if (pos < end && data[pos] === 0x2e) {
      pos += 1;
      if (pos >= end || !isDigit(data[pos]!)) throw INVALID;
      while (pos < end && isDigit(data[pos]!)) pos += 1;
    }
    if (pos < end && (data[pos] === 0x65 || data[pos] === 0x45)) {
      pos += 1;
      if (pos < end && (data[pos] === 0x2b || data[pos] === 0x2d)) pos += 1;
      if (pos >= end || !isDigit(data[pos]!)) throw INVALID;
      while (pos < end && isDigit(data[pos]!)) pos += 1;
    }
    this.pos = pos;
  }

  private word(word: Uint8Array): void {
    if (this.pos + word.length > this.end) throw INVALID;
    for (let i = 0; i < word.length; i += 1) if (this.data[this.pos + i] !== word[i]) throw INVALID;
    this.pos += word.length;
  }

  private keyIs(start: number, end: number, key: Uint8Array): boolean {
    if (end - start !== key.length) return false;
    for (let i = 0; i < key.length; i += 1) if (this.data[start + i] !== key[i]) return false;
    return true;
  }
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}
