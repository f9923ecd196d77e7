import { sql, type Expression, type Selectable, type SqlBool } from 'kysely';
import {
  RestartNeed,
  type DeploymentDeviceState,
  type DeploymentStateName,
  type ListDeploymentDevicesQuery,
} from '@steward/protocol';
import { parseJsonColumn } from '../../db/corrupt-row.js';
import type { DeploymentTable } from '../../db/tables/index.js';
import { toNumber, type Queryable } from '../../db/database.js';
import { overdueCutoff } from '../summary.js';
import { memberships } from '../../collections/membership-repository.js';
import { deviceIdsNamedLike, deviceNames } from '../../devices/repository.js';

function stateOf(value: string | null): DeploymentStateName {
  switch (value) {
    case 'received':
    case 'waiting-content':
    case 'waiting-window':
    case 'running':
    case 'succeeded':
    case 'reboot-pending':
    case 'failed':
      return value;
    default:
      return 'targeted';
  }
}

const nullableNumber = (v: unknown): number | null => (v === null ? null : toNumber(v));

interface StateJoinRow {
  deployment_id: string;
  device_id: string;
  hostname: string;
  state: string | null;
  reason_code: string | null;
  reason: string | null;
  exit_code: number | null;
  output_tail: string | null;
  restart_need: unknown;
  bytes_done: number | string | null;
  bytes_total: number | string | null;
  last_run_at: string | null;
  next_run_at: string | null;
  run_count: number | string | null;
  state_at: string | null;
}

function toDeviceState(r: StateJoinRow, cutoff: string | undefined): DeploymentDeviceState {
  return {
    deploymentId: r.deployment_id,
    deviceId: r.device_id,
    hostname: r.hostname,
    state: stateOf(r.state),
    reasonCode: r.reason_code,
    reason: r.reason,
    exitCode: r.exit_code,
    outputTail: r.output_tail,
    restart:
      r.restart_need === null
        ? null
        : parseJsonColumn(RestartNeed, r.restart_need, {
            table: 'deployment_device_state',
            id: `${r.deployment_id} ${r.device_id}`,
            column: 'restart_need',
          }),
    bytesDone: nullableNumber(r.bytes_done),
    bytesTotal: nullableNumber(r.bytes_total),
    lastRunAt: r.last_run_at,
    nextRunAt: r.next_run_at,
    runCount: toNumber(r.run_count),
    updatedAt: r.state_at,
    overdue: cutoff !== undefined && r.last_run_at !== null && r.last_run_at < cutoff,
  };
}

const STATE_COLUMNS = [
  's.state',
  's.reason_code',
  's.reason',
  's.exit_code',
  's.output_tail',
  's.restart_need',
  's.bytes_done',
  's.bytes_total',
  's.last_run_at',
  's.next_run_at',
  's.run_count',
  's.state_at',
] as const;

type DeploymentFields = Pick<
  Selectable<DeploymentTable>,
  'id' | 'collection_id' | 'purpose' | 'enabled' | 'triggers' | 'expires_at' | 'time_base'
>;

/** The deployment devices list's filter: its query without paging. */
export type DeploymentDeviceMatch = Pick<
  ListDeploymentDevicesQuery,
  'state' | 'overdue' | 'search'
>;

/**
 * The deployment's devices its devices list's filter matches (`m` memberships, `s` states): the
 * list and a rerun of "all matching this filter" (ADR 0031) both start here.
 */
function matchingDeploymentDevices(
  db: Queryable,
  d: DeploymentFields,
  q: DeploymentDeviceMatch,
  cutoff: string | undefined,
) {
  return db
    .selectFrom(memberships(db).as('m'))
    .leftJoin('deployment_device_state as s', (j) =>
      j.onRef('s.device_id', '=', 'm.device_id').on('s.deployment_id', '=', d.id),
    )
    .where('m.collection_id', '=', d.collection_id)
    .where((eb) => {
      const parts: Expression<SqlBool>[] = [];
      if (q.state === 'targeted') parts.push(eb('s.state', 'is', null));
      else if (q.state !== undefined) parts.push(eb('s.state', '=', q.state));
      if (q.overdue === true)
        parts.push(
          cutoff === undefined
            ? sql<SqlBool>`1 = 0`
            : eb.and([eb('s.last_run_at', 'is not', null), eb('s.last_run_at', '<', cutoff)]),
        );
      if (q.overdue === false && cutoff !== undefined)
        parts.push(eb.or([eb('s.last_run_at', 'is', null), eb('s.last_run_at', '>=', cutoff)]));
      if (q.search) parts.push(eb('m.device_id', 'in', deviceIdsNamedLike(db, q.search)));
      return eb.and(parts);
    });
}

/** Every device id the filter matches, up to `limit` (one statement). */
export async function deploymentDeviceIdsMatching(
  db: Queryable,
  o: { d: DeploymentFields; filter: DeploymentDeviceMatch; now: Date; limit: number },
): Promise<string[]> {
  const rows = await matchingDeploymentDevices(db, o.d, o.filter, overdueCutoff(o.d, o.now))
    .select('m.device_id')
    .orderBy('m.device_id')
    .limit(o.limit)
    .execute();
  return rows.map((r) => r.device_id);
}

/**
 * The drill-down: current members of the deployment's collection with their state, filtered by
 * state, overdue and host name, one page at a time (ordered by host name).
 */
export async function listDeploymentDevices(
  db: Queryable,
  d: DeploymentFields,
  q: ListDeploymentDevicesQuery,
  now: Date,
): Promise<{ items: DeploymentDeviceState[]; total: number }> {
  const cutoff = overdueCutoff(d, now);
  const base = matchingDeploymentDevices(db, d, q, cutoff);
  // The count needs no device row: only the page joins it, for host names and their order.
  const count = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const rows = await base
    .innerJoin(deviceNames(db).as('v'), 'v.id', 'm.device_id')
    .select(['m.device_id', 'v.name as hostname', ...STATE_COLUMNS])
    .orderBy('v.name')
    .orderBy('m.device_id')
    .limit(q.limit ?? 50)
    .offset(q.offset ?? 0)
    .execute();
  return {
    total: toNumber(count?.n),
    items: rows.map((r) => toDeviceState({ ...r, deployment_id: d.id }, cutoff)),
  };
}

/** Every deployment whose collection holds the device now, with the device's state in each. */
export async function deviceDeploymentStates(
  db: Queryable,
  device: { id: string; name: string },
  now: Date,
): Promise<DeploymentDeviceState[]> {
  const rows = await db
    .selectFrom('deployment as d')
    .innerJoin(memberships(db).as('m'), (j) =>
      j.onRef('m.collection_id', '=', 'd.collection_id').on('m.device_id', '=', device.id),
    )
    .leftJoin('deployment_device_state as s', (j) =>
      j.onRef('s.deployment_id', '=', 'd.id').on('s.device_id', '=', device.id),
    )
    .select([
      'd.id',
      'd.collection_id',
      'd.purpose',
      'd.enabled',
      'd.triggers',
      'd.expires_at',
      'd.time_base',
      ...STATE_COLUMNS,
    ])
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id')
    .execute();
  return rows.map((r) =>
    toDeviceState(
      { ...r, deployment_id: r.id, device_id: device.id, hostname: device.name },
      overdueCutoff(r, now),
    ),
  );
}
