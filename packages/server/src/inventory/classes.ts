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

const catalogs = new WeakMap<SiteContext, Promise<ReadonlyMap<string, InventoryClassShape>>>();
const watched = new WeakSet<SiteContext>();

/**
 * The class catalog by name, for the ingest hot path: read once, and again after a change of
 * custom classes (every change bumps the policy and publishes 'policy-changed' to all processes).
 */
export function cachedClassCatalog(
  ctx: SiteContext,
): Promise<ReadonlyMap<string, InventoryClassShape>> {
  if (!watched.has(ctx)) {
    watched.add(ctx);
    ctx.bus.subscribe('policy-changed', () => catalogs.delete(ctx));
  }
  let catalog = catalogs.get(ctx);
  if (!catalog) {
    catalog = loadClassCatalog(ctx).then((list) => new Map(list.map((c) => [c.name, c])));
    // A failed read is not cached: the next report tries again.
    void catalog.catch(() => catalogs.delete(ctx));
    catalogs.set(ctx, catalog);
  }
  return catalog;
}
