import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Database } from '../db/tables/index.js';
import { toNumber, type Dialect, type Queryable } from '../db/database.js';

/** SQL of the runs of boot environments (ADR 0103). */

type Table = Database['task_sequence_boot_run'];
export type BootRunRow = Selectable<Table>;
export type BootRunView = BootRunRow & { device_name: string | null };

/** Opens a run when its deployment is offered; a run already there (a resume) is kept. */
export async function openBootRun(db: Queryable, row: Insertable<Table>): Promise<void> {
  await db
    .insertInto('task_sequence_boot_run')
    .values(row)
    .onConflict((oc) => oc.columns(['deployment_id', 'computer_id']).doNothing())
    .execute();
}

/** The run, locked on PostgreSQL until the transaction ends (one message moves it at a time). */
export async function lockBootRun(
  db: Queryable,
  opts: { deploymentId: string; computerId: string; dialect: Dialect },
): Promise<BootRunRow | undefined> {
  const q = db
    .selectFrom('task_sequence_boot_run')
    .selectAll()
    .where('deployment_id', '=', opts.deploymentId)
    .where('computer_id', '=', opts.computerId);
  return opts.dialect === 'postgres' ? q.forUpdate().executeTakeFirst() : q.executeTakeFirst();
}

export async function updateBootRun(
  db: Queryable,
  key: { deploymentId: string; computerId: string },
  fields: Updateable<Table>,
): Promise<void> {
  await db
    .updateTable('task_sequence_boot_run')
    .set(fields)
    .where('deployment_id', '=', key.deploymentId)
    .where('computer_id', '=', key.computerId)
    .execute();
}

/**
 * Runs no device is tied to yet whose computer may be this hardware: same SMBIOS UUID, or one
 * of its MACs in the run's list (a coarse text match the caller confirms on the parsed list).
 */
export async function untiedBootRunsOf(
  db: Queryable,
  hardware: { smbiosUuid: string | null; macs: readonly string[] },
): Promise<BootRunRow[]> {
  return db
    .selectFrom('task_sequence_boot_run')
    .selectAll()
    .where('device_id', 'is', null)
    .where((e) =>
      e.or([
        ...(hardware.smbiosUuid ? [e('smbios_uuid', '=', hardware.smbiosUuid)] : []),
        ...hardware.macs.map((mac) => e('macs', 'like', `%"${mac}"%`)),
      ]),
    )
    .limit(100)
    .execute();
}

function viewQuery(db: Queryable) {
  return db
    .selectFrom('task_sequence_boot_run as b')
    .leftJoin('device as dv', 'dv.id', 'b.device_id')
    .selectAll('b')
    .select('dv.name as device_name');
}

export async function bootRunsOfDeployment(
  db: Queryable,
  deploymentId: string,
): Promise<BootRunView[]> {
  return viewQuery(db)
    .where('b.deployment_id', '=', deploymentId)
    .orderBy('b.updated_at', 'desc')
    .orderBy('b.computer_id')
    .execute();
}

export async function bootRunsOfDevice(db: Queryable, deviceId: string): Promise<BootRunView[]> {
  return viewQuery(db)
    .where('b.device_id', '=', deviceId)
    .orderBy('b.updated_at', 'desc')
    .execute();
}

/** One deployment's run on a computer (its id) or on the device it was tied to. */
export async function findBootRun(
  db: Queryable,
  deploymentId: string,
  computerOrDeviceId: string,
): Promise<BootRunView | undefined> {
  return viewQuery(db)
    .where('b.deployment_id', '=', deploymentId)
    .where((e) =>
      e.or([
        e('b.computer_id', '=', computerOrDeviceId),
        e('b.device_id', '=', computerOrDeviceId),
      ]),
    )
    .orderBy('b.updated_at', 'desc')
    .executeTakeFirst();
}

/** Boot-environment runs of each deployment per state. */
export async function bootRunStates(
  db: Queryable,
  deploymentIds: readonly string[],
): Promise<{ deployment_id: string; state: BootRunRow['state']; n: number }[]> {
  if (deploymentIds.length === 0) return [];
  const rows = await db
    .selectFrom('task_sequence_boot_run')
    .select(['deployment_id', 'state', (e) => e.fn.countAll().as('n')])
    .where('deployment_id', 'in', deploymentIds)
    .groupBy(['deployment_id', 'state'])
    .execute();
  return rows.map((r) => ({ deployment_id: r.deployment_id, state: r.state, n: toNumber(r.n) }));
}
