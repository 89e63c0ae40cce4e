/**
 * Writes a migration that (re)defines the database's rendering of the public backup object from
 * BACKUP_FIELDS: `npm run db:backup-json -- <name>`. Run it after changing a stored field; the
 * medium test test/medium/backup-json fails until the database renders what the list says.
 * `--same-output` after the name: the change renders every row as before (say, a faster
 * expression), so the migration does not re-render the stored rows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backupJsonMigration } from '../src/backups/backup-json.sql';

const [name, flag] = process.argv.slice(2);
if (!name || !/^[a-z0-9_]+$/.test(name) || (flag !== undefined && flag !== '--same-output')) {
  console.error('usage: npm run db:backup-json -- <name in snake_case> [--same-output]');
  process.exit(2);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = join(__dirname, '..', 'prisma', 'migrations', `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'migration.sql'), backupJsonMigration({ sameOutput: flag !== undefined }));
console.log(`wrote ${join(dir, 'migration.sql')}`);
