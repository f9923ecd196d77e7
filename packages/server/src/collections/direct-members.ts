import { ConflictError, ErrorCode, NotFoundError, type CollectionRule } from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { nowIso } from '../context.js';
import type { Tx } from '../db/database.js';
import * as repo from './repository.js';

/** The most rules a definition holds (the definition schema's `maxItems`). */
export const MAX_COLLECTION_RULES = 10_000;

export interface DirectMemberChange {
  /** Device ids to add as direct members (`direct` rules). */
  add: readonly string[];
  /** Device ids whose `direct` rule to remove. */
  remove: readonly string[];
}

export interface DirectMemberOutcome {
  collection: { id: string; name: string };
  /** Changed: added, or removed. */
  changed: string[];
  /** Added but already a direct member. */
  alreadyMembers: string[];
  /** Removed but not a direct member. */
  notDirectMembers: string[];
}

/**
 * Adds or removes direct members of a collection as ONE new revision, inside `tx` (the caller's
 * transaction, which also writes its audit entry). Refused for built-ins, and when the rules
 * would exceed the definition's limit; nothing is written then. The caller evaluates afterwards.
 */
export async function changeDirectMembers(
  ctx: SiteContext,
  tx: Tx,
  o: { collection: string; change: DirectMemberChange; by: string },
): Promise<DirectMemberOutcome> {
  const found = await repo.findCollection(tx, o.collection);
  if (!found) throw new NotFoundError('collection', o.collection);
  const row = await repo.lockCollection(tx, { id: found.id, dialect: ctx.db.dialect });
  if (!row) throw new NotFoundError('collection', o.collection);
  if (row.builtin === 1)
    throw new ConflictError(
      ErrorCode.COLLECTION_BUILTIN,
      `"${row.name}" is a built-in collection and cannot be changed`,
    );
  const def = repo.definitionOf(row);
  const direct = new Set(def.rules.flatMap((r) => (r.kind === 'direct' ? [r.deviceId] : [])));
  const changed: string[] = [];
  const alreadyMembers: string[] = [];
  const notDirectMembers: string[] = [];
  const added: CollectionRule[] = [];
  for (const id of o.change.add) {
    if (direct.has(id)) alreadyMembers.push(id);
    else {
      direct.add(id);
      changed.push(id);
      added.push({ kind: 'direct', deviceId: id });
    }
  }
  const removing = new Set<string>();
  for (const id of o.change.remove) {
    if (direct.has(id) && !removing.has(id)) {
      removing.add(id);
      changed.push(id);
    } else notDirectMembers.push(id);
  }
  const collection = { id: row.id, name: row.name };
  if (changed.length === 0) return { collection, changed, alreadyMembers, notDirectMembers };
  const rules = [
    ...def.rules.filter((r) => r.kind !== 'direct' || !removing.has(r.deviceId)),
    ...added,
  ];
  if (rules.length > MAX_COLLECTION_RULES)
    throw new ConflictError(
      ErrorCode.BULK_TOO_MANY,
      `"${row.name}" would have ${rules.length} rules; a collection holds at most ${MAX_COLLECTION_RULES} (use a query rule instead)`,
      { rules: rules.length, max: MAX_COLLECTION_RULES },
    );
  const definition = { ...def, rules };
  const at = nowIso(ctx);
  const revision = row.revision + 1;
  await repo.updateCollectionDefinition(tx, { id: row.id, definition, revision, at });
  await repo.insertRevision(tx, { collectionId: row.id, revision, at, by: o.by, definition });
  return { collection, changed, alreadyMembers, notDirectMembers };
}
