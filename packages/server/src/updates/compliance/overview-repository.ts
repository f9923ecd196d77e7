import { sql } from 'kysely';
import type { UpdateClassification } from '@steward/protocol';
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

/** Device × current-update pairs installed or required, per update and state. */
export async function currentPairCounts(db: Queryable, cv: number): Promise<PairCount[]> {
  const fromScans = await db
    .selectFrom('update_compliance as c')
    .innerJoin('device as d', 'd.id', 'c.device_id')
    .innerJoin('update_scan as s', 's.device_id', 'd.id')
    .innerJoin('software_update as u', 'u.id', 'c.update_id')
    .where('d.revoked_at', 'is', null)
    .where('u.superseded_at', 'is', null)
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
    .where('u.superseded_at', 'is', null)
    .where(sql<boolean>`not coalesce(${scannedCurrent(cv)}, false)`)
    .select(['a.update_id as update_id', 'a.state as state'])
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .groupBy(['a.update_id', 'a.state'])
    .execute();
  return [...fromScans, ...fromInventory].flatMap((r) =>
    r.state === 'installed' || r.state === 'required'
      ? [{ updateId: r.update_id, state: r.state, n: Number(r.n) }]
      : [],
  );
}

/** Devices (not revoked), and those needing at least one current update. */
export async function deviceTotals(
  db: Queryable,
  cv: number,
): Promise<{ devices: number; requiring: number }> {
  const all = await db
    .selectFrom('device')
    .where('revoked_at', 'is', null)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirst();
  const scanned = await db
    .selectFrom('device as d')
    .innerJoin('update_scan as s', 's.device_id', 'd.id')
    .where('d.revoked_at', 'is', null)
    .where(scannedCurrent(cv))
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('update_compliance as c')
          .innerJoin('software_update as u', 'u.id', 'c.update_id')
          .whereRef('c.device_id', '=', 'd.id')
          .where('c.state', '=', 'required')
          .where('u.superseded_at', 'is', null)
          .select('c.update_id'),
      ),
    )
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirst();
  const inventoried = await db
    .selectFrom('device as d')
    .leftJoin('update_scan as s', 's.device_id', 'd.id')
    .where('d.revoked_at', 'is', null)
    .where(sql<boolean>`not coalesce(${scannedCurrent(cv)}, false)`)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('update_applicability as a')
          .innerJoin('software_update as u', 'u.id', 'a.update_id')
          .whereRef('a.set_id', '=', 'd.package_set_id')
          .where('a.state', '=', 'required')
          .where('u.superseded_at', 'is', null)
          .select('a.update_id'),
      ),
    )
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirst();
  return {
    devices: Number(all?.n ?? 0),
    requiring: Number(scanned?.n ?? 0) + Number(inventoried?.n ?? 0),
  };
}

export interface CurrentUpdate {
  id: string;
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
    package: r.package,
    version: r.version,
    classification: checkRow('software_update', r.id, { classification: r.classification })
      .classification,
    sourceId: r.source_id,
    sourceName: r.source_name,
  }));
}
