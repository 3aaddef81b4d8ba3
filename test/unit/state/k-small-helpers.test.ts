import { describe, expect, test } from 'vitest';
import { errorText } from '../../../src/state/error-text.js';
import { decodeSource, encodeSource, sourceText } from '../../../src/state/source-text.js';

describe('errorText', () => {
  test('an Error with a string code carries the code in parentheses', () => {
    const err = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    expect(errorText(err)).toBe('database is locked (SQLITE_BUSY)');
  });

  test('an Error without a string code is its message alone', () => {
    expect(errorText(new Error('plain'))).toBe('plain');
    expect(errorText(Object.assign(new Error('numeric'), { code: 5 }))).toBe('numeric');
  });

  test('anything else is its string form', () => {
    expect(errorText('a string')).toBe('a string');
    expect(errorText(42)).toBe('42');
    expect(errorText({ code: 'SQLITE_BUSY', message: 'not an Error' })).toBe('[object Object]');
  });
});

describe('source text', () => {
  test('plain sources are stored as they are, objects as their JSON', () => {
    expect(encodeSource('vscode')).toBe('vscode');
    expect(encodeSource({ subagent: 'review' })).toBe('{"subagent":"review"}');
  });

  test('decoding gives back objects for JSON object text and the text otherwise', () => {
    expect(decodeSource('vscode')).toBe('vscode');
    expect(decodeSource('{"subagent":{"thread_spawn":{"parent_thread_id":"p"}}}')).toEqual({
      subagent: { thread_spawn: { parent_thread_id: 'p' } },
    });
    expect(decodeSource('{not json')).toBe('{not json');
    expect(decodeSource('["a"]')).toBe('["a"]');
    expect(decodeSource('')).toBe('');
  });

  test('a column value that is not text (a BLOB written by another tool) is read as its UTF-8 text', () => {
    expect(sourceText('cli')).toBe('cli');
    expect(sourceText(Buffer.from('{"subagent":"review"}', 'utf8'))).toBe('{"subagent":"review"}');
    expect(sourceText(Buffer.from('exec', 'utf8'))).toBe('exec');
    expect(sourceText(7)).toBe('7');
  });
});
