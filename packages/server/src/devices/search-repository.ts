import { sql } from 'kysely';
import type { Queryable } from '../db/database.js';
import { containsPattern } from '../db/like.js';

/** A device global search found, and which of its fields matched (ADR 0033). */
export interface DeviceSearchRow {
  id: string;
  name: string;
  ip_addresses: string;
  last_logged_on_user: string | null;
  os_name: string | null;
  revoked_at: string | null;
  /** The serial number, when that is what matched. */
  serial?: string;
}

const COLUMNS = [
  'id',
  'name',
  'ip_addresses',
  'last_logged_on_user',
  'os_name',
  'revoked_at',
] as const;

/**
 * Devices whose name, address or last user contains `text` (case-insensitive), names equal to
 * or starting with it first, live devices before revoked ones; then devices whose machine
 * serial number contains it. At most `limit` of each.
 */
export async function searchDevices(
  db: Queryable,
  text: string,
  limit: number,
): Promise<DeviceSearchRow[]> {
  const pattern = containsPattern(text);
  const lowered = text.toLowerCase();
  const prefix = pattern.slice(1);
  const byFields = await db
    .selectFrom('device')
    .select(COLUMNS)
    .where((eb) =>
      eb.or([
        sql<boolean>`lower(name) like ${pattern} escape '\\'`,
        sql<boolean>`lower(ip_addresses) like ${pattern} escape '\\'`,
        sql<boolean>`lower(coalesce(last_logged_on_user, '')) like ${pattern} escape '\\'`,
        eb('id', '=', text),
      ]),
    )
    .orderBy(
      sql`case when lower(name) = ${lowered} then 0 when lower(name) like ${prefix} escape '\\' then 1 else 2 end`,
    )
    .orderBy(sql`case when revoked_at is null then 0 else 1 end`)
    .orderBy('name')
    .orderBy('id')
    .limit(limit)
    .execute();
  const serials = await serialMatches(db, lowered, pattern, limit);
  if (serials.size === 0) return byFields;
  const bySerial = await db
    .selectFrom('device')
    .select(COLUMNS)
    .where('id', 'in', [...serials.keys()])
    .orderBy('name')
    .execute();
  return [...byFields, ...bySerial.map((r) => ({ ...r, serial: serials.get(r.id) ?? '' }))];
}

/** Device ids whose machine inventory's serial number contains `lowered`, with the serial. */
async function serialMatches(
  db: Queryable,
  lowered: string,
  pattern: string,
  limit: number,
): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('device_inventory')
    .select(['device_id', sql<string>`cast(data as text)`.as('text')])
    .where('class_name', '=', 'machine')
    .where(sql<boolean>`lower(cast(data as text)) like ${pattern} escape '\\'`)
    .limit(limit * 4)
    .execute();
  const found = new Map<string, string>();
  for (const row of rows) {
    const serial = serialOf(row.text);
    if (serial?.toLowerCase().includes(lowered) && found.size < limit)
      found.set(row.device_id, serial);
  }
  return found;
}

/** The serial number in a machine class's stored instances (a JSON array of one object). */
function serialOf(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const first: unknown = Array.isArray(parsed) ? parsed[0] : parsed;
  if (typeof first !== 'object' || first === null) return undefined;
  const serial: unknown = Reflect.get(first, 'serialNumber');
  return typeof serial === 'string' && serial !== '' ? serial : undefined;
}
