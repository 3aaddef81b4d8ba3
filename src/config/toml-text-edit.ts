import { parse, patch } from '@decimalturn/toml-patch';
import type { TomlTable } from './config-edits.js';

/**
 * Parses config.toml text with the same library that edits it, so the value an edit starts from and the text it
 * patches agree (dates, integers).
 */
export function parseTomlForEdit(text: string): TomlTable {
  return parse(text) as TomlTable;
}

/**
 * `text` changed so that it parses to `updated`, keeping every comment, blank line, key order and value formatting
 * of the parts that did not change (toml-patch diffs the two values and edits the document in place). New tables
 * are written as `[section]`s and arrays without inner spaces, as the reference's `toml_edit` writes them.
 */
export function patchTomlText(text: string, updated: TomlTable): string {
  const patched = patch(text, updated, { bracketSpacing: false, inlineTableStart: Number.MAX_SAFE_INTEGER });
  // A file written from nothing ends with a newline, as the reference's does.
  return patched === '' || patched.endsWith('\n') ? patched : `${patched}\n`;
}
