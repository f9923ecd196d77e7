import { Type } from '@sinclair/typebox';
import type { Kysely, Selectable } from 'kysely';
import { DeploymentTrigger, type Deployment } from '@steward/protocol';
import type { Database, DeploymentTable } from '../db/tables/index.js';
import { checkRow, parseJsonColumn } from '../db/corrupt-row.js';

type Tx = Kysely<Database>;

export type DeploymentRow = Selectable<DeploymentTable> & {
  program_name: string;
  program_disabled: number;
  package_id: string;
  package_name: string;
  collection_name: string;
};

const Triggers = Type.Array(DeploymentTrigger);
const Strings = Type.Array(Type.String());

/** Stored triggers, checked on the way out: a row that does not parse is corrupt, not empty. */
export function triggersOf(
  row: Pick<Selectable<DeploymentTable>, 'id' | 'triggers'>,
): DeploymentTrigger[] {
  return parseJsonColumn(Triggers, row.triggers, {
    table: 'deployment',
    id: row.id,
    column: 'triggers',
  });
}

export function extraAssignmentsOf(
  row: Pick<Selectable<DeploymentTable>, 'id' | 'extra_assignments'>,
): string[] {
  return parseJsonColumn(Strings, row.extra_assignments, {
    table: 'deployment',
    id: row.id,
    column: 'extra_assignments',
  });
}

export function toDeployment(row: DeploymentRow): Deployment {
  checkRow('deployment', row.id, row);
  return {
    id: row.id,
    name: row.name,
    programId: row.program_id,
    programName: row.program_name,
    programDisabled: row.program_disabled === 1,
    packageId: row.package_id,
    packageName: row.package_name,
    collectionId: row.collection_id,
    collectionName: row.collection_name,
    purpose: row.purpose,
    triggers: triggersOf(row),
    availableAt: row.available_at,
    expiresAt: row.expires_at,
    timeBase: row.time_base,
    rerun: row.rerun,
    preDownload: row.pre_download === 1,
    contentMode: row.content_mode,
    runOverSlowBoundary: row.run_over_slow_boundary === 1,
    allowFallback: row.allow_fallback === 1,
    overrideMaintenanceWindows: row.override_maintenance_windows === 1,
    maxPostponeMinutes: row.max_postpone_minutes,
    enabled: row.enabled === 1,
    revision: row.revision,
    extraAssignments: extraAssignmentsOf(row),
    phasedDeploymentId: row.phased_deployment_id,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

function selectDeployments(db: Tx) {
  return db
    .selectFrom('deployment as d')
    .innerJoin('program as p', 'p.id', 'd.program_id')
    .innerJoin('software_package as k', 'k.id', 'p.package_id')
    .innerJoin('collection as c', 'c.id', 'd.collection_id')
    .selectAll('d')
    .select([
      'p.name as program_name',
      'p.disabled as program_disabled',
      'k.id as package_id',
      'k.name as package_name',
      'c.name as collection_name',
    ]);
}

export function findDeploymentRow(db: Tx, id: string): Promise<DeploymentRow | undefined> {
  return selectDeployments(db).where('d.id', '=', id).executeTakeFirst();
}

export function listDeploymentRows(
  db: Tx,
  filter: { programId?: string; collectionId?: string; packageId?: string },
): Promise<DeploymentRow[]> {
  let q = selectDeployments(db).orderBy('d.created_at', 'desc').orderBy('d.id');
  if (filter.programId !== undefined) q = q.where('d.program_id', '=', filter.programId);
  if (filter.collectionId !== undefined) q = q.where('d.collection_id', '=', filter.collectionId);
  if (filter.packageId !== undefined) q = q.where('p.package_id', '=', filter.packageId);
  return q.execute();
}

export async function findCollection(
  db: Tx,
  idOrName: string,
): Promise<{ id: string; name: string } | undefined> {
  return db
    .selectFrom('collection')
    .select(['id', 'name'])
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .orderBy('id')
    .executeTakeFirst();
}
