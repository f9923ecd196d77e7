import { sql, type Kysely, type Migration, type RawBuilder } from 'kysely';
import { debianVersionKey } from '@steward/protocol';
import type { Dialect } from '../database.js';

/**
 * One row per binary package of an update (issue 10). The catalog kept binaries only as a JSON
 * array, which SQL cannot join: server-side applicability (installed package sets against
 * updates), the CVE view (which installed binaries come from an affected source package) and
 * the reports all need "binary name + architecture -> update, version" as rows. `version_key` is
 * debianVersionKey(version), so byte order is dpkg order (COLLATE "C" on PostgreSQL), the same
 * as package_set_item.version_key. Existing updates are copied from their JSON.
 */
export function softwareUpdateBinaryMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const keyType = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
      await db.schema
        .createTable('software_update_binary')
        .addColumn('update_id', 'text', (c) =>
          c.notNull().references('software_update.id').onDelete('cascade'),
        )
        .addColumn('package', 'text', (c) => c.notNull())
        .addColumn('arch', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('version_key', keyType, (c) => c.notNull())
        .addPrimaryKeyConstraint('software_update_binary_pk', ['update_id', 'package', 'arch'])
        .execute();
      await db.schema
        .createIndex('software_update_binary_package')
        .on('software_update_binary')
        .columns(['package', 'arch', 'version_key'])
        .execute();
      await copyExistingBinaries(db);
    },
  };
}

interface BinaryJson {
  package?: unknown;
  version?: unknown;
  architecture?: unknown;
}

async function copyExistingBinaries(db: Kysely<unknown>): Promise<void> {
  // debianVersionKey is the stored format of every version_key column (package_set_item's too):
  // changing it would need its own migration of those columns, so using it here is stable.
  const rows = await sql<{ id: string; binaries: string }>`
    select id, binaries from software_update`.execute(db);
  const values = new Map<string, RawBuilder<unknown>>();
  for (const r of rows.rows) {
    let list: unknown;
    try {
      list = JSON.parse(r.binaries);
    } catch {
      continue; // the catalog reader reports a corrupt row; the copy skips it
    }
    if (!Array.isArray(list)) continue;
    const items: unknown[] = list;
    for (const item of items) {
      const b: BinaryJson = typeof item === 'object' && item !== null ? item : {};
      const { package: name, version, architecture: arch } = b;
      if (typeof name !== 'string' || typeof version !== 'string' || typeof arch !== 'string')
        continue;
      values.set(
        `${r.id}\t${name}\t${arch}`,
        sql`(${r.id}, ${name}, ${arch}, ${version}, ${debianVersionKey(version)})`,
      );
    }
  }
  const all = [...values.values()];
  for (let i = 0; i < all.length; i += 500)
    await sql`insert into software_update_binary (update_id, package, arch, version, version_key)
      values ${sql.join(all.slice(i, i + 500))}`.execute(db);
}
