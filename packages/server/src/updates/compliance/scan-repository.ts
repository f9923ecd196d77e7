import type { UpdateScanReport } from '@steward/protocol';
import type { Queryable } from '../../db/database.js';
import { storeCustomScanResults } from '../custom/compliance-repository.js';

const CHUNK = 1000;

async function existingUpdateIds(tx: Queryable, ids: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await tx
      .selectFrom('software_update')
      .select('id')
      .where('id', 'in', ids.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) out.add(r.id);
  }
  return out;
}

/**
 * Stores a device's scan reports (outbox items `update-scan:report`), in the report batch's
 * transaction: the device's latest scan, and for a succeeded one its results replacing the
 * previous ones. Idempotent: a report at or below the stored sequence number is already applied
 * (or older than what is). The site keeps when it first saw each update required on the device.
 * Results naming updates the catalog no longer holds (deleted since the agent's fetch) are
 * dropped: there is nothing left to be compliant with.
 */
export async function storeUpdateScans(
  tx: Queryable,
  deviceId: string,
  reports: readonly { seq: number; body: UpdateScanReport }[],
  receivedAt: string,
): Promise<void> {
  for (const { seq, body } of reports) {
    const last = await tx
      .selectFrom('update_scan')
      .select('report_seq')
      .where('device_id', '=', deviceId)
      .executeTakeFirst();
    if (last && Number(last.report_seq) >= seq) continue;
    const failed = body.error !== undefined;
    const scan = {
      catalog_version: body.catalogVersion,
      kind: body.kind,
      state: failed ? ('failed' as const) : ('succeeded' as const),
      error: body.error ?? null,
      started_at: body.startedAt,
      finished_at: body.finishedAt,
      received_at: receivedAt,
      report_seq: seq,
    };
    await tx
      .insertInto('update_scan')
      .values({ device_id: deviceId, ...scan })
      .onConflict((oc) => oc.column('device_id').doUpdateSet(scan))
      .execute();
    if (failed) continue;
    // An agent older than ADR 0074 sends no custom results: what the site holds stays.
    if (body.custom !== undefined)
      await storeCustomScanResults(tx, deviceId, body.custom, body.finishedAt, receivedAt);
    const before = new Map(
      (
        await tx
          .selectFrom('update_compliance')
          .select(['update_id', 'state', 'first_detected_at'])
          .where('device_id', '=', deviceId)
          .execute()
      ).map((r) => [r.update_id, r]),
    );
    const known = await existingUpdateIds(
      tx,
      body.results.map((r) => r.updateId),
    );
    const rows = body.results
      .filter((r) => known.has(r.updateId))
      .map((r) => {
        const prior = before.get(r.updateId);
        const firstDetected =
          r.state === 'required'
            ? prior?.state === 'required' && prior.first_detected_at
              ? prior.first_detected_at
              : receivedAt
            : (prior?.first_detected_at ?? null);
        return {
          device_id: deviceId,
          update_id: r.updateId,
          state: r.state,
          hold: r.hold ?? null,
          installed_at: r.installedAt ?? null,
          first_detected_at: firstDetected,
          scanned_at: body.finishedAt,
        };
      });
    await tx.deleteFrom('update_compliance').where('device_id', '=', deviceId).execute();
    // 7 parameters a row: 1,000 rows a statement stay below both dialects' limits.
    for (let i = 0; i < rows.length; i += CHUNK)
      await tx
        .insertInto('update_compliance')
        .values(rows.slice(i, i + CHUNK))
        .execute();
  }
}
