import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Client push over SSH (issue 9): push accounts (secrets sealed with the site master key), the
 * host keys recorded at first contact, push jobs, their targets and each attempt with its log.
 */
export function clientPushMigration(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('push_account')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('auth_kind', 'text', (c) => c.notNull())
        // enc:v1 envelopes (site-secrets.ts): the private key or the password, and a passphrase.
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('passphrase', 'text')
        .addColumn('service_mode', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('push_host_key')
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('port', 'integer', (c) => c.notNull())
        .addColumn('key_type', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('first_seen_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addColumn('refused_fingerprint', 'text')
        .addPrimaryKeyConstraint('push_host_key_pk', ['host', 'port'])
        .execute();

      // No foreign key to push_account: a job outlives the account it used (its name is kept).
      await db.schema
        .createTable('push_job')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('account_name', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('collection_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('push_target')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('job_id', 'text', (c) =>
          c.notNull().references('push_job.id').onDelete('cascade'),
        )
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('port', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error_code', 'text')
        .addColumn('last_error', 'text')
        .addColumn('reason', 'text')
        .addColumn('next_attempt_at', 'text')
        .addColumn('first_attempt_at', 'text')
        .addColumn('device_id', 'text')
        .addColumn('token_id', 'text')
        // Which process runs the attempt (a process that dies leaves it to be requeued).
        .addColumn('claimed_by', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('push_target_job').on('push_target').column('job_id').execute();
      await db.schema
        .createIndex('push_target_due')
        .on('push_target')
        .columns(['state', 'next_attempt_at'])
        .execute();
      await db.schema.createIndex('push_target_host').on('push_target').column('host').execute();

      await db.schema
        .createTable('push_attempt')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('target_id', 'text', (c) =>
          c.notNull().references('push_target.id').onDelete('cascade'),
        )
        .addColumn('number', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('outcome', 'text')
        .addColumn('error_code', 'text')
        // Newline-separated timestamped lines (the ccm.log analog).
        .addColumn('log', 'text', (c) => c.notNull())
        .addUniqueConstraint('push_attempt_number', ['target_id', 'number'])
        .execute();
    },
  };
}
