import type { Insertable, Selectable } from 'kysely';
import type { DeploymentDeviceStateTable } from '../../db/tables/index.js';
import type { Queryable } from '../../db/database.js';

/** Which of these deployment ids exist (one statement; the caller chunks). */
export async function existingDeploymentIds(
  tx: Queryable,
  opts: { ids: readonly string[] },
): Promise<string[]> {
  const rows = await tx
    .selectFrom('deployment')
    .select('id')
    .where('id', 'in', [...opts.ids])
    .execute();
  return rows.map((r) => r.id);
}

/** One device's stored states of these deployments (one statement; the caller chunks). */
export function deviceStates(
  tx: Queryable,
  opts: { deviceId: string; deploymentIds: readonly string[] },
): Promise<Selectable<DeploymentDeviceStateTable>[]> {
  return tx
    .selectFrom('deployment_device_state')
    .selectAll()
    .where('device_id', '=', opts.deviceId)
    .where('deployment_id', 'in', [...opts.deploymentIds])
    .execute();
}

/** Writes these states, replacing each (deployment, device) pair's row (the caller chunks). */
export async function upsertDeviceStates(
  tx: Queryable,
  opts: { rows: readonly Insertable<DeploymentDeviceStateTable>[] },
): Promise<void> {
  await tx
    .insertInto('deployment_device_state')
    .values([...opts.rows])
    .onConflict((oc) =>
      oc.columns(['deployment_id', 'device_id']).doUpdateSet((eb) => ({
        state: eb.ref('excluded.state'),
        revision: eb.ref('excluded.revision'),
        run_id: eb.ref('excluded.run_id'),
        reason_code: eb.ref('excluded.reason_code'),
        reason: eb.ref('excluded.reason'),
        exit_code: eb.ref('excluded.exit_code'),
        output_tail: eb.ref('excluded.output_tail'),
        restart_need: eb.ref('excluded.restart_need'),
        bytes_done: eb.ref('excluded.bytes_done'),
        bytes_total: eb.ref('excluded.bytes_total'),
        last_run_at: eb.ref('excluded.last_run_at'),
        next_run_at: eb.ref('excluded.next_run_at'),
        run_count: eb.ref('excluded.run_count'),
        state_at: eb.ref('excluded.state_at'),
        device_seq: eb.ref('excluded.device_seq'),
      })),
    )
    .execute();
}
