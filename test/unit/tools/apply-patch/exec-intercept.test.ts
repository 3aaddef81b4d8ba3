/**
 * `exec_command` running `apply_patch <<'EOF'`: recognised as 0.169 recognises it, and answered with the reference's
 * texts (captured from the reference with the mock model sending such `exec_command` calls).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { execPatchOf, interceptExecPatch } from '../../../../src/tools/apply-patch/exec-intercept.js';
import { createApplyPatchHandler } from '../../../../src/tools/apply-patch/handler.js';
import { TurnDiffs } from '../../../../src/tools/apply-patch/turn-diff-tracker.js';
import type { ApprovalDecision } from '../../../../src/tools/approval.js';
import type { ApprovalPolicy } from '../../../../src/tools/tool.js';
import { tempHomeForTest } from '../../../support/temp-home.js';
import { fakeContext } from './fake-context.js';

const PATCH = '*** Begin Patch\n*** Add File: ex.txt\n+x\n*** End Patch';

describe('which commands are patches', () => {
  test('a heredoc to apply_patch or applypatch, any delimiter, quoted or not', () => {
    expect(execPatchOf(`apply_patch <<'EOF'\n${PATCH}\nEOF\n`)).toEqual({ kind: 'patch', patch: PATCH, workdir: null });
    expect(execPatchOf(`applypatch <<"PATCH"\n${PATCH}\nPATCH`)).toEqual({ kind: 'patch', patch: PATCH, workdir: null });
    expect(execPatchOf(`apply_patch <<EOF\n${PATCH}\nEOF`)).toEqual({ kind: 'patch', patch: PATCH, workdir: null });
  });

  test('cd <dir> && apply_patch: the patch is relative to the directory', () => {
    expect(execPatchOf(`cd sub2 && apply_patch <<'PATCH'\n${PATCH}\nPATCH`)).toEqual({ kind: 'patch', patch: PATCH, workdir: 'sub2' });
    expect(execPatchOf(`cd 'a dir' && apply_patch <<'EOF'\n${PATCH}\nEOF`)).toEqual({ kind: 'patch', patch: PATCH, workdir: 'a dir' });
    expect(execPatchOf(`cd "b dir" && apply_patch <<'EOF'\n${PATCH}\nEOF`)).toEqual({ kind: 'patch', patch: PATCH, workdir: 'b dir' });
  });

  test('a bare patch is recognised (to be refused)', () => {
    expect(execPatchOf(`${PATCH}\n`)).toEqual({ kind: 'bare-patch' });
  });

  test('anything else is an ordinary command', () => {
    for (const command of [
      'ls -la',
      `echo hi && apply_patch <<'EOF'\n${PATCH}\nEOF`,
      `cd a; apply_patch <<'EOF'\n${PATCH}\nEOF`,
      `cd a || apply_patch <<'EOF'\n${PATCH}\nEOF`,
      `cd a b && apply_patch <<'EOF'\n${PATCH}\nEOF`,
      `apply_patch foo <<'EOF'\n${PATCH}\nEOF`,
      `apply_patch <<'EOF'\n${PATCH}\nEOF\necho done`,
      `apply_patch <<'EOF'\n${PATCH}\n`,
    ]) {
      expect(execPatchOf(command)).toBeNull();
    }
  });
});

describe('answers', () => {
  function setup(options: { approvalPolicy?: ApprovalPolicy; decisions?: ApprovalDecision[] } = {}) {
    const cwd = path.join(tempHomeForTest('cas-exec-patch-'), 'work');
    mkdirSync(path.join(cwd, '.git'), { recursive: true });
    const cx = fakeContext({ cwd, ...options });
    const handler = createApplyPatchHandler({ turnDiffs: new TurnDiffs(), emitTurnDiff: () => {} });
    return { cwd, cx, handler };
  }

  test('applied: the exec wrapper around the apply_patch output, with the fileChange item', async () => {
    const { cwd, cx, handler } = setup();
    const result = await interceptExecPatch(handler, `apply_patch <<'EOF'\n${PATCH}\nEOF\n`, 'call_1', cx);
    expect(result?.output).toMatch(/^Wall time: 0\.0000 seconds\nOutput:\nExit code: 0\nWall time: [0-9.]+ seconds\nOutput:\nSuccess\. Updated the following files:\nA ex\.txt\n$/);
    expect(cx.events.map((e) => e.kind)).toEqual(['item/started', 'item/completed', 'record']);
    expect(readFileSync(path.join(cwd, 'ex.txt'), 'utf8')).toBe('x\n');
  });

  test('cd: written under the directory (created), summary as written', async () => {
    const { cwd, cx, handler } = setup();
    const result = await interceptExecPatch(handler, `cd sub2 && apply_patch <<'PATCH'\n*** Begin Patch\n*** Add File: cd.txt\n+x\n*** End Patch\nPATCH`, 'call_1', cx);
    expect(result?.output).toMatch(/\nSuccess\. Updated the following files:\nA cd\.txt\n$/);
    expect(cx.events[0]).toMatchObject({ item: { changes: [{ path: `${cwd}/sub2/cd.txt` }] } });
    expect(existsSync(path.join(cwd, 'sub2', 'cd.txt'))).toBe(true);
  });

  test('not applied: the apply_patch text alone', async () => {
    const { cwd, cx, handler } = setup();
    expect((await interceptExecPatch(handler, `${PATCH}\n`, 'c', cx))?.output).toBe(
      'apply_patch verification failed: patch detected without explicit call to apply_patch. Rerun as ["apply_patch", "<patch>"]',
    );
    expect((await interceptExecPatch(handler, `apply_patch <<'EOF'\n*** Begin Patch\n*** Update File: nope.txt\n@@\n-a\n+b\n*** End Patch\nEOF\n`, 'c', cx))?.output).toBe(
      `apply_patch verification failed: Failed to read file to update ${cwd}/nope.txt: No such file or directory (os error 2)`,
    );
    expect((await interceptExecPatch(handler, `apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: ../x-out.txt\n+x\n*** End Patch\nEOF\n`, 'c', cx))?.output).toBe(
      'patch rejected: writing outside of the project; rejected by user approval settings',
    );
    mkdirSync(path.join(cwd, 'f'));
    const failed = await interceptExecPatch(handler, `apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: f\n+x\n*** End Patch\nEOF\n`, 'c', cx);
    expect(failed?.output).toMatch(new RegExp(`^Exit code: 1\\nWall time: [0-9.]+ seconds\\nOutput:\\nFailed to write file ${cwd}/f\\n$`));
    expect(await interceptExecPatch(handler, 'ls', 'c', cx)).toBeNull();
  });

  test('declined under on-request: the rejection alone', async () => {
    const { cx, handler } = setup({ approvalPolicy: 'on-request', decisions: ['decline'] });
    const result = await interceptExecPatch(handler, `apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: ../x-out.txt\n+x\n*** End Patch\nEOF\n`, 'c', cx);
    expect(result?.output).toBe('patch rejected by user');
  });
});
