/**
 * The `commandActions` of a command item: what a simple script does, as the reference's command parser summarises
 * it (`read` a file, `listFiles`, `search`, else `unknown`). Only plain words joined by `&&`, `||`, `;` and `|` are
 * parsed; anything else (redirections, `$…`, subshells, unbalanced quotes) is one `unknown` action for the whole
 * script. `cd` and formatting helpers (`echo`, `wc`, …) are dropped, as the reference drops them.
 */
import path from 'node:path';
import { joinCommand } from './shell-quote.js';

export type CommandAction =
  | { type: 'read'; command: string; name: string; path: string }
  | { type: 'listFiles'; command: string; path: string | null }
  | { type: 'search'; command: string; query: string | null; path: string | null }
  | { type: 'unknown'; command: string };

const DROPPED = new Set(['cd', 'echo', 'true', 'wc', 'sort', 'uniq', 'tr', 'cut', 'column', 'printf']);
const OPERATORS = new Set(['&&', '||', ';', '|']);

/** Splits a script into words and operators, or null when it uses shell syntax we do not summarise. */
export function tokenize(script: string): string[] | null {
  const tokens: string[] = [];
  let word: string | null = null;
  let i = 0;
  const flush = (): void => {
    if (word !== null) tokens.push(word);
    word = null;
  };
  while (i < script.length) {
    const c = script[i]!;
    if (c === ' ' || c === '\t') {
      flush();
      i += 1;
    } else if (c === "'") {
      const end = script.indexOf("'", i + 1);
      if (end < 0) return null;
      word = (word ?? '') + script.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      const end = script.indexOf('"', i + 1);
      if (end < 0) return null;
      const inner = script.slice(i + 1, end);
      if (/[$`\\]/.test(inner)) return null;
      word = (word ?? '') + inner;
      i = end + 1;
    } else if (script.startsWith('&&', i) || script.startsWith('||', i)) {
      flush();
      tokens.push(script.slice(i, i + 2));
      i += 2;
    } else if (c === ';' || c === '|') {
      flush();
      tokens.push(c);
      i += 1;
    } else if (/[$`<>()&\n\\*?{}[\]!#~]/.test(c)) {
      return null;
    } else {
      word = (word ?? '') + c;
      i += 1;
    }
  }
  flush();
  return tokens;
}

/** The actions of `script` run in `cwd`. */
export function parseCommandActions(script: string, cwd: string): CommandAction[] {
  const whole: CommandAction[] = [{ type: 'unknown', command: script }];
  const tokens = tokenize(script);
  if (!tokens || tokens.length === 0) return whole;
  const segments: string[][] = [[]];
  for (const t of tokens) {
    if (OPERATORS.has(t)) segments.push([]);
    else segments[segments.length - 1]!.push(t);
  }
  if (segments.some((s) => s.length === 0)) return whole;
  const actions = segments.filter((s) => !DROPPED.has(s[0]!) && !isPipeFilter(s)).map((s) => actionOf(s, cwd));
  return actions.length > 0 ? actions : whole;
}

/** `head`/`tail` without a file only shape another command's output (`… | head -5`): dropped. */
function isPipeFilter(words: string[]): boolean {
  return (words[0] === 'head' || words[0] === 'tail') && operands(words).length === 0;
}

/** Flags that take a value, per program (so the value is not mistaken for a path or a query). */
const VALUE_FLAGS: Record<string, string[]> = {
  head: ['-n', '-c'],
  tail: ['-n', '-c'],
  grep: ['-e', '-A', '-B', '-C', '-m', '-f'],
  rg: ['-e', '-A', '-B', '-C', '-m', '-g', '-t', '-T', '--glob', '--type'],
  sed: ['-e'],
  find: ['-name', '-iname', '-type', '-maxdepth', '-mindepth', '-path'],
};

function operands(words: string[]): string[] {
  const valueFlags = VALUE_FLAGS[words[0]!] ?? [];
  const out: string[] = [];
  for (let i = 1; i < words.length; i += 1) {
    const w = words[i]!;
    if (valueFlags.includes(w)) i += 1;
    else if (!w.startsWith('-') || w === '-') out.push(w);
  }
  return out;
}

function actionOf(words: string[], cwd: string): CommandAction {
  const command = joinCommand(words);
  const [program] = words;
  const args = operands(words);
  switch (program) {
    case 'ls':
    case 'tree':
    case 'eza':
    case 'exa':
      return { type: 'listFiles', command, path: args[0] ?? null };
    case 'cat':
    case 'nl':
    case 'bat':
    case 'less':
    case 'more':
    case 'head':
    case 'tail': {
      const file = args[args.length - 1];
      return file ? readAction(command, file, cwd) : { type: 'unknown', command };
    }
    case 'sed': {
      // `sed -n <range>p <file>`: a read of <file>.
      if (words[1] !== '-n' || args.length !== 2) return { type: 'unknown', command };
      return readAction(command, args[1]!, cwd);
    }
    case 'rg':
    case 'grep':
    case 'ag':
    case 'ack':
      return { type: 'search', command, query: args[0] ?? null, path: args[1] ?? null };
    case 'find': {
      // `find <path> -name <pattern>`: a search for the pattern.
      const at = words.findIndex((w) => w === '-name' || w === '-iname');
      return { type: 'search', command, query: at > 0 ? (words[at + 1] ?? null) : null, path: args[0] ?? null };
    }
    default:
      return { type: 'unknown', command };
  }
}

function readAction(command: string, file: string, cwd: string): CommandAction {
  return { type: 'read', command, name: path.basename(file), path: path.resolve(cwd, file) };
}
