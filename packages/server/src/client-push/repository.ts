import type { Insertable, Selectable, Updateable } from 'kysely';
import type { PushTargetState } from '@steward/protocol';
import type {
  PushAccountTable,
  PushAttemptTable,
  PushHostKeyTable,
  PushJobTable,
  PushTargetTable,
} from '../db/tables/index.js';
import { toNumber, type Queryable } from '../db/database.js';
import { memberIdsOf } from '../collections/membership-repository.js';

export type PushAccountRow = Selectable<PushAccountTable>;
export type PushHostKeyRow = Selectable<PushHostKeyTable>;
export type PushJobRow = Selectable<PushJobTable>;
export type PushTargetRow = Selectable<PushTargetTable>;
export type PushAttemptRow = Selectable<PushAttemptTable>;

// ---- accounts ----

export async function insertPushAccount(
  db: Queryable,
  row: Insertable<PushAccountTable>,
): Promise<void> {
  await db.insertInto('push_account').values(row).execute();
}

export function listPushAccounts(db: Queryable): Promise<PushAccountRow[]> {
  return db.selectFrom('push_account').selectAll().orderBy('name').execute();
}

/** An account by id, else by exact name. */
export async function findPushAccount(
  db: Queryable,
  idOrName: string,
): Promise<PushAccountRow | undefined> {
  return (
    (await db
      .selectFrom('push_account')
      .selectAll()
      .where('id', '=', idOrName)
      .executeTakeFirst()) ??
    db.selectFrom('push_account').selectAll().where('name', '=', idOrName).executeTakeFirst()
  );
}

export async function pushAccountNameTaken(db: Queryable, name: string): Promise<boolean> {
  const row = await db
    .selectFrom('push_account')
    .select('id')
    .where('name', '=', name)
    .executeTakeFirst();
  return row !== undefined;
}

export async function deletePushAccount(db: Queryable, id: string): Promise<boolean> {
  const r = await db.deleteFrom('push_account').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** The sealed values of every account (a master-key rotation re-seals them). */
export function sealedPushSecrets(
  db: Queryable,
): Promise<Pick<PushAccountRow, 'id' | 'secret' | 'passphrase'>[]> {
  return db
    .selectFrom('push_account')
    .select(['id', 'secret', 'passphrase'])
    .orderBy('id')
    .execute();
}

export async function replacePushSecrets(
  db: Queryable,
  row: Pick<PushAccountRow, 'id' | 'secret' | 'passphrase'>,
): Promise<void> {
  await db
    .updateTable('push_account')
    .set({ secret: row.secret, passphrase: row.passphrase })
    .where('id', '=', row.id)
    .execute();
}

// ---- host keys ----

export function findHostKey(
  db: Queryable,
  host: string,
  port: number,
): Promise<PushHostKeyRow | undefined> {
  return db
    .selectFrom('push_host_key')
    .selectAll()
    .where('host', '=', host)
    .where('port', '=', port)
    .executeTakeFirst();
}

/** Records a first-contact key; a key another attempt recorded first stays. */
export async function recordHostKey(
  db: Queryable,
  row: Insertable<PushHostKeyTable>,
): Promise<void> {
  await db
    .insertInto('push_host_key')
    .values(row)
    .onConflict((oc) => oc.columns(['host', 'port']).doNothing())
    .execute();
}

export async function updateHostKeySeen(
  db: Queryable,
  k: { host: string; port: number; at: string; refusedFingerprint: string | null },
): Promise<void> {
  await db
    .updateTable('push_host_key')
    .set(
      k.refusedFingerprint === null
        ? { last_seen_at: k.at, refused_fingerprint: null }
        : { refused_fingerprint: k.refusedFingerprint },
    )
    .where('host', '=', k.host)
    .where('port', '=', k.port)
    .execute();
}

export function listHostKeys(db: Queryable): Promise<PushHostKeyRow[]> {
  return db.selectFrom('push_host_key').selectAll().orderBy('host').orderBy('port').execute();
}

/** Forgets the keys of a host (every port, or one). */
export async function deleteHostKeys(
  db: Queryable,
  host: string,
  port: number | undefined,
): Promise<number> {
  let q = db.deleteFrom('push_host_key').where('host', '=', host);
  if (port !== undefined) q = q.where('port', '=', port);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

// ---- jobs and targets ----

export async function insertPushJob(db: Queryable, row: Insertable<PushJobTable>): Promise<void> {
  await db.insertInto('push_job').values(row).execute();
}

export async function insertPushTargets(
  db: Queryable,
  rows: Insertable<PushTargetTable>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 200)
    await db
      .insertInto('push_target')
      .values(rows.slice(i, i + 200))
      .execute();
}

export function listPushJobs(db: Queryable, limit: number): Promise<PushJobRow[]> {
  return db
    .selectFrom('push_job')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export function findPushJob(db: Queryable, id: string): Promise<PushJobRow | undefined> {
  return db.selectFrom('push_job').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Targets per state of the given jobs. */
export async function targetCounts(
  db: Queryable,
  jobIds: readonly string[],
): Promise<{ job_id: string; state: PushTargetState; n: number }[]> {
  if (jobIds.length === 0) return [];
  const rows = await db
    .selectFrom('push_target')
    .select((eb) => ['job_id', 'state', eb.fn.countAll().as('n')])
    .where('job_id', 'in', [...jobIds])
    .groupBy(['job_id', 'state'])
    .execute();
  return rows.map((r) => ({ job_id: r.job_id, state: r.state, n: toNumber(r.n) }));
}

export function targetsOfJob(db: Queryable, jobId: string): Promise<PushTargetRow[]> {
  return db
    .selectFrom('push_target')
    .selectAll()
    .where('job_id', '=', jobId)
    .orderBy('host')
    .orderBy('port')
    .execute();
}

export function findPushTarget(db: Queryable, id: string): Promise<PushTargetRow | undefined> {
  return db.selectFrom('push_target').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The newest target for a host (any port, or one). */
export function latestTargetForHost(
  db: Queryable,
  host: string,
  port: number | undefined,
): Promise<PushTargetRow | undefined> {
  let q = db.selectFrom('push_target').selectAll().where('host', '=', host);
  if (port !== undefined) q = q.where('port', '=', port);
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirst();
}

/** A target for this host:port in one of `states` (another job's), if any. */
export function targetForHostInStates(
  db: Queryable,
  host: string,
  port: number,
  states: readonly PushTargetState[],
): Promise<Pick<PushTargetRow, 'id' | 'job_id' | 'state' | 'updated_at'> | undefined> {
  return db
    .selectFrom('push_target')
    .select(['id', 'job_id', 'state', 'updated_at'])
    .where('host', '=', host)
    .where('port', '=', port)
    .where('state', 'in', [...states])
    .orderBy('updated_at', 'desc')
    .executeTakeFirst();
}

/** Targets waiting for an attempt that is due, oldest first. */
export function dueTargets(db: Queryable, now: string, limit: number): Promise<PushTargetRow[]> {
  return db
    .selectFrom('push_target')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('state', '=', 'queued'),
        eb.and([eb('state', '=', 'retry-scheduled'), eb('next_attempt_at', '<=', now)]),
      ]),
    )
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Which of these hosts have ever had a target on this port (automatic push targets a host once). */
export async function hostsWithAnyTarget(
  db: Queryable,
  hosts: readonly string[],
  port: number,
): Promise<Set<string>> {
  if (hosts.length === 0) return new Set();
  const rows = await db
    .selectFrom('push_target')
    .select('host')
    .distinct()
    .where('host', 'in', [...hosts])
    .where('port', '=', port)
    .execute();
  return new Set(rows.map((r) => r.host));
}

/** When the next retry falls due (the earliest retry-scheduled target), or undefined. */
export async function nextRetryAt(db: Queryable): Promise<string | undefined> {
  const r = await db
    .selectFrom('push_target')
    .select((eb) => eb.fn.min('next_attempt_at').as('at'))
    .where('state', '=', 'retry-scheduled')
    .executeTakeFirst();
  return r?.at ?? undefined;
}

/** Takes a due target for this process: false when another process (or a cancel) got there first. */
export async function claimTarget(
  db: Queryable,
  t: { id: string; fromState: PushTargetState; processId: string; at: string },
): Promise<boolean> {
  const r = await db
    .updateTable('push_target')
    .set({ state: 'connecting', claimed_by: t.processId, updated_at: t.at })
    .where('id', '=', t.id)
    .where('state', '=', t.fromState)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function updatePushTarget(
  db: Queryable,
  id: string,
  set: Updateable<PushTargetTable>,
): Promise<void> {
  await db.updateTable('push_target').set(set).where('id', '=', id).execute();
}

/**
 * Targets left in an attempt by a process that no longer runs it (this process restarted, or
 * another died): queued again. `activeStates` are the in-attempt states.
 */
export async function requeueOrphanedTargets(
  db: Queryable,
  opts: { processId: string; activeStates: readonly PushTargetState[]; at: string },
): Promise<number> {
  const r = await db
    .updateTable('push_target')
    .set({ state: 'queued', claimed_by: null, updated_at: opts.at })
    .where('state', 'in', [...opts.activeStates])
    .where((eb) => eb.or([eb('claimed_by', 'is', null), eb('claimed_by', '!=', opts.processId)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

// ---- attempts ----

export async function insertPushAttempt(
  db: Queryable,
  row: Insertable<PushAttemptTable>,
): Promise<void> {
  await db.insertInto('push_attempt').values(row).execute();
}

export async function updatePushAttempt(
  db: Queryable,
  id: string,
  set: Updateable<PushAttemptTable>,
): Promise<void> {
  await db.updateTable('push_attempt').set(set).where('id', '=', id).execute();
}

export function attemptsOfTarget(db: Queryable, targetId: string): Promise<PushAttemptRow[]> {
  return db
    .selectFrom('push_attempt')
    .selectAll()
    .where('target_id', '=', targetId)
    .orderBy('number')
    .execute();
}

// ---- client deployment status ----

/** A push attempt (without its log) with the device its target became. */
export type DevicePushAttemptRow = Omit<PushAttemptRow, 'log'> & { device_id: string };

const ATTEMPT_HEAD = [
  'a.id',
  'a.target_id',
  'a.number',
  'a.started_at',
  'a.finished_at',
  'a.outcome',
  'a.error_code',
  'a.agent_version',
] as const;

/**
 * The latest push attempt (by start) of each device a push reached, for the devices of a
 * collection (undefined: all). One statement, logs left out (a page reads them with
 * `pushAttemptLogs`); the newest per device is the first in order.
 */
export async function latestPushAttemptsOfDevices(
  db: Queryable,
  opts: { collectionId: string | undefined },
): Promise<Map<string, DevicePushAttemptRow>> {
  let q = db
    .selectFrom('push_attempt as a')
    .innerJoin('push_target as t', 't.id', 'a.target_id')
    .select([...ATTEMPT_HEAD, 't.device_id'])
    .where('t.device_id', 'is not', null);
  if (opts.collectionId !== undefined)
    q = q.where('t.device_id', 'in', memberIdsOf(db, opts.collectionId));
  const rows = await q
    .orderBy('t.device_id')
    .orderBy('a.started_at', 'desc')
    .orderBy('a.number', 'desc')
    .execute();
  const latest = new Map<string, DevicePushAttemptRow>();
  for (const r of rows) {
    const deviceId = r.device_id;
    if (deviceId !== null && !latest.has(deviceId))
      latest.set(deviceId, { ...r, device_id: deviceId });
  }
  return latest;
}

/** The logs of these push attempts, by attempt id. */
export async function pushAttemptLogs(
  db: Queryable,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('push_attempt')
    .select(['id', 'log'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.id, r.log]));
}

/** Push attempts that finished within [from, to), failed or succeeded: the failure chart's rows. */
export function pushAttemptsFinishedBetween(
  db: Queryable,
  range: { from: string; to: string },
): Promise<
  (Omit<PushAttemptRow, 'log'> &
    Pick<PushTargetRow, 'host' | 'port' | 'device_id' | 'attempts' | 'last_error'>)[]
> {
  return db
    .selectFrom('push_attempt as a')
    .innerJoin('push_target as t', 't.id', 'a.target_id')
    .select([...ATTEMPT_HEAD, 't.host', 't.port', 't.device_id', 't.attempts', 't.last_error'])
    .where('a.outcome', 'in', ['failed', 'succeeded'])
    .where('a.finished_at', '>=', range.from)
    .where('a.finished_at', '<', range.to)
    .orderBy('a.finished_at')
    .execute();
}

/** Whether any push target is in an attempt or waiting for its first one. */
export async function pushInFlight(
  db: Queryable,
  activeStates: readonly PushTargetState[],
): Promise<boolean> {
  const row = await db
    .selectFrom('push_target')
    .select('id')
    .where('state', 'in', [...activeStates])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
