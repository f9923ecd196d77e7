import { Type } from '@sinclair/typebox';
import type { Insertable, Selectable, Updateable } from 'kysely';
import {
  DeploymentTrigger,
  type Deployment,
  type DeploymentOptions,
  type UpdateDeploymentRequest,
} from '@steward/protocol';
import type { DeploymentTable } from '../db/tables/index.js';
import { checkRow, parseJsonColumn } from '../db/corrupt-row.js';
import {
  settingWriters,
  settingsColumns,
  settingsOfRow,
  type ColumnWriters,
  type SettingColumns,
} from '../db/setting-columns.js';
import { collectionNames } from '../collections/repository.js';
import { packageHeads } from '../content/repository.js';
import type { Queryable } from '../db/database.js';

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

/**
 * The column of each deployment option (ADR 0016): one entry per field of the protocol's
 * `DeploymentOptions`, so a new option does not compile until it is stored and read back.
 */
export const OPTION_COLUMNS: SettingColumns<typeof DeploymentOptions, DeploymentTable> = {
  rerun: { write: (v) => ({ rerun: v }), read: (r) => r.rerun },
  contentMode: { write: (v) => ({ content_mode: v }), read: (r) => r.content_mode },
  preDownload: { write: (v) => ({ pre_download: v ? 1 : 0 }), read: (r) => r.pre_download === 1 },
  runOverSlowBoundary: {
    write: (v) => ({ run_over_slow_boundary: v ? 1 : 0 }),
    read: (r) => r.run_over_slow_boundary === 1,
  },
  allowFallback: {
    write: (v) => ({ allow_fallback: v ? 1 : 0 }),
    read: (r) => r.allow_fallback === 1,
  },
  overrideMaintenanceWindows: {
    write: (v) => ({ override_maintenance_windows: v ? 1 : 0 }),
    read: (r) => r.override_maintenance_windows === 1,
  },
  maxPostponeMinutes: {
    write: (v) => ({ max_postpone_minutes: v }),
    read: (r) => r.max_postpone_minutes,
  },
  enabled: { write: (v) => ({ enabled: v ? 1 : 0 }), read: (r) => r.enabled === 1 },
};

/** A deployment row without its option columns (those come from `OPTION_COLUMNS`). */
type DeploymentBaseRow = Pick<
  Insertable<DeploymentTable>,
  | 'id'
  | 'name'
  | 'program_id'
  | 'collection_id'
  | 'purpose'
  | 'triggers'
  | 'available_at'
  | 'expires_at'
  | 'time_base'
  | 'revision'
  | 'extra_assignments'
  | 'phased_deployment_id'
  | 'created_by'
  | 'created_at'
  | 'updated_at'
>;

/** Every field a PATCH may carry, mapped to its columns (the compiler asks for each). */
export const UPDATE_COLUMNS: ColumnWriters<UpdateDeploymentRequest, DeploymentTable> = {
  name: (v) => ({ name: v }),
  purpose: (v) => ({ purpose: v }),
  triggers: (v) => ({ triggers: JSON.stringify(v) }),
  availableAt: (v) => ({ available_at: v }),
  expiresAt: (v) => ({ expires_at: v }),
  timeBase: (v) => ({ time_base: v }),
  ...settingWriters(OPTION_COLUMNS),
};

/** The options as stored (the agent's assignments and the admin answer both read them here). */
export function optionsOfRow(row: Selectable<DeploymentTable>): DeploymentOptions {
  return settingsOfRow(OPTION_COLUMNS, row);
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
    ...optionsOfRow(row),
    revision: row.revision,
    extraAssignments: extraAssignmentsOf(row),
    phasedDeploymentId: row.phased_deployment_id,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

function selectDeployments(db: Queryable) {
  return db
    .selectFrom('deployment as d')
    .innerJoin('program as p', 'p.id', 'd.program_id')
    .innerJoin(packageHeads(db).as('k'), 'k.id', 'p.package_id')
    .innerJoin(collectionNames(db).as('c'), 'c.id', 'd.collection_id')
    .selectAll('d')
    .select([
      'p.name as program_name',
      'p.disabled as program_disabled',
      'k.id as package_id',
      'k.name as package_name',
      'c.name as collection_name',
    ]);
}

export function findDeploymentRow(db: Queryable, id: string): Promise<DeploymentRow | undefined> {
  return selectDeployments(db).where('d.id', '=', id).executeTakeFirst();
}

export function listDeploymentRows(
  db: Queryable,
  filter: { programId?: string; collectionId?: string; packageId?: string },
): Promise<DeploymentRow[]> {
  let q = selectDeployments(db).orderBy('d.created_at', 'desc').orderBy('d.id');
  if (filter.programId !== undefined) q = q.where('d.program_id', '=', filter.programId);
  if (filter.collectionId !== undefined) q = q.where('d.collection_id', '=', filter.collectionId);
  if (filter.packageId !== undefined) q = q.where('p.package_id', '=', filter.packageId);
  return q.execute();
}

/** Inserts a deployment; its options (defaults filled in) are written by `OPTION_COLUMNS`. */
export async function insertDeployment(
  tx: Queryable,
  row: DeploymentBaseRow,
  options: DeploymentOptions,
): Promise<void> {
  // OPTION_COLUMNS has one entry per option and each writes its own column, so the spread
  // supplies every option column; the compiler cannot follow the generic walk, hence the type.
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
  const values = {
    ...row,
    ...settingsColumns(OPTION_COLUMNS, options),
  } as Insertable<DeploymentTable>;
  await tx.insertInto('deployment').values(values).execute();
}

/** Applies a PATCH's column changes (and the update time). */
export async function updateDeployment(
  tx: Queryable,
  opts: { id: string; set: Updateable<DeploymentTable>; updatedAt: string },
): Promise<void> {
  await tx
    .updateTable('deployment')
    .set({ ...opts.set, updated_at: opts.updatedAt })
    .where('id', '=', opts.id)
    .execute();
}

export async function deleteDeployment(tx: Queryable, id: string): Promise<void> {
  await tx.deleteFrom('deployment').where('id', '=', id).execute();
}

/** The collection a deployment targets (to nudge its devices after a change). */
export async function collectionOfDeployment(
  db: Queryable,
  id: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('deployment')
    .select('collection_id')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.collection_id;
}
