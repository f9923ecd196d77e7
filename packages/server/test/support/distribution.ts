import { Type } from '@sinclair/typebox';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/tables/index.js';
import { parseJsonColumn } from '../../src/db/corrupt-row.js';
import { sha256Hex } from '../../src/enrolment/service.js';
import type { ContentStore } from '../../src/content/content-store.js';

/**
 * Builders for distribution tests: packages with versions written as the content library writes
 * them (content_file, package_version, package_version_file, current_version_id), optionally
 * with the bytes in a store.
 */
export interface FileFixture {
  path: string;
  bytes: string;
}

const AT = '2026-01-01T00:00:00.000Z';

/** A new version of a package (created when `packageId` is a new name) that becomes current. */
export async function addVersion(
  db: Kysely<Database>,
  opts: { packageName: string; files: FileFixture[]; store?: ContentStore },
): Promise<{ packageId: string; versionId: string; number: number }> {
  let pkg = await db
    .selectFrom('software_package')
    .select('id')
    .where('name', '=', opts.packageName)
    .executeTakeFirst();
  if (!pkg) {
    pkg = { id: randomUUID() };
    await db
      .insertInto('software_package')
      .values({
        id: pkg.id,
        name: opts.packageName,
        publisher: '',
        version: '',
        description: '',
        priority: 'medium',
        current_version_id: null,
        created_at: AT,
        updated_at: AT,
      })
      .execute();
  }
  const last = await db
    .selectFrom('package_version')
    .select((eb) => eb.fn.max('number').as('n'))
    .where('package_id', '=', pkg.id)
    .executeTakeFirst();
  const number = (last?.n ?? 0) + 1;
  const versionId = randomUUID();
  const files = opts.files.map((f) => ({ ...f, sha256: sha256Hex(f.bytes), size: f.bytes.length }));
  for (const f of files) {
    await db
      .insertInto('content_file')
      .values({ sha256: f.sha256, size: f.size, created_at: AT })
      .onConflict((oc) => oc.doNothing())
      .execute();
    if (opts.store) await opts.store.putStream(Readable.from([Buffer.from(f.bytes)]), f.sha256);
  }
  await db
    .insertInto('package_version')
    .values({
      id: versionId,
      package_id: pkg.id,
      number,
      created_at: AT,
      created_by: 'test',
      file_count: files.length,
      size_bytes: files.reduce((a, f) => a + f.size, 0),
      source: 'files',
    })
    .execute();
  await db
    .insertInto('package_version_file')
    .values(
      files.map((f) => ({
        version_id: versionId,
        path: f.path,
        sha256: f.sha256,
        size: f.size,
        mode: 0o644,
      })),
    )
    .execute();
  await db
    .updateTable('software_package')
    .set({ current_version_id: versionId })
    .where('id', '=', pkg.id)
    .execute();
  return { packageId: pkg.id, versionId, number };
}

/** Status messages raised so far with this id, their insertion strings and attributes. */
export async function statusMessages(
  db: Kysely<Database>,
  messageId: number,
): Promise<{ strings: string[]; attributes: Record<string, string> }[]> {
  const rows = await db
    .selectFrom('status_message')
    .select(['id', 'insertion_strings', 'attributes'])
    .where('message_id', '=', messageId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    strings: parseJsonColumn(Type.Array(Type.String()), r.insertion_strings, {
      table: 'status_message',
      id: String(r.id),
      column: 'insertion_strings',
    }),
    attributes: parseJsonColumn(Type.Record(Type.String(), Type.String()), r.attributes, {
      table: 'status_message',
      id: String(r.id),
      column: 'attributes',
    }),
  }));
}

/** An entitlement for tests that never ask for content locations: no device may download. */
export const NO_ENTITLEMENT = {
  versionIdsFor: (): Promise<ReadonlySet<string>> => Promise.resolve(new Set<string>()),
};
