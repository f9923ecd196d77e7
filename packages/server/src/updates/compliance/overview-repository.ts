import { sql } from 'kysely';
import {
  CUSTOM_UPDATES_SOURCE_KEY,
  type UpdateClassification,
  type UpdateSeverity,
} from '@steward/protocol';
import type { Queryable } from '../../db/database.js';
import { checkRow } from '../../db/corrupt-row.js';

/**
 * The fleet-wide compliance reads of the dashboard (SQL only). As everywhere in compliance, a
 * device that scanned the current catalog answers from its scan, any other from its package
 * set's applicability (ADR 0047); the two sets of devices are disjoint, so their counts add.
 */

export interface PairCount {
  updateId: string;
  state: 'installed' | 'required';
  n: number;
}

const scannedCurrent = (cv: number) =>
  sql<boolean>`(s.state = 'succeeded' and s.catalog_version = ${cv})`;

/**
 * Device × update pairs installed or required, per update and state (custom too): of the
 * current updates, or of the updates `only` names whether current or not (the catalog list's
 * columns).
 */
export async function currentPairCounts(
  db: Queryable,
  cv: number,
  only?: readonly string[],
): Promise<PairCount[]> {
  if (only?.length === 0) return [];
  const fromScans = await db
    .selectFrom('update_compliance as c')
    .innerJoin('device as d', 'd.id', 'c.device_id')
    .innerJoin('update_scan as s', 's.device_id', 'd.id')
    .innerJoin('software_update as u', 'u.id', 'c.update_id')
    .where('d.revoked_at', 'is', null)
    .where((eb) => (only ? eb('u.id', 'in', only) : eb('u.superseded_at', 'is', null)))
    .where(scannedCurrent(cv))
    .where('c.state', 'in', ['installed', 'required'])
    .select(['c.update_id as update_id', 'c.state as state'])
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .groupBy(['c.update_id', 'c.state'])
    .execute();
  const fromInventory = await db
    .selectFrom('device as d')
    .innerJoin('update_applicability as a', 'a.set_id', 'd.package_set_id')
    .innerJoin('software_update as u', 'u.id', 'a.update_id')
    .leftJoin('update_scan as s', 's.device_id', 'd.id')
    .where('d.revoked_at', 'is', null)
    .where((eb) => (only ? eb('u.id', 'in', only) : eb('u.superseded_at', 'is', null)))
    .where(sql<boolean>`not coalesce(${scannedCurrent(cv)}, false)`)
    .select(['a.update_id as update_id', 'a.state as state'])
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .groupBy(['a.update_id', 'a.state'])
    .execute();
  // Custom updates (ADR 0083): from the devices' scans of their rules only.
  const fromCustom = await db
    .selectFrom('custom_update_compliance as c')
    .innerJoin('device as d', 'd.id', 'c.device_id')
    .where('d.revoked_at', 'is', null)
    .where('c.state', 'in', ['installed', 'required'])
    .$if(only !== undefined, (q) => q.where('c.custom_update_id', 'in', only ?? []))
    .select(['c.custom_update_id as update_id', 'c.state as state'])
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .groupBy(['c.custom_update_id', 'c.state'])
    .execute();
  return [...fromScans, ...fromInventory, ...fromCustom].flatMap((r) =>
    r.state === 'installed' || r.state === 'required'
      ? [{ updateId: r.update_id, state: r.state, n: Number(r.n) }]
      : [],
  );
}

/** The device `d` needs a current catalog update, by its scan of the current catalog. */
const requiredByScan = sql<boolean>`exists (select 1 from update_compliance c
  join software_update u on u.id = c.update_id
  where c.device_id = d.id and c.state = 'required' and u.superseded_at is null)`;
/** ... by its inventoried package set's applicability. */
const requiredByInventory = sql<boolean>`exists (select 1 from update_applicability a
  join software_update u on u.id = a.update_id
  where a.set_id = d.package_set_id and a.state = 'required' and u.superseded_at is null)`;
/** ... a custom update, by its own scan of the rules (ADR 0083: there is no inventory basis). */
const requiredCustom = sql<boolean>`exists (select 1 from custom_update_compliance c
  where c.device_id = d.id and c.state = 'required')`;

/**
 * Devices (not revoked), and those needing at least one current update: a catalog update from
 * the device's basis (its scan or its inventory), or a custom update.
 */
export async function deviceTotals(
  db: Queryable,
  cv: number,
): Promise<{ devices: number; requiring: number }> {
  const all = await db
    .selectFrom('device')
    .where('revoked_at', 'is', null)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirst();
  const requiring = await db
    .selectFrom('device as d')
    .leftJoin('update_scan as s', 's.device_id', 'd.id')
    .where('d.revoked_at', 'is', null)
    .where(
      sql<boolean>`((${scannedCurrent(cv)} and ${requiredByScan})
        or (not coalesce(${scannedCurrent(cv)}, false) and ${requiredByInventory})
        or ${requiredCustom})`,
    )
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirst();
  return { devices: Number(all?.n ?? 0), requiring: Number(requiring?.n ?? 0) };
}

export interface CurrentUpdate {
  id: string;
  kind: 'apt' | 'custom';
  package: string;
  version: string;
  classification: UpdateClassification;
  sourceId: string;
  sourceName: string;
}

/** The current (not superseded) updates with their source. */
export async function currentUpdates(db: Queryable): Promise<CurrentUpdate[]> {
  const rows = await db
    .selectFrom('software_update as u')
    .innerJoin('update_source as s', 's.id', 'u.source_id')
    .where('u.superseded_at', 'is', null)
    .select([
      'u.id',
      'u.package',
      'u.version',
      'u.classification',
      'u.source_id',
      's.name as source_name',
    ])
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: 'apt' as const,
    package: r.package,
    version: r.version,
    classification: checkRow('software_update', r.id, { classification: r.classification })
      .classification,
    sourceId: r.source_id,
    sourceName: r.source_name,
  }));
}

/** The custom updates, as current updates of the overview (severity their own). */
export async function customUpdatesOfOverview(
  db: Queryable,
): Promise<(CurrentUpdate & { severity: UpdateSeverity })[]> {
  const rows = await db
    .selectFrom('custom_update')
    .select(['id', 'vendor', 'product', 'version', 'classification', 'severity'])
    .execute();
  return rows.map((r) => {
    const checked = checkRow('custom_update', r.id, {
      classification: r.classification,
      severity: r.severity,
    });
    return {
      id: r.id,
      kind: 'custom' as const,
      package: `${r.vendor} ${r.product}`,
      version: r.version,
      classification: checked.classification,
      severity: checked.severity,
      sourceId: CUSTOM_UPDATES_SOURCE_KEY,
      sourceName: 'Custom updates',
    };
  });
}
