import {
  ErrorCode,
  validateQuery,
  type CollectionDefinition,
  type CollectionRule,
  type InventoryClassShape,
  AppError,
  ConflictError,
  InputError,
} from '@steward/protocol';
import type { Queryable } from '../db/database.js';
import { findCycle, type CollectionNode } from './graph.js';
import { existingDeviceIds } from '../devices/repository.js';
import { existingCollectionIds, listCollectionRows, nameTaken, toNode } from './repository.js';

/** Ids per lookup statement: well inside both databases' parameter limits. */
const LOOKUP_CHUNK = 500;

/** Which of `ids` exist, asking `lookup` a chunk at a time. */
async function existing(
  ids: readonly string[],
  lookup: (chunk: readonly string[]) => Promise<Set<string>>,
): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += LOOKUP_CHUNK)
    for (const id of await lookup(ids.slice(i, i + LOOKUP_CHUNK))) found.add(id);
  return found;
}

/** A reference that names nothing: 404 with the rule it came from, for the console to highlight. */
class MissingReferenceError extends AppError {
  constructor(message: string, details: { ruleIndex: number | null; id: string }) {
    super(404, ErrorCode.NOT_FOUND, message, details);
  }
}

/**
 * Checks rules before anything is written: every query parses and type-checks against the
 * catalog (QUERY_SYNTAX / QUERY_TYPE, details = the QueryError plus `ruleIndex`), and every
 * device and collection a rule or the limit names exists (NOT_FOUND).
 */
export async function validateRules(
  db: Queryable,
  def: { rules: readonly CollectionRule[]; limitingCollectionId?: string | null | undefined },
  catalog: readonly InventoryClassShape[],
): Promise<void> {
  const devices: [string, number][] = [];
  const collections: [string, number | null][] = [];
  for (const [index, rule] of def.rules.entries()) {
    switch (rule.kind) {
      case 'query': {
        const result = validateQuery(rule.query, catalog);
        if (!result.ok) {
          const { code, ...error } = result.error;
          throw new InputError(code, `rule ${index + 1}: ${error.message}`, {
            ...error,
            ruleIndex: index,
          });
        }
        break;
      }
      case 'direct':
        devices.push([rule.deviceId, index]);
        break;
      case 'include':
      case 'exclude':
        collections.push([rule.collectionId, index]);
        break;
    }
  }
  if (def.limitingCollectionId) collections.push([def.limitingCollectionId, null]);
  const foundDevices = await existing(
    devices.map(([id]) => id),
    (ids) => existingDeviceIds(db, { ids }),
  );
  for (const [id, index] of devices) {
    if (!foundDevices.has(id))
      throw new MissingReferenceError(`rule ${index + 1}: device "${id}" does not exist`, {
        ruleIndex: index,
        id,
      });
  }
  const foundCollections = await existing(
    collections.map(([id]) => id),
    (ids) => existingCollectionIds(db, { ids }),
  );
  for (const [id, index] of collections) {
    if (foundCollections.has(id)) continue;
    const where = index === null ? 'limiting collection' : `rule ${index + 1}: collection`;
    throw new MissingReferenceError(`${where} "${id}" does not exist`, { ruleIndex: index, id });
  }
}

/**
 * Everything a saved definition must satisfy: a free name, valid rules and references, and no
 * dependency cycle through limiting/include/exclude (a collection cannot contain itself).
 */
export async function validateDefinition(
  db: Queryable,
  def: CollectionDefinition,
  opts: { selfId: string; catalog: readonly InventoryClassShape[] },
): Promise<void> {
  if (await nameTaken(db, { name: def.name, exceptId: opts.selfId })) {
    throw new ConflictError(
      ErrorCode.COLLECTION_NAME_TAKEN,
      `a collection named "${def.name}" already exists`,
    );
  }
  await validateRules(db, def, opts.catalog);
  const rows = await listCollectionRows(db);
  const self: CollectionNode = {
    id: opts.selfId,
    limitingCollectionId: def.limitingCollectionId ?? null,
    rules: def.rules,
  };
  const nodes = [...rows.filter((r) => r.id !== opts.selfId).map(toNode), self];
  const cycle = findCycle(nodes, opts.selfId);
  if (cycle) {
    const names = new Map(rows.map((r) => [r.id, r.name]));
    names.set(opts.selfId, def.name);
    const path = cycle.map((id) => `"${names.get(id) ?? id}"`).join(' -> ');
    throw new InputError(
      ErrorCode.COLLECTION_CYCLE,
      `the collection would depend on itself: ${path}`,
      { cycle },
    );
  }
}
