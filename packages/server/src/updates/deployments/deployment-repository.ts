import type { Insertable, Selectable } from 'kysely';
import type { Database } from '../../db/tables/index.js';
import type { Queryable } from '../../db/database.js';
import type { UpdateKind } from '@steward/protocol';

/** Update deployments' SQL (ADR 0056); the software deployment each owns has its own repository. */

export type UpdateDeploymentRow = Selectable<Database['update_deployment']> & {
  group_name: string | null;
};

function selectRows(db: Queryable) {
  return db
    .selectFrom('update_deployment as ud')
    .leftJoin('update_group as g', 'g.id', 'ud.group_id')
    .selectAll('ud')
    .select('g.name as group_name');
}

export function listUpdateDeploymentRows(db: Queryable): Promise<UpdateDeploymentRow[]> {
  return selectRows(db).orderBy('ud.name').execute();
}

export async function findUpdateDeploymentRow(
  db: Queryable,
  idOrName: string,
): Promise<UpdateDeploymentRow | undefined> {
  return (
    (await selectRows(db).where('ud.id', '=', idOrName).executeTakeFirst()) ??
    (await selectRows(db).where('ud.name', '=', idOrName).executeTakeFirst())
  );
}

/** The update deployment owning this software deployment, if one does (ADR 0056). */
export function ownerOfDeployment(
  db: Queryable,
  deploymentId: string,
): Promise<{ id: string; name: string } | undefined> {
  return db
    .selectFrom('update_deployment')
    .select(['id', 'name'])
    .where('deployment_id', '=', deploymentId)
    .executeTakeFirst();
}

export async function insertUpdateDeployment(
  db: Queryable,
  row: Insertable<Database['update_deployment']>,
  updateIds: readonly string[],
  customUpdateIds: readonly string[] = [],
): Promise<void> {
  await db.insertInto('update_deployment').values(row).execute();
  await appendDeployedCustomUpdates(db, row.id, customUpdateIds, 0);
  if (updateIds.length === 0) return;
  await db
    .insertInto('update_deployment_update')
    .values(
      updateIds.map((updateId, position) => ({
        update_deployment_id: row.id,
        update_id: updateId,
        position,
        removed_at: null,
      })),
    )
    .execute();
}

/** More updates for a deployment, after the `from` it already holds. */
export async function appendDeployedUpdates(
  db: Queryable,
  id: string,
  updateIds: readonly string[],
  from: number,
): Promise<void> {
  if (updateIds.length === 0) return;
  await db
    .insertInto('update_deployment_update')
    .values(
      updateIds.map((updateId, i) => ({
        update_deployment_id: id,
        update_id: updateId,
        position: from + i,
        removed_at: null,
      })),
    )
    .execute();
}

/** More custom updates for a deployment (ADR 0083), after the `from` it already holds. */
export async function appendDeployedCustomUpdates(
  db: Queryable,
  id: string,
  customUpdateIds: readonly string[],
  from: number,
): Promise<void> {
  if (customUpdateIds.length === 0) return;
  await db
    .insertInto('update_deployment_custom_update')
    .values(
      customUpdateIds.map((customUpdateId, i) => ({
        update_deployment_id: id,
        custom_update_id: customUpdateId,
        position: from + i,
        removed_at: null,
      })),
    )
    .execute();
}

export async function setOptions(db: Queryable, id: string, options: string): Promise<void> {
  await db.updateTable('update_deployment').set({ options }).where('id', '=', id).execute();
}

export interface DeployedUpdateRow {
  update_deployment_id: string;
  update_id: string;
  /** A catalog update, or a custom update (ADR 0083: package is its vendor and product). */
  kind: UpdateKind;
  package: string;
  version: string;
  removed_at: string | null;
}

/**
 * The updates of these deployments, in the order they were deployed: the catalog updates, then
 * the custom updates (ADR 0083).
 */
export async function deployedUpdates(
  db: Queryable,
  ids: readonly string[],
): Promise<DeployedUpdateRow[]> {
  if (ids.length === 0) return [];
  const apt = await db
    .selectFrom('update_deployment_update as m')
    .innerJoin('software_update as u', 'u.id', 'm.update_id')
    .select(['m.update_deployment_id', 'm.update_id', 'u.package', 'u.version', 'm.removed_at'])
    .where('m.update_deployment_id', 'in', [...ids])
    .orderBy('m.update_deployment_id')
    .orderBy('m.position')
    .execute();
  const custom = await deployedCustomRows(db, ids);
  return [
    ...apt.map((r) => ({ ...r, kind: 'apt' as const })),
    ...custom.map((r) => ({
      update_deployment_id: r.update_deployment_id,
      update_id: r.custom_update_id,
      kind: 'custom' as const,
      package: `${r.vendor} ${r.product}`,
      version: r.version,
      removed_at: r.removed_at,
    })),
  ];
}

/** The custom updates of these deployments with their rules and programs (ADR 0083). */
export function deployedCustomRows(db: Queryable, ids: readonly string[]) {
  return db
    .selectFrom('update_deployment_custom_update as m')
    .innerJoin('custom_update as c', 'c.id', 'm.custom_update_id')
    .select([
      'm.update_deployment_id',
      'm.custom_update_id',
      'm.removed_at',
      'c.title',
      'c.vendor',
      'c.product',
      'c.version',
      'c.detection',
      'c.applicability',
      'c.install_program_id',
      'c.uninstall_program_id',
    ])
    .where('m.update_deployment_id', 'in', [...ids])
    .orderBy('m.update_deployment_id')
    .orderBy('m.position')
    .execute();
}

/** Marks one custom update removed; false when it is not (or no longer) in the deployment. */
export async function markCustomRemoved(
  db: Queryable,
  id: string,
  customUpdateId: string,
  at: string,
): Promise<boolean> {
  const r = await db
    .updateTable('update_deployment_custom_update')
    .set({ removed_at: at })
    .where('update_deployment_id', '=', id)
    .where('custom_update_id', '=', customUpdateId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Marks one update removed; false when it is not (or no longer) in the deployment. */
export async function markRemoved(
  db: Queryable,
  id: string,
  updateId: string,
  at: string,
): Promise<boolean> {
  const r = await db
    .updateTable('update_deployment_update')
    .set({ removed_at: at })
    .where('update_deployment_id', '=', id)
    .where('update_id', '=', updateId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Update deployments owning these software deployments (what the assignments add to them). */
export function byDeploymentIds(
  db: Queryable,
  deploymentIds: readonly string[],
): Promise<Selectable<Database['update_deployment']>[]> {
  if (deploymentIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('update_deployment')
    .selectAll()
    .where('deployment_id', 'in', [...deploymentIds])
    .execute();
}

/** Binary packages (name, version) of the updates still deployed, per update. */
export async function deployedBinaries(
  db: Queryable,
  updateDeploymentIds: readonly string[],
): Promise<
  { update_deployment_id: string; update_id: string; package: string; version: string }[]
> {
  if (updateDeploymentIds.length === 0) return [];
  return db
    .selectFrom('update_deployment_update as m')
    .innerJoin('software_update_binary as b', 'b.update_id', 'm.update_id')
    .select(['m.update_deployment_id', 'm.update_id', 'b.package', 'b.version'])
    .where('m.update_deployment_id', 'in', [...updateDeploymentIds])
    .where('m.removed_at', 'is', null)
    .distinct()
    .orderBy('m.update_deployment_id')
    .orderBy('m.update_id')
    .orderBy('b.package')
    .execute();
}

/**
 * Each device's own scan state for these updates (installed, required, ...): catalog updates'
 * from update_compliance, custom updates' from custom_update_compliance (ADR 0083).
 */
export async function scannedStates(
  db: Queryable,
  updateIds: readonly string[],
  deviceIds: readonly string[],
): Promise<{ device_id: string; update_id: string; state: string }[]> {
  if (updateIds.length === 0 || deviceIds.length === 0) return [];
  const apt = await db
    .selectFrom('update_compliance')
    .select(['device_id', 'update_id', 'state'])
    .where('update_id', 'in', [...updateIds])
    .where('device_id', 'in', [...deviceIds])
    .execute();
  const custom = await db
    .selectFrom('custom_update_compliance')
    .select(['device_id', 'custom_update_id as update_id', 'state'])
    .where('custom_update_id', 'in', [...updateIds])
    .where('device_id', 'in', [...deviceIds])
    .execute();
  return [...apt, ...custom];
}
