import type { Queryable } from '../db/database.js';
import { matchingMachines } from './repository.js';

/** What a bulk action needs of each discovered machine it acts on. */
export interface MachineTarget {
  address: string;
  /** The enrolled device this machine is (it has an agent), if any. */
  device_id: string | null;
}

/** Every machine the list's filter matches, up to `limit` (one statement, the list's own query). */
export async function machineTargetsMatching(
  db: Queryable,
  o: { filter: { search?: string | undefined; hasAgent?: boolean | undefined }; limit: number },
): Promise<MachineTarget[]> {
  return matchingMachines(db, o.filter)
    .select(['m.address', 'd.id as device_id'])
    .orderBy('m.address_key')
    .limit(o.limit)
    .execute();
}

/** These addresses' machines (one statement; the caller chunks). */
export async function machineTargetsByAddress(
  db: Queryable,
  addresses: readonly string[],
): Promise<MachineTarget[]> {
  if (addresses.length === 0) return [];
  return matchingMachines(db, {})
    .select(['m.address', 'd.id as device_id'])
    .where('m.address', 'in', [...addresses])
    .execute();
}

/** Which of these addresses the collection already includes by address. */
export async function membersAmong(
  db: Queryable,
  o: { collectionId: string; addresses: readonly string[] },
): Promise<string[]> {
  if (o.addresses.length === 0) return [];
  const rows = await db
    .selectFrom('discovered_collection_member')
    .select('address')
    .where('collection_id', '=', o.collectionId)
    .where('address', 'in', [...o.addresses])
    .execute();
  return rows.map((r) => r.address);
}

/** Forgets these machines and their inclusion in collections; how many were forgotten. */
export async function forgetMachines(db: Queryable, addresses: readonly string[]): Promise<number> {
  if (addresses.length === 0) return 0;
  await db
    .deleteFrom('discovered_collection_member')
    .where('address', 'in', [...addresses])
    .execute();
  const r = await db
    .deleteFrom('discovered_machine')
    .where('address', 'in', [...addresses])
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
