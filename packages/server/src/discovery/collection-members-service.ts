import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  ErrorCode,
  InputError,
  NotFoundError,
  type AddDiscoveredMemberRuleRequest,
  type DiscoveredCollectionMember,
  type DiscoveredMemberRule,
} from '@steward/protocol';
import { authorize, nowIso, type Actor, type SiteContext } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { findCollection } from '../collections/repository.js';
import { inTransaction } from '../db/database.js';
import {
  addCollectionMembers,
  collectionMachines,
  removeCollectionMember,
} from './collection-members-repository.js';
import { parseRule } from './member-rules.js';
import {
  countMatching,
  deleteRule,
  insertRule,
  rulesOf,
  type RuleRow,
} from './member-rules-repository.js';
import { knownMachineAddresses } from './repository.js';
import { toMachine } from './service.js';

/**
 * Discovered machines as collection members (ADR 0030): direct inclusions by address, a second
 * member kind beside the devices a collection's rules select. Client push to a collection
 * targets those with no agent; the collection's page lists them. Nothing else reads them: a
 * machine with no agent cannot be deployed to or given policy.
 */
export class DiscoveredMembersService {
  constructor(private readonly ctx: SiteContext) {}

  private async collectionId(idOrName: string): Promise<string> {
    const c = await findCollection(this.ctx.db.kysely, idOrName);
    if (!c) throw new NotFoundError('collection', idOrName, ErrorCode.COLLECTION_NOT_FOUND);
    return c.id;
  }

  async list(actor: Actor, collection: string): Promise<DiscoveredCollectionMember[]> {
    authorize(actor, 'read');
    const id = await this.collectionId(collection);
    return (await collectionMachines(this.ctx.db.kysely, id)).map((m) => ({
      ...toMachine(m),
      byAddress: m.byAddress,
      byRules: m.byRules,
    }));
  }

  /** Every address must be a discovered machine; audited. */
  async add(
    actor: Actor,
    collection: string,
    addresses: string[],
  ): Promise<DiscoveredCollectionMember[]> {
    authorize(actor, 'collections:write');
    const id = await this.collectionId(collection);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      const known = await knownMachineAddresses(tx, addresses);
      const unknown = addresses.filter((a) => !known.has(a));
      if (unknown.length > 0)
        throw new NotFoundError(
          'discovered machine',
          unknown.slice(0, 5).join(', '),
          ErrorCode.DISCOVERY_MACHINE_NOT_FOUND,
        );
      await addCollectionMembers(tx, { collectionId: id, addresses, at, by: actor.userName });
      await writeAudit(tx, actor, at, {
        action: 'collection.discovered-members.add',
        targetType: 'collection',
        targetId: id,
        details: { addresses },
      });
    });
    return this.list(actor, id);
  }

  async remove(actor: Actor, collection: string, address: string): Promise<void> {
    authorize(actor, 'collections:write');
    const id = await this.collectionId(collection);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      if (!(await removeCollectionMember(tx, { collectionId: id, address }))) {
        const [byRule] = await collectionMachines(tx, id, { address });
        if (byRule !== undefined)
          throw new ConflictError(
            ErrorCode.DISCOVERY_MEMBER_INCLUDED_BY_RULE,
            `${address} is included by ${byRule.byRules.length === 1 ? 'a rule' : 'rules'} of this collection, not by its address: remove or narrow the rule to leave it out`,
            { rules: byRule.byRules },
          );
        throw new NotFoundError(
          'discovered member',
          address,
          ErrorCode.DISCOVERY_MACHINE_NOT_FOUND,
        );
      }
      await writeAudit(tx, actor, at, {
        action: 'collection.discovered-members.remove',
        targetType: 'collection',
        targetId: id,
        details: { address },
      });
    });
  }

  /** The collection's rules, each with the machines it matches now (ADR 0038). */
  async listRules(actor: Actor, collection: string): Promise<DiscoveredMemberRule[]> {
    authorize(actor, 'read');
    const id = await this.collectionId(collection);
    const rows = await rulesOf(this.ctx.db.kysely, id);
    return Promise.all(rows.map((r) => this.toRule(r)));
  }

  /** Validated (DISCOVERED_RULE_INVALID) and audited; members follow at once (read-time rules). */
  async addRule(
    actor: Actor,
    collection: string,
    req: AddDiscoveredMemberRuleRequest,
  ): Promise<DiscoveredMemberRule> {
    authorize(actor, 'collections:write');
    const id = await this.collectionId(collection);
    const parsed = parseRule(req.kind, req.value);
    if (!parsed.ok) throw new InputError(ErrorCode.DISCOVERED_RULE_INVALID, parsed.error);
    const at = nowIso(this.ctx);
    const row: RuleRow = {
      id: randomUUID(),
      collection_id: id,
      kind: req.kind,
      value: parsed.match.text,
      added_at: at,
      added_by: actor.userName,
    };
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await insertRule(tx, row);
      await writeAudit(tx, actor, at, {
        action: 'collection.discovered-rules.add',
        targetType: 'collection',
        targetId: id,
        details: { ruleId: row.id, kind: row.kind, value: row.value },
      });
    });
    return this.toRule(row);
  }

  async removeRule(actor: Actor, collection: string, ruleId: string): Promise<void> {
    authorize(actor, 'collections:write');
    const id = await this.collectionId(collection);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      if (!(await deleteRule(tx, { collectionId: id, id: ruleId })))
        throw new NotFoundError(
          'discovered-member rule',
          ruleId,
          ErrorCode.DISCOVERED_RULE_NOT_FOUND,
        );
      await writeAudit(tx, actor, at, {
        action: 'collection.discovered-rules.remove',
        targetType: 'collection',
        targetId: id,
        details: { ruleId },
      });
    });
  }

  private async toRule(r: RuleRow): Promise<DiscoveredMemberRule> {
    const parsed = parseRule(r.kind, r.value);
    return {
      id: r.id,
      collectionId: r.collection_id,
      kind: r.kind,
      value: r.value,
      addedAt: r.added_at,
      addedBy: r.added_by,
      matches: parsed.ok ? await countMatching(this.ctx.db.kysely, parsed.match) : 0,
    };
  }
}
