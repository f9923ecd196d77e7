import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { migrateToLatest, openDatabase, type Db, type Dialect } from '../../src/db/database.js';
import { createLocalBus } from '../../src/events/bus.js';
import { systemClock, type Clock, type SiteContext } from '../../src/context.js';
import { generateMasterKey, readMasterKey } from '../../src/site/master-key.js';
import { SecretBox } from '../../src/site/secret-box.js';

import { dropTestSchema, POSTGRES_URL } from '../../../../test-support/site.js';

export { POSTGRES_URL };

let pgReachable: Promise<boolean> | undefined;
/** Whether the machine's PostgreSQL answers; tests that need it say so when it does not. */
export function postgresReachable(): Promise<boolean> {
  pgReachable ??= (async () => {
    const c = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.end();
      return true;
    } catch {
      return false;
    }
  })();
  return pgReachable;
}

/** The dialects integration tests run against: `describe.each(testDialects)`. */
export const testDialects: Dialect[] = ['sqlite', 'postgres'];

/** A database URL of its own for one test: a temp SQLite file, or a fresh PostgreSQL schema. */
export function freshDatabaseUrl(dialect: Dialect): { url: string; cleanup: () => Promise<void> } {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'steward-db-'));
    return {
      url: join(dir, 'steward.db'),
      cleanup: () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  return {
    url: `${POSTGRES_URL}?schema=${schema}`,
    cleanup: () => dropTestSchema(schema),
  };
}

/** A migrated database and a SiteContext over it, for repository and service tests. */
export async function createTestContext(
  dialect: Dialect,
  clock: Clock = systemClock,
): Promise<{ ctx: SiteContext; db: Db; cleanup: () => Promise<void> }> {
  const { url, cleanup } = freshDatabaseUrl(dialect);
  const db = await openDatabase(url);
  await migrateToLatest(db);
  const ctx: SiteContext = {
    db,
    bus: createLocalBus(),
    log: pino({ level: process.env.STEWARD_TEST_LOG ?? 'silent' }),
    clock,
    processId: 'test',
    siteCode: 'T01',
  };
  return {
    ctx,
    db,
    cleanup: async () => {
      await db.close();
      await cleanup();
    },
  };
}

/** A secret box with a fresh master key, for tests that create site keys in a test database. */
export function testSecretBox(): SecretBox {
  return new SecretBox(generateMasterKey());
}

/** The secret box of a server started on `dataDir` (its `master.key`). */
export function siteSecretBox(dataDir: string): SecretBox {
  const key = readMasterKey(join(dataDir, 'master.key'));
  if (key === undefined) throw new Error(`no master key in ${dataDir}`);
  return new SecretBox(key);
}
