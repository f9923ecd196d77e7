import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Db } from '../db/database.js';

/**
 * Whether server processes are running against a site: what offline maintenance (rotating the
 * master key) must know, since a running process keeps the old key in memory and would seal new
 * secrets with it after the rotation, leaving them unreadable.
 *
 * PostgreSQL: every server process holds a shared advisory lock for the whole of its life, on a
 * connection of its own; maintenance takes the same lock exclusively, so it is refused while any
 * process runs and a process starting meanwhile waits until it is done. The lock goes with the
 * session, so a crashed process holds nothing. SQLite has one server process, which records its
 * pid in `<data>/server.json`.
 */
export class SitePresence {
  private constructor(private readonly client: pg.Client | undefined) {}

  /** Marks this process as running against the site (waits while maintenance holds the site). */
  static async hold(db: Db, onLost: (err: Error) => void = () => undefined): Promise<SitePresence> {
    if (!db.pgPool) return new SitePresence(undefined);
    // A connection of its own, outside the pool: the pool's connections serve requests.
    const client = new pg.Client(db.pgPool.options);
    // Losing it (the database restarted) loses only the guard against rotating under this
    // process; an unhandled 'error' would end the process.
    client.on('error', onLost);
    await client.connect();
    try {
      await client.query('select pg_advisory_lock_shared(hashtext($1))', [presenceKey(db)]);
    } catch (err) {
      await client.end();
      throw err;
    }
    return new SitePresence(client);
  }

  async release(): Promise<void> {
    // Ending the session releases the lock.
    await this.client?.end();
  }
}

/** Refused because a server process runs against the site. */
export class SiteRunningError extends Error {
  override readonly name = 'SiteRunningError';
}

/**
 * Runs `work` only when no server process runs against the site, and keeps them from starting
 * until it is done. Throws SiteRunningError otherwise.
 */
export async function whileSiteStopped<T>(
  db: Db,
  dataDir: string,
  work: () => Promise<T>,
): Promise<T> {
  if (!db.pgPool) {
    const pid = runningServerPid(dataDir);
    if (pid !== undefined)
      throw new SiteRunningError(
        `the site server (pid ${String(pid)}) is running: stop it first (if it is not, delete ${join(dataDir, 'server.json')})`,
      );
    return work();
  }
  const client = await db.pgPool.connect();
  try {
    const key = presenceKey(db);
    const r = await client.query<{ ok: boolean }>(
      'select pg_try_advisory_lock(hashtext($1)) as ok',
      [key],
    );
    if (!r.rows[0]?.ok)
      throw new SiteRunningError(
        'server processes are running against this database: stop every one of them first',
      );
    try {
      return await work();
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', [key]);
    }
  } finally {
    client.release();
  }
}

function presenceKey(db: Db): string {
  return `steward-site-running:${db.pgSchema ?? 'public'}`;
}

/** The pid in `<data>/server.json` when that process is alive and a Steward server. */
function runningServerPid(dataDir: string): number | undefined {
  const file = join(dataDir, 'server.json');
  if (!existsSync(file)) return undefined;
  let pid: unknown;
  try {
    const state: unknown = JSON.parse(readFileSync(file, 'utf8'));
    pid = typeof state === 'object' && state !== null && 'pid' in state ? state.pid : undefined;
  } catch {
    return undefined;
  }
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid)
    return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined; // no such process: a server that stopped or crashed
  }
  // A recycled pid belongs to something else: only a Steward server counts.
  try {
    return readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8').includes('steward')
      ? pid
      : undefined;
  } catch {
    return pid;
  }
}
