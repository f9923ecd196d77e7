import { deviceNames } from '../devices/repository.js';
import type { Queryable } from '../db/database.js';
import type { MachineWithDevice } from './repository.js';

/** Includes discovered machines in a collection; those already included are left as they are. */
export async function addCollectionMembers(
  db: Queryable,
  m: { collectionId: string; addresses: readonly string[]; at: string; by: string },
): Promise<void> {
  if (m.addresses.length === 0) return;
  await db
    .insertInto('discovered_collection_member')
    .values(
      m.addresses.map((address) => ({
        collection_id: m.collectionId,
        address,
        added_at: m.at,
        added_by: m.by,
      })),
    )
    .onConflict((oc) => oc.columns(['collection_id', 'address']).doNothing())
    .execute();
}

/** Removes one; false when it was not a member. */
export async function removeCollectionMember(
  db: Queryable,
  m: { collectionId: string; address: string },
): Promise<boolean> {
  const r = await db
    .deleteFrom('discovered_collection_member')
    .where('collection_id', '=', m.collectionId)
    .where('address', '=', m.address)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** The discovered machines a collection includes, with the device each is linked to (if any). */
export function collectionMachines(
  db: Queryable,
  collectionId: string,
): Promise<MachineWithDevice[]> {
  return db
    .selectFrom('discovered_collection_member as c')
    .innerJoin('discovered_machine as m', 'm.address', 'c.address')
    .leftJoin(deviceNames(db).as('d'), 'd.id', 'm.device_id')
    .selectAll('m')
    .select('d.name as device_name')
    .where('c.collection_id', '=', collectionId)
    .orderBy('m.address_key')
    .execute();
}
