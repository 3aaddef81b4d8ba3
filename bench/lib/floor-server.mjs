/**
 * The practical floor of a Node implementation: start Node, load better-sqlite3, open a WAL database in
 * CODEX_HOME, read config.toml and answer `initialize` on stdout. `node -e 0` (spawn → exit) also pays the
 * runtime's exit teardown, which a server answering `initialize` does not.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'));
const Database = require('better-sqlite3');
const home = process.env.CODEX_HOME;
readFileSync(path.join(home, 'config.toml'), 'utf8');
const db = new Database(path.join(home, 'floor.sqlite'));
db.pragma('journal_mode = WAL');
db.exec('CREATE TABLE IF NOT EXISTS t (a)');
let pending = '';
process.stdin.on('data', (chunk) => {
  pending += chunk;
  for (let at = pending.indexOf('\n'); at >= 0; at = pending.indexOf('\n')) {
    const message = JSON.parse(pending.slice(0, at));
    pending = pending.slice(at + 1);
    if (message.id !== undefined) {
      const result = { userAgent: 'floor/0.0.0', codexHome: home, platformFamily: 'unix', platformOs: process.platform };
      process.stdout.write(`${JSON.stringify({ id: message.id, result })}\n`);
    }
  }
});
process.stdin.on('end', () => {
  db.close();
  process.exit(0);
});
