import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type Selectable,
  type SqlBool,
} from 'kysely';
import type { Queryable } from '../db/database.js';
import type { Database, DiscoveredCollectionRuleTable } from '../db/tables/index.js';
import type { RuleMatch } from './member-rules.js';

export type RuleRow = Selectable<DiscoveredCollectionRuleTable>;

export async function rulesOf(db: Queryable, collectionId: string): Promise<RuleRow[]> {
  return db
    .selectFrom('discovered_collection_rule')
    .selectAll()
    .where('collection_id', '=', collectionId)
    .orderBy('added_at')
    .orderBy('id')
    .execute();
}

export async function insertRule(db: Queryable, row: RuleRow): Promise<void> {
  await db.insertInto('discovered_collection_rule').values(row).execute();
}

/** False when the collection has no such rule. */
export async function deleteRule(
  db: Queryable,
  m: { collectionId: string; id: string },
): Promise<boolean> {
  const r = await db
    .deleteFrom('discovered_collection_rule')
    .where('collection_id', '=', m.collectionId)
    .where('id', '=', m.id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

type MachineEb = ExpressionBuilder<Database & { m: Database['discovered_machine'] }, 'm'>;

/** The condition a rule puts on `discovered_machine as m` (the same SQL on both dialects). */
export function ruleCondition(eb: MachineEb, r: RuleMatch): Expression<SqlBool> {
  switch (r.kind) {
    case 'subnet':
      return eb.between('m.address_key', r.firstKey, r.lastKey);
    case 'host-name':
      return sql<SqlBool>`lower(${eb.ref('m.dns_name')}) like ${r.like} escape '\\'`;
    case 'os':
      return sql<SqlBool>`lower(${eb.ref('m.os_guess')}) like ${r.like} escape '\\'`;
  }
}

/** How many discovered machines a rule matches now. */
export async function countMatching(db: Queryable, r: RuleMatch): Promise<number> {
  const row = await db
    .selectFrom('discovered_machine as m')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where((eb) => ruleCondition(eb, r))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
