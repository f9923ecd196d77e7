import { deviceNames } from '../devices/repository.js';
import type { Queryable } from '../db/database.js';
import { parseRule } from './member-rules.js';
import { ruleCondition, rulesOf } from './member-rules-repository.js';
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

/** A discovered machine a collection includes, and how: by address, by which of its rules. */
export type CollectionMachine = MachineWithDevice & { byAddress: boolean; byRules: string[] };

/**
 * The discovered machines a collection includes, with the device each is linked to (if any):
 * those included by address, and those its rules match now (ADR 0038: rules are evaluated on
 * read, so a sweep's new or changed results count at once). Each says how it is included, in the
 * same query, so Remove is offered (and accepted) only for inclusions by address.
 */
export async function collectionMachines(
  db: Queryable,
  collectionId: string,
  only?: { address: string },
): Promise<CollectionMachine[]> {
  const rules = (await rulesOf(db, collectionId)).flatMap((r) => {
    const p = parseRule(r.kind, r.value);
    return p.ok ? [{ id: r.id, match: p.match }] : [];
  });
  const rows = await db
    .selectFrom('discovered_machine as m')
    .leftJoin(deviceNames(db).as('d'), 'd.id', 'm.device_id')
    .selectAll('m')
    .select('d.name as device_name')
    .select((eb) => [
      eb
        .case()
        .when(
          eb.exists(
            eb
              .selectFrom('discovered_collection_member as c')
              .select('c.address')
              .where('c.collection_id', '=', collectionId)
              .whereRef('c.address', '=', 'm.address'),
          ),
        )
        .then(eb.lit(1))
        .else(eb.lit(0))
        .end()
        .as('by_address'),
      ...rules.map((r, i) =>
        eb
          .case()
          .when(ruleCondition(eb, r.match))
          .then(eb.lit(1))
          .else(eb.lit(0))
          .end()
          .as(`rule_${String(i)}`),
      ),
    ])
    .where((eb) =>
      eb.or([
        eb(
          'm.address',
          'in',
          eb
            .selectFrom('discovered_collection_member as c')
            .select('c.address')
            .where('c.collection_id', '=', collectionId),
        ),
        ...rules.map((r) => ruleCondition(eb, r.match)),
      ]),
    )
    .$if(only !== undefined, (q) => q.where('m.address', '=', only?.address ?? ''))
    .orderBy('m.address_key')
    .execute();
  return rows.map((row) => ({
    ...row,
    byAddress: row.by_address === 1,
    byRules: rules.filter((_, i) => row[`rule_${String(i)}`] === 1).map((r) => r.id),
  }));
}
