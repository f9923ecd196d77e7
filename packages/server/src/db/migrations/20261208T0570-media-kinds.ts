import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Standalone, prestaged and capture media (issue 11, ADR 0097): what each kind carries, copied
 * by name and version like the boot image (media outlive the sequence or image they were built
 * from), whether a password protects them (only its hash goes on the media; the site keeps
 * nothing of it), and the bytes of library content on them. Existing media are bootable and
 * carry none of these.
 */
export function mediaKindsMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('media').addColumn('task_sequence_id', 'text').execute();
      await db.schema.alterTable('media').addColumn('task_sequence_name', 'text').execute();
      await db.schema.alterTable('media').addColumn('task_sequence_version', 'integer').execute();
      await db.schema.alterTable('media').addColumn('os_image_id', 'text').execute();
      await db.schema.alterTable('media').addColumn('os_image_name', 'text').execute();
      await db.schema.alterTable('media').addColumn('os_image_version', 'integer').execute();
      await db.schema.alterTable('media').addColumn('capture_image_name', 'text').execute();
      await db.schema
        .alterTable('media')
        .addColumn('password_protected', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('media').addColumn('content_bytes', 'bigint').execute();
    },
  };
}
