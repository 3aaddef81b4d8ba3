import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** One skill as `skills/list` reports it. */
export interface SkillEntry {
  name: string;
  description: string;
  shortDescription?: string;
  path: string;
  scope: 'repo' | 'user' | 'system';
  enabled: boolean;
  pluginId: null;
}

/** The skills seen from one cwd, and the SKILL.md files that could not be read. */
export interface SkillsForCwd {
  cwd: string;
  skills: SkillEntry[];
  errors: { path: string; message: string }[];
}

const SCOPE_ORDER = { repo: 0, user: 1, system: 2 } as const;

/**
 * The skills the reference finds for `cwd`: every `SKILL.md` under `<repo>/.codex/skills` (scope `repo`, for each
 * folder from `cwd` up to the repository root), under `$CODEX_HOME/skills` (scope `user`) and its `.system` folder
 * (scope `system`; this server installs no system skills of its own). Hidden folders are skipped. Each file needs a
 * YAML front matter with a `description`; `name` defaults to the folder's name. Skills are ordered by scope, then
 * name; the files that fail are reported with the reference's texts.
 */
export async function listSkills(codexHome: string, cwd: string): Promise<SkillsForCwd> {
  const skills: SkillEntry[] = [];
  const errors: SkillsForCwd['errors'] = [];
  const roots: { dir: string; scope: SkillEntry['scope'] }[] = [];
  for (const dir of await repoSkillDirs(resolve(cwd))) roots.push({ dir, scope: 'repo' });
  roots.push({ dir: join(codexHome, 'skills'), scope: 'user' }, { dir: join(codexHome, 'skills', '.system'), scope: 'system' });
  for (const { dir, scope } of roots) {
    for (const file of await skillFiles(dir)) {
      const parsed = parseSkill(await readFile(file, 'utf8').catch(() => ''), file);
      if ('message' in parsed) errors.push({ path: file, message: parsed.message });
      else skills.push({ ...parsed, path: file, scope, enabled: true, pluginId: null });
    }
  }
  skills.sort((a, b) => SCOPE_ORDER[a.scope] - SCOPE_ORDER[b.scope] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  errors.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { cwd, skills, errors };
}

/** `.codex/skills` of `cwd` and each parent up to the folder holding `.git` (none outside a repository). */
async function repoSkillDirs(cwd: string): Promise<string[]> {
  const dirs: string[] = [];
  for (let dir = cwd; ; dir = dirname(dir)) {
    dirs.push(join(dir, '.codex', 'skills'));
    if (await exists(join(dir, '.git'))) return dirs;
    if (dirname(dir) === dir) return [];
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Every `SKILL.md` below `dir`, not descending into hidden folders or into a skill's own folder. */
async function skillFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  if (entries.some((entry) => entry.isFile() && entry.name === 'SKILL.md')) return [join(dir, 'SKILL.md')];
  const nested = await Promise.all(entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => skillFiles(join(dir, entry.name))));
  return nested.flat();
}

/** Name, description and short description from the front matter, or the reference's error text. */
export function parseSkill(text: string, file: string): { name: string; description: string; shortDescription?: string } | { message: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\s*(?:\r?\n|$)/.exec(text);
  if (!match) return { message: 'missing YAML frontmatter delimited by ---' };
  const fields = parseFrontMatter(match[1]!);
  const description = fields.get('description');
  if (description === undefined) return { message: 'missing field `description`' };
  const name = fields.get('name') ?? dirname(file).split('/').pop()!;
  const short = fields.get('metadata.short-description');
  return short === undefined ? { name, description } : { name, description, shortDescription: short };
}

/**
 * The subset of YAML that skill front matter uses: `key: value` pairs, one level of nesting (`metadata:` with
 * indented keys, read as `metadata.key`), quoted scalars, and `>` / `|` block scalars (folded with spaces / kept).
 */
function parseFrontMatter(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  let parent: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const m = /^(\s*)([A-Za-z0-9_.-]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const indented = m[1]!.length > 0;
    if (!indented) parent = null;
    const key = indented && parent ? `${parent}.${m[2]}` : m[2]!;
    let value = m[3]!.trim();
    if (value === '') {
      if (!indented) parent = m[2]!;
      continue;
    }
    if (value === '>' || value === '|' || value === '>-' || value === '|-') {
      const block: string[] = [];
      while (i + 1 < lines.length && (/^\s+\S/.test(lines[i + 1]!) || lines[i + 1]!.trim() === '')) block.push(lines[++i]!.trim());
      value = block.filter((l) => l !== '').join(value.startsWith('>') ? ' ' : '\n');
    } else if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
      value = value.startsWith('"') ? (JSON.parse(value) as string) : value.slice(1, -1).replace(/''/g, "'");
    }
    fields.set(key, value);
  }
  return fields;
}
