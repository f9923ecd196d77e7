import type { Updateable } from 'kysely';
import type {
  ContentState,
  DpCompletionRow,
  DpContentStatus,
  PackageContentStatus,
} from '@steward/protocol';
import type { DpPackageTable } from '../db/tables/index.js';
import { toNumber, type Queryable } from '../db/database.js';
import { checkRow } from '../db/corrupt-row.js';
import { findVersion, type VersionRef } from '../content/repository.js';

/** What distribution needs of a package row (content/repository.ts findPackage returns it). */
export interface PackageRow {
  id: string;
  name: string;
  current_version_id: string | null;
}

/** The state of a target row, checked: a value outside ContentState is a corrupt row. */
function checkedState(row: {
  dp_id: string;
  package_id: string;
  state: ContentState;
}): ContentState {
  return checkRow('dp_package', `${row.dp_id}/${row.package_id}`, { state: row.state }).state;
}

/** Content status rows (package x DP), filtered by package and/or DP. */
export async function listContentStatus(
  db: Queryable,
  filter: { packageId?: string | undefined; dpId?: string | undefined },
): Promise<DpContentStatus[]> {
  let q = db
    .selectFrom('dp_package as t')
    .innerJoin('software_package as p', 'p.id', 't.package_id')
    .innerJoin('distribution_point as d', 'd.id', 't.dp_id')
    .leftJoin('package_version as v', 'v.id', 't.version_id')
    .select([
      't.package_id',
      'p.name as package_name',
      't.dp_id',
      'd.name as dp_name',
      'd.is_site_server',
      'v.number',
      't.state',
      't.bytes_done',
      't.bytes_total',
      't.message',
      't.updated_at',
      't.validated_at',
    ]);
  if (filter.packageId !== undefined) q = q.where('t.package_id', '=', filter.packageId);
  if (filter.dpId !== undefined) q = q.where('t.dp_id', '=', filter.dpId);
  const rows = await q
    .orderBy('p.name')
    .orderBy('d.is_site_server', 'desc')
    .orderBy('d.name')
    .execute();
  return rows.map((r) => ({
    packageId: r.package_id,
    packageName: r.package_name,
    dpId: r.dp_id,
    dpName: r.dp_name,
    versionNumber: r.number ?? 0,
    state: checkedState(r),
    bytesDone: Number(r.bytes_done),
    bytesTotal: Number(r.bytes_total),
    message: r.message,
    updatedAt: r.updated_at,
    validatedAt: r.validated_at,
  }));
}

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((1000 * part) / whole) / 10;
}

/** The package status view: DPs targeted, installed, distributing, failed and every row. */
export async function packageContentStatus(
  db: Queryable,
  pkg: PackageRow,
): Promise<PackageContentStatus> {
  const rows = await listContentStatus(db, { packageId: pkg.id });
  const current = pkg.current_version_id ? await findVersion(db, pkg.current_version_id) : null;
  const count = (...states: ContentState[]) => rows.filter((r) => states.includes(r.state)).length;
  const installed = count('installed');
  return {
    packageId: pkg.id,
    versionNumber: current?.number ?? null,
    targeted: rows.length,
    installed,
    distributing: count('pending', 'distributing'),
    failed: count('failed', 'validation-failed'),
    percentComplete: percent(installed, rows.length),
    distributionPoints: rows,
  };
}

/** Report: per package with any target, the share of its DPs that hold the current version. */
export async function dpCompletion(db: Queryable): Promise<DpCompletionRow[]> {
  const rows = await db
    .selectFrom('dp_package as t')
    .innerJoin('software_package as p', 'p.id', 't.package_id')
    .select((eb) => [
      't.package_id',
      'p.name',
      eb.fn.countAll().as('targeted'),
      eb.fn.count(eb.case().when('t.state', '=', 'installed').then(1).end()).as('installed'),
    ])
    .groupBy(['t.package_id', 'p.name'])
    .orderBy('p.name')
    .execute();
  return rows.map((r) => {
    const targeted = toNumber(r.targeted);
    const installed = toNumber(r.installed);
    return {
      packageId: r.package_id,
      packageName: r.name,
      targeted,
      installed,
      percentComplete: percent(installed, targeted),
    };
  });
}

/**
 * Targets DPs with a package's current version; DPs already targeted are left as they are.
 * Returns the DPs newly targeted.
 */
export async function targetDps(
  tx: Queryable,
  opts: { packageId: string; version: VersionRef; dpIds: readonly string[]; at: string },
): Promise<string[]> {
  if (opts.dpIds.length === 0) return [];
  const existing = await tx
    .selectFrom('dp_package')
    .select('dp_id')
    .where('package_id', '=', opts.packageId)
    .where('dp_id', 'in', opts.dpIds)
    .execute();
  const fresh = opts.dpIds.filter((id) => !existing.some((e) => e.dp_id === id));
  if (fresh.length === 0) return [];
  await tx
    .insertInto('dp_package')
    .values(
      fresh.map((dpId) => ({
        dp_id: dpId,
        package_id: opts.packageId,
        installed_version_id: null,
        version_id: opts.version.id,
        state: 'pending',
        bytes_done: 0,
        bytes_total: opts.version.size_bytes,
        message: null,
        updated_at: opts.at,
        validate_requested_at: null,
        validated_at: null,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
  return fresh;
}

/**
 * A package got a new current version: every DP targeting it is to hold that one now. Only rows
 * still on another version change, so the several processes that hear the event agree on one
 * winner per row. Returns the DPs moved.
 */
export async function moveTargetsToVersion(
  tx: Queryable,
  opts: { packageId: string; version: VersionRef; at: string; dpId?: string },
): Promise<string[]> {
  let q = tx
    .updateTable('dp_package')
    .set({
      version_id: opts.version.id,
      state: 'pending',
      bytes_done: 0,
      bytes_total: opts.version.size_bytes,
      message: null,
      updated_at: opts.at,
      validate_requested_at: null,
    })
    .where('package_id', '=', opts.packageId)
    .where('version_id', '!=', opts.version.id);
  if (opts.dpId !== undefined) q = q.where('dp_id', '=', opts.dpId);
  const moved = await q.returning('dp_id').execute();
  return moved.map((r) => r.dp_id);
}

/** Stops targeting a DP with a package; the DP deletes the files at its next poll. */
export async function removeTarget(
  tx: Queryable,
  opts: { dpId: string; packageId: string },
): Promise<void> {
  await tx
    .deleteFrom('dp_package')
    .where('dp_id', '=', opts.dpId)
    .where('package_id', '=', opts.packageId)
    .execute();
}

/** Asks the DPs given (every DP targeted when `dpIds` is omitted) to re-hash a package. */
export async function requestValidation(
  tx: Queryable,
  opts: { packageId: string; dpIds?: readonly string[] | undefined; at: string },
): Promise<void> {
  let q = tx
    .updateTable('dp_package')
    .set({ validate_requested_at: opts.at })
    .where('package_id', '=', opts.packageId);
  if (opts.dpIds !== undefined)
    q = q.where('dp_id', 'in', opts.dpIds.length ? [...opts.dpIds] : ['']);
  await q.execute();
}

/** The site server's own target row of a package, with the DP's id and name. */
export function findSiteServerTarget(db: Queryable, packageId: string) {
  return db
    .selectFrom('dp_package as t')
    .innerJoin('distribution_point as d', 'd.id', 't.dp_id')
    .select(['t.state', 't.version_id', 'd.id', 'd.name'])
    .where('d.is_site_server', '=', 1)
    .where('t.package_id', '=', packageId)
    .executeTakeFirst();
}

/** A DP's target row of a package as a status report needs it, with the package's name. */
export interface ReportedTarget {
  state: ContentState;
  installed_version_id: string | null;
  version_id: string;
  validate_requested_at: string | null;
  package_name: string;
}

export async function findTarget(
  tx: Queryable,
  opts: { dpId: string; packageId: string },
): Promise<ReportedTarget | undefined> {
  const row = await tx
    .selectFrom('dp_package as t')
    .innerJoin('software_package as p', 'p.id', 't.package_id')
    .select([
      't.state',
      't.installed_version_id',
      't.version_id',
      't.validate_requested_at',
      'p.name as package_name',
    ])
    .where('t.dp_id', '=', opts.dpId)
    .where('t.package_id', '=', opts.packageId)
    .executeTakeFirst();
  return (
    row && { ...row, state: checkedState({ ...row, dp_id: opts.dpId, package_id: opts.packageId }) }
  );
}

export async function updateTarget(
  tx: Queryable,
  opts: { dpId: string; packageId: string; values: Updateable<DpPackageTable> },
): Promise<void> {
  await tx
    .updateTable('dp_package')
    .set(opts.values)
    .where('dp_id', '=', opts.dpId)
    .where('package_id', '=', opts.packageId)
    .execute();
}
