import { describe, expect, test } from 'vitest';
import { SyntheticMounts } from '../../../../src/tools/sandbox/synthetic-mounts.js';

describe('SyntheticMounts', () => {
  test('a mount point is removed when its last user releases it', () => {
    const removed: string[] = [];
    const mounts = new SyntheticMounts((p) => void removed.push(p));
    mounts.acquire(['/w/.git', '/w/.codex']);
    mounts.acquire(['/w/.git']);
    mounts.release(['/w/.git', '/w/.codex']);
    expect(removed).toEqual(['/w/.codex']);
    mounts.release(['/w/.git']);
    expect(removed).toEqual(['/w/.codex', '/w/.git']);
  });
});
