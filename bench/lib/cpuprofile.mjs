/** Summaries of a V8 `.cpuprofile` (as written by `node --cpu-prof`): self/inclusive time by function and by module. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function loadProfile(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Self and inclusive microseconds per node, from `samples`/`timeDeltas` (more exact than hitCount × interval). */
export function analyse(profile, { repoRoot, window = null } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, { ...n, self: 0, total: 0, parent: null }]));
  for (const node of byId.values()) for (const child of node.children ?? []) byId.get(child).parent = node.id;
  const { samples, timeDeltas } = profile;
  // Sample timestamps are CLOCK_MONOTONIC µs, the clock of process.hrtime() in any process on the machine, so a
  // window measured by the driver selects the samples of one step.
  let t = profile.startTime;
  let windowUs = 0;
  for (let i = 0; i < samples.length; i += 1) {
    t += timeDeltas[i];
    // timeDeltas[i] is the time since the previous sample: attribute the interval ending at sample i+1 to sample i.
    const dt = timeDeltas[i + 1] ?? 0;
    if (window && (t < window[0] || t > window[1])) continue;
    windowUs += dt;
    byId.get(samples[i]).self += dt;
  }
  const totalOf = (node) => {
    node.total = node.self + (node.children ?? []).reduce((sum, c) => sum + totalOf(byId.get(c)), 0);
    return node.total;
  };
  const root = profile.nodes.find((n) => !byId.get(n.id).parent) ?? profile.nodes[0];
  totalOf(byId.get(root.id));

  const label = (cf) => {
    let url = cf.url || '';
    if (repoRoot && url.startsWith('file://')) url = path.relative(repoRoot, new URL(url).pathname);
    return `${cf.functionName || '(anonymous)'} ${url ? `${url}:${cf.lineNumber + 1}` : ''}`.trim();
  };
  const group = (cf) => {
    const url = cf.url || '';
    if (!url) return cf.functionName.startsWith('(') ? cf.functionName : '(native/builtin)';
    if (url.startsWith('node:internal/modules') || url.startsWith('node:internal/module')) return 'node: module loading';
    if (url.startsWith('node:')) return `node: ${url.slice(5).split('/').slice(0, 2).join('/')}`;
    const p = url.startsWith('file://') ? new URL(url).pathname : url;
    const nm = p.lastIndexOf('/node_modules/');
    if (nm >= 0) {
      const rest = p.slice(nm + 14).split('/');
      return `pkg: ${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
    }
    const dist = p.indexOf('/dist');
    if (dist >= 0) return `ours: ${p.slice(dist + 1).replace(/^dist[^/]*\//, '').split('/').slice(0, 2).join('/')}`;
    return p;
  };

  const selfByFn = new Map();
  const totalByFn = new Map();
  const selfByGroup = new Map();
  for (const node of byId.values()) {
    const key = label(node.callFrame);
    selfByFn.set(key, (selfByFn.get(key) ?? 0) + node.self);
    const g = group(node.callFrame);
    selfByGroup.set(g, (selfByGroup.get(g) ?? 0) + node.self);
  }
  // Inclusive per function, counting a function once per stack (recursion-safe).
  for (const node of byId.values()) {
    if (node.self === 0) continue;
    const seen = new Set();
    for (let cur = node; cur; cur = cur.parent ? byId.get(cur.parent) : null) {
      const key = label(cur.callFrame);
      if (seen.has(key)) continue;
      seen.add(key);
      totalByFn.set(key, (totalByFn.get(key) ?? 0) + node.self);
    }
  }
  const sorted = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return {
    durationUs: window ? windowUs : profile.endTime - profile.startTime,
    self: sorted(selfByFn),
    total: sorted(totalByFn),
    groups: sorted(selfByGroup),
  };
}

export function formatAnalysis(a, top = 25) {
  const ms = (us) => (us / 1000).toFixed(1).padStart(8);
  const lines = [`sampled time ${(a.durationUs / 1000).toFixed(1)} ms`, '', 'self time by module group:'];
  for (const [g, us] of a.groups.slice(0, top)) lines.push(`${ms(us)} ms  ${g}`);
  lines.push('', 'self time by function:');
  for (const [f, us] of a.self.slice(0, top)) lines.push(`${ms(us)} ms  ${f}`);
  lines.push('', 'inclusive time by function:');
  for (const [f, us] of a.total.filter(([f]) => !f.startsWith('(root)')).slice(0, top)) lines.push(`${ms(us)} ms  ${f}`);
  return lines.join('\n');
}
