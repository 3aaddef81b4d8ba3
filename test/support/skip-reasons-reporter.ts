/**
 * A vitest reporter that writes every skipped test with its reason (the note given to `ctx.skip(note)`, or the
 * static `skip`/`todo` mode) to `$SKIP_REASONS_FILE` as JSON: `[{ file, name, reason }]`. `.ci/run` prints
 * them before its closing line, so a skip is never silent. Without the variable it does nothing.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';

interface Skipped {
  file: string;
  name: string;
  reason: string;
}

export default class SkipReasonsReporter implements Reporter {
  private readonly skipped: Skipped[] = [];

  onTestCaseResult(testCase: TestCase): void {
    const result = testCase.result();
    if (result.state !== 'skipped') return;
    const reason = result.note ?? `marked ${testCase.options.mode} in the source`;
    this.skipped.push({ file: path.relative(process.cwd(), testCase.module.moduleId), name: testCase.fullName, reason });
  }

  onTestRunEnd(_modules: ReadonlyArray<TestModule>): void {
    const file = process.env['SKIP_REASONS_FILE'];
    if (file) writeFileSync(file, `${JSON.stringify(this.skipped, null, 2)}\n`);
  }
}
