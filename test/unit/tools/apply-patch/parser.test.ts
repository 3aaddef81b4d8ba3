/**
 * The apply_patch envelope parser against the reference's grammar and error texts (captured from 0.169's
 * `apply_patch verification failed: …` outputs; see the issue-14 report).
 */
import { describe, expect, test } from 'vitest';
import { parsePatch, PatchParseError } from '../../../../src/tools/apply-patch/parser.js';

const wrap = (body: string): string => `*** Begin Patch\n${body}\n*** End Patch`;

function errorOf(text: string): string {
  try {
    parsePatch(text);
  } catch (error) {
    expect(error).toBeInstanceOf(PatchParseError);
    return (error as Error).message;
  }
  throw new Error('expected a parse error');
}

describe('hunks', () => {
  test('add file: each + line is a line of the new file', () => {
    expect(parsePatch(wrap('*** Add File: sub/new.txt\n+hello\n+\n+world')).hunks).toEqual([
      { type: 'add', path: 'sub/new.txt', contents: 'hello\n\nworld\n' },
    ]);
  });

  test('update with several chunks: @@ context, context/removed/added lines, blank separators', () => {
    const patch = wrap(['*** Update File: upd.txt', '@@', ' two', '-three', '+THREE', ' four', '', '@@ eight', '-nine', '+NINE'].join('\n'));
    expect(parsePatch(patch).hunks).toEqual([
      {
        type: 'update',
        path: 'upd.txt',
        movePath: null,
        chunks: [
          { changeContext: null, oldLines: ['two', 'three', 'four', ''], newLines: ['two', 'THREE', 'four', ''], isEndOfFile: false },
          { changeContext: 'eight', oldLines: ['nine'], newLines: ['NINE'], isEndOfFile: false },
        ],
      },
    ]);
  });

  test('delete, and move with an update', () => {
    expect(parsePatch(wrap('*** Delete File: del.txt\n*** Update File: a.py\n*** Move to: b/a2.py\n@@ def f():\n-    pass\n+    return 1')).hunks).toEqual([
      { type: 'delete', path: 'del.txt' },
      {
        type: 'update',
        path: 'a.py',
        movePath: 'b/a2.py',
        chunks: [{ changeContext: 'def f():', oldLines: ['    pass'], newLines: ['    return 1'], isEndOfFile: false }],
      },
    ]);
  });

  test('*** End of File closes a chunk and marks it', () => {
    expect(parsePatch(wrap('*** Update File: t.txt\n@@\n-last\n+LAST\n*** End of File')).hunks).toEqual([
      { type: 'update', path: 't.txt', movePath: null, chunks: [{ changeContext: null, oldLines: ['last'], newLines: ['LAST'], isEndOfFile: true }] },
    ]);
  });

  test('the first chunk may omit @@; an update followed by another hunk', () => {
    expect(parsePatch(wrap('*** Update File: f.py\n import foo\n+bar\n*** Add File: other.py\n+content')).hunks).toEqual([
      { type: 'update', path: 'f.py', movePath: null, chunks: [{ changeContext: null, oldLines: ['import foo'], newLines: ['import foo', 'bar'], isEndOfFile: false }] },
      { type: 'add', path: 'other.py', contents: 'content\n' },
    ]);
  });

  test('lenient: padded markers, CRLF lines, surrounding whitespace, heredoc wrapper', () => {
    const expected = [{ type: 'add', path: 'foo', contents: 'hi\n' }];
    expect(parsePatch('*** Begin Patch \n*** Add File: foo\n+hi\n *** End Patch').hunks).toEqual(expected);
    expect(parsePatch('\n\n*** Begin Patch\r\n*** Add File: foo\r\n+hi\r\n*** End Patch\r\n\n').hunks).toEqual(expected);
    for (const open of ['<<EOF', "<<'EOF'", '<<"EOF"']) {
      expect(parsePatch(`${open}\n*** Begin Patch\n*** Add File: foo\n+hi\n*** End Patch\nEOF\n`).hunks).toEqual(expected);
    }
  });

  test('a patch with no hunks parses (the handler refuses it as empty)', () => {
    expect(parsePatch('*** Begin Patch\n*** End Patch').hunks).toEqual([]);
  });
});

describe('malformed patches: the reference texts', () => {
  test('missing *** Begin Patch', () => {
    expect(errorOf('bad patch\n')).toBe("invalid patch: The first line of the patch must be '*** Begin Patch'");
  });

  test('missing *** End Patch, and an empty input', () => {
    expect(errorOf('*** Begin Patch\n*** Add File: a.txt\n+x\n')).toBe("invalid patch: The last line of the patch must be '*** End Patch'");
    expect(errorOf('')).toBe("invalid patch: The last line of the patch must be '*** End Patch'");
    expect(errorOf('   \n  ')).toBe("invalid patch: The last line of the patch must be '*** End Patch'");
  });

  test('an unknown hunk header', () => {
    expect(errorOf('*** Begin Patch\n*** Frobnicate File: a.txt\n*** End Patch\n')).toBe(
      "invalid hunk at line 2, '*** Frobnicate File: a.txt' is not a valid hunk header. Valid hunk headers: '*** Add File: {path}', '*** Delete File: {path}', '*** Update File: {path}'",
    );
  });

  test('an update without chunks', () => {
    expect(errorOf('*** Begin Patch\n*** Update File: upd.txt\n*** End Patch\n')).toBe("invalid hunk at line 2, Update file hunk for path 'upd.txt' is empty");
  });

  test('an unexpected line, counted from the patch start', () => {
    const text = "Unexpected line found in update hunk: 'bogus'. Every line should start with ' ' (context line), '+' (added line), or '-' (removed line)";
    expect(errorOf('*** Begin Patch\n*** Update File: upd.txt\n@@\n-one\n+ONE\n@@\nbogus\n*** End Patch\n')).toBe(`invalid hunk at line 7, ${text}`);
    expect(errorOf('*** Begin Patch\n*** Update File: upd.txt\nbogus\n*** End Patch\n')).toBe(`invalid hunk at line 3, ${text}`);
  });

  test('a later chunk must start with @@; @@ with nothing after it; @@ twice', () => {
    expect(errorOf('*** Begin Patch\n*** Update File: a\n@@\n-x\n+y\nbogus\n*** End Patch')).toBe(
      "invalid hunk at line 6, Expected update hunk to start with a @@ context marker, got: 'bogus'",
    );
    expect(errorOf('*** Begin Patch\n*** Update File: a\n@@\n-x\n+y\n@@\n*** End Patch')).toBe('invalid hunk at line 7, Update hunk does not contain any lines');
    expect(errorOf('*** Begin Patch\n*** Update File: a\n@@\n@@\n-x\n*** End Patch')).toBe(
      "invalid hunk at line 4, Unexpected line found in update hunk: '@@'. Every line should start with ' ' (context line), '+' (added line), or '-' (removed line)",
    );
  });

  test('an End of File marker with no lines before it', () => {
    expect(errorOf('*** Begin Patch\n*** Update File: upd.txt\n@@\n*** End of File\n*** End Patch\n')).toBe('invalid hunk at line 4, Update hunk does not contain any lines');
  });
});
