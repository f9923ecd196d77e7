import { Value } from '@sinclair/typebox/value';
import {
  BUILTIN_CLASSES,
  CustomClassDefinition,
  customClassShape,
  type InventoryClassShape,
} from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { parseJsonColumn } from '../db/database.js';

/** Custom inventory class definitions as stored (validated again on read: never trust a row blindly). */
export async function loadCustomClasses(ctx: SiteContext): Promise<CustomClassDefinition[]> {
  const rows = await ctx.db.kysely
    .selectFrom('inventory_class')
    .select(['name', 'definition'])
    .orderBy('name')
    .execute();
  const out: CustomClassDefinition[] = [];
  for (const row of rows) {
    const def: unknown = parseJsonColumn(row.definition);
    if (Value.Check(CustomClassDefinition, def)) out.push(def);
    else
      ctx.log.warn(
        { class: row.name },
        'stored inventory class does not match its schema; ignored',
      );
  }
  return out;
}

/** Every class the query language knows: built-in and custom. */
export async function loadClassCatalog(ctx: SiteContext): Promise<InventoryClassShape[]> {
  const custom = await loadCustomClasses(ctx);
  return [...BUILTIN_CLASSES, ...custom.map(customClassShape)];
}
