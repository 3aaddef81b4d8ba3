/**
 * The layering of src/ (STYLE.md "Layout", issue 13): reads the imports of every file under src/ and fails on a
 * forbidden direction. Each rule is its own test, and each is first shown to fail on a synthetic file that breaks it.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../../support/paths.js';
import { checkLayering, importsOf, readSources, RULES, type RuleName, type Sources } from './layering.js';

/** Rules src/ breaks today, each run as `test.fails` until fixed (none since the issue-13 refactor landed). */
const KNOWN_BROKEN: RuleName[] = [];

const sources = readSources(path.join(REPO_ROOT, 'src'));
const violations = checkLayering(sources);
const of = (rule: RuleName): string[] => violations.filter((v) => v.rule === rule).map((v) => `${v.file}: ${v.detail}`);

/** A file that breaks exactly one rule, added to an otherwise clean tree. */
const BREAKERS: Record<RuleName, [string, string]> = {
  'protocol-is-a-leaf': ['protocol/methods.ts', "import { ThreadManager } from '../threads/thread-manager.js';"],
  'support-is-a-leaf': ['support/clock.ts', "import type { Config } from '../config/config.js';"],
  'config-is-a-leaf': ['config/config.ts', "export { LocalThreadStore } from '../rollout/local-thread-store.js';"],
  'rollout-never-imports-state': ['rollout/list.ts', "const { StateDb } = await import('../state/state-db.js');"],
  'handlers-never-import-rollout-or-state': ['server/handlers/thread-read.ts', "import { openStateDb } from '../../state/open.js';"],
  'only-main-reads-process-env': ['threads/thread-manager.ts', "const idle = Number(process.env['IDLE']);"],
  'nothing-below-imports-main-server-testing': ['threads/thread-manager.ts', "import { SERVER_VERSION } from '../main.js';"],
};

describe('the layering checker can fail', () => {
  test.for(Object.keys(BREAKERS) as RuleName[])('a file breaking "%s" is reported under that rule only', (rule) => {
    const [file, line] = BREAKERS[rule];
    const tree: Sources = new Map([[file, `${line}\n`]]);
    expect(checkLayering(tree).map((v) => v.rule)).toEqual([rule]);
  });

  test('comments, package imports and allowed directions are not violations', () => {
    const tree: Sources = new Map([
      ['threads/a.ts', "// process.env is read by main only\n/* import '../main.js' */\nimport Database from 'better-sqlite3';\nimport { x } from '../rollout/x.js';\nimport { y } from '../support/y.js';\n"],
      ['server/handlers/h.ts', "import type { ThreadManager } from '../../threads/thread-manager.js';\nimport { m } from '../notifier.js';\n"],
      ['state/s.ts', "import { reader } from '../rollout/reader.js';\n"],
      ['main.ts', "const home = process.env['CODEX_HOME'];\nimport { AppServer } from './server/app-server.js';\n"],
      ['testing/kit.ts', "const bin = process.env['MCP_PROCESS_SERVER_BIN'];\nimport { LineSplitter } from '../transport/line-splitter.js';\n"],
    ]);
    expect(checkLayering(tree)).toEqual([]);
  });

  test('imports are resolved relative to the importing file', () => {
    expect(importsOf('server/handlers/turn.ts', "import { a } from '../../rollout/a.js';\nexport * from './b.js';")).toEqual(['rollout/a.ts', 'server/handlers/b.ts']);
  });
});

describe('src/ keeps its layering', () => {
  test('the checker sees the tree', () => {
    expect(sources.size).toBeGreaterThan(50);
    expect(importsOf('main.ts', sources.get('main.ts') ?? '')).toContain('server/app-server.ts');
  });

  for (const rule of Object.keys(RULES) as RuleName[]) {
    // A rule src/ breaks today runs as `test.fails`: it passes only while the violation is there, so the day the
    // refactor of issue 13 fixes it this test fails and says to move the rule out of the list.
    const run = KNOWN_BROKEN.includes(rule) ? test.fails : test;
    run(`${rule}: ${RULES[rule]}`, () => {
      expect(of(rule)).toEqual([]);
    });
  }
});
