import type { CustomComplianceState, CustomUpdateScanResult } from '@steward/protocol';
import type { Queryable } from '../../db/database.js';

/** SQL of custom updates' scan results (ADR 0074). */

const CHUNK = 1000;

async function existingIds(tx: Queryable, ids: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await tx
      .selectFrom('custom_update')
      .select('id')
      .where('id', 'in', ids.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) out.add(r.id);
  }
  return out;
}

/** The time a state was first seen: kept while the state holds, `now` when it starts. */
function since(prior: string | null | undefined, held: boolean, now: string, is: boolean) {
  if (!is) return prior ?? null;
  return held && prior ? prior : now;
}

/**
 * Replaces a device's custom update results with a succeeded scan's (in the report batch's
 * transaction). The site keeps when it first saw each one required and when it first saw it
 * installed (a custom update has no dpkg time of its own). Results naming a custom update
 * deleted since the agent fetched its catalog are dropped.
 */
export async function storeCustomScanResults(
  tx: Queryable,
  deviceId: string,
  results: readonly CustomUpdateScanResult[],
  scannedAt: string,
  receivedAt: string,
): Promise<void> {
  const before = new Map(
    (
      await tx
        .selectFrom('custom_update_compliance')
        .select(['custom_update_id', 'state', 'first_detected_at', 'installed_at'])
        .where('device_id', '=', deviceId)
        .execute()
    ).map((r) => [r.custom_update_id, r]),
  );
  const known = await existingIds(
    tx,
    results.map((r) => r.updateId),
  );
  const rows = results
    .filter((r) => known.has(r.updateId))
    .map((r) => {
      const prior = before.get(r.updateId);
      return {
        device_id: deviceId,
        custom_update_id: r.updateId,
        state: r.state,
        details: JSON.stringify(r.details),
        first_detected_at: since(
          prior?.first_detected_at,
          prior?.state === 'required',
          receivedAt,
          r.state === 'required',
        ),
        installed_at:
          r.state === 'installed'
            ? since(prior?.installed_at, prior?.state === 'installed', receivedAt, true)
            : null,
        scanned_at: scannedAt,
      };
    });
  await tx.deleteFrom('custom_update_compliance').where('device_id', '=', deviceId).execute();
  for (let i = 0; i < rows.length; i += CHUNK)
    await tx
      .insertInto('custom_update_compliance')
      .values(rows.slice(i, i + CHUNK))
      .execute();
}

/** Per state, the devices (not revoked) whose scans reported the custom update; and all devices. */
export async function customComplianceCounts(
  db: Queryable,
  updateId: string,
): Promise<{ byState: Map<string, number>; devices: number }> {
  const rows = await db
    .selectFrom('custom_update_compliance as c')
    .innerJoin('device as d', 'd.id', 'c.device_id')
    .where('c.custom_update_id', '=', updateId)
    .where('d.revoked_at', 'is', null)
    .select(['c.state', (eb) => eb.fn.countAll<number | string>().as('n')])
    .groupBy('c.state')
    .execute();
  const all = await db
    .selectFrom('device')
    .where('revoked_at', 'is', null)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirst();
  return {
    byState: new Map(rows.map((r) => [r.state, Number(r.n)])),
    devices: Number(all?.n ?? 0),
  };
}

export async function customUpdateDeviceRows(
  db: Queryable,
  updateId: string,
  q: { state?: CustomComplianceState; offset: number; limit: number },
) {
  let base = db
    .selectFrom('custom_update_compliance as c')
    .innerJoin('device as d', 'd.id', 'c.device_id')
    .where('c.custom_update_id', '=', updateId)
    .where('d.revoked_at', 'is', null);
  if (q.state !== undefined) base = base.where('c.state', '=', q.state);
  const total = await base
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirst();
  const rows = await base
    .select([
      'c.device_id',
      'd.name as device_name',
      'c.state',
      'c.details',
      'c.installed_at',
      'c.first_detected_at',
      'c.scanned_at',
    ])
    .orderBy('d.name')
    .orderBy('c.device_id')
    .offset(q.offset)
    .limit(q.limit)
    .execute();
  return { rows, total: Number(total?.n ?? 0) };
}
