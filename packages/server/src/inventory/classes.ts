import {
  BUILTIN_CLASSES,
  CustomClassDefinition,
  customClassShape,
  type InventoryClassShape,
} from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { CorruptRowError, parseJsonColumn } from '../db/corrupt-row.js';
import { customClassRows } from './repository.js';

/** Custom inventory class definitions as stored (validated again on read: never trust a row blindly). */
export async function loadCustomClasses(ctx: SiteContext): Promise<CustomClassDefinition[]> {
  const rows = await customClassRows(ctx.db.kysely);
  const out: CustomClassDefinition[] = [];
  for (const row of rows) {
    // One corrupt class must not stop every device's inventory: it is left out, loudly.
    try {
      out.push(
        parseJsonColumn(CustomClassDefinition, row.definition, {
          table: 'inventory_class',
          id: row.name,
          column: 'definition',
        }),
      );
    } catch (err) {
      if (!(err instanceof CorruptRowError)) throw err;
      ctx.log.error({ class: row.name, err }, `${err.message}; class ignored`);
    }
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
