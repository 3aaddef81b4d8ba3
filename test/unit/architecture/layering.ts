/**
 * The import rules of src/ (STYLE.md "Layout"), as data and a checker over file texts, so the rules can be tested
 * on real sources and on synthetic ones (proving each rule can fail).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A source file by its path relative to src/ (`server/handlers/turn.ts`) and its text. */
export type Sources = Map<string, string>;

export interface Violation {
  rule: RuleName;
  file: string;
  detail: string;
}

export type RuleName =
  | 'protocol-is-a-leaf'
  | 'support-is-a-leaf'
  | 'config-is-a-leaf'
  | 'rollout-never-imports-state'
  | 'handlers-never-import-rollout-or-state'
  | 'only-main-reads-process-env'
  | 'nothing-below-imports-main-server-testing';

export const RULES: Record<RuleName, string> = {
  'protocol-is-a-leaf': 'src/protocol imports only src/protocol and src/support',
  'support-is-a-leaf': 'src/support imports only src/support',
  'config-is-a-leaf': 'src/config imports only src/config, src/protocol and src/support',
  'rollout-never-imports-state': 'src/rollout never imports src/state (it declares the ThreadIndex port StateDb implements)',
  'handlers-never-import-rollout-or-state': 'src/server/handlers never import src/rollout or src/state',
  'only-main-reads-process-env': 'nothing below src/main.ts and src/cli.ts reads process.env (src/testing, the test kit, is not below main)',
  'nothing-below-imports-main-server-testing': 'nothing below main imports src/main.ts, src/cli.ts, src/testing, or (outside src/server) src/server',
};

/** Every `.ts` file under `srcDir`, keyed by its path relative to it (with `/`). */
export function readSources(srcDir: string): Sources {
  const out: Sources = new Map();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.set(path.relative(srcDir, full).split(path.sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(srcDir);
  return out;
}

/** Source text without comments (a rule must not trip on a comment that mentions process.env). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** The src-relative targets of a file's relative imports (static, re-exports, dynamic `import()`, `require`). */
export function importsOf(file: string, text: string): string[] {
  const code = withoutComments(text);
  const specs = new Set<string>();
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) if (m[1]) specs.add(m[1]);
  const out: string[] = [];
  for (const spec of specs) {
    if (!spec.startsWith('.')) continue;
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts');
    out.push(target);
  }
  return out;
}

const top = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file);
const under = (file: string, dir: string): boolean => file.startsWith(`${dir}/`);

/** Every violation of every rule in `sources`. */
export function checkLayering(sources: Sources): Violation[] {
  const violations: Violation[] = [];
  const add = (rule: RuleName, file: string, detail: string): void => void violations.push({ rule, file, detail });
  for (const [file, text] of sources) {
    const targets = importsOf(file, text);
    const folder = top(file);
    const isTopEntry = file === 'main.ts' || file === 'cli.ts';
    for (const target of targets) {
      const to = top(target);
      if (target.startsWith('..')) continue; // outside src/: not governed here
      if (folder === 'protocol' && to !== 'protocol' && to !== 'support') add('protocol-is-a-leaf', file, `imports ${target}`);
      if (folder === 'support' && to !== 'support') add('support-is-a-leaf', file, `imports ${target}`);
      if (folder === 'config' && !['config', 'protocol', 'support'].includes(to)) add('config-is-a-leaf', file, `imports ${target}`);
      if (folder === 'rollout' && to === 'state') add('rollout-never-imports-state', file, `imports ${target}`);
      if (under(file, 'server/handlers') && (to === 'rollout' || to === 'state')) add('handlers-never-import-rollout-or-state', file, `imports ${target}`);
      if (!isTopEntry && folder !== 'testing') {
        const forbidden = target === 'main.ts' || target === 'cli.ts' || to === 'testing' || (to === 'server' && folder !== 'server');
        if (forbidden) add('nothing-below-imports-main-server-testing', file, `imports ${target}`);
      }
    }
    if (!isTopEntry && folder !== 'testing') {
      const code = withoutComments(text);
      if (/\bprocess\s*\.\s*env\b|\bprocess\s*\[\s*['"]env['"]\s*\]/.test(code)) add('only-main-reads-process-env', file, 'reads process.env');
    }
  }
  return violations;
}
