import { ErrorCode, NotFoundError, type DiscoveredMachine } from '@steward/protocol';
import { authorize, nowIso, type Actor, type SiteContext } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { findCollection } from '../collections/repository.js';
import { inTransaction } from '../db/database.js';
import {
  addCollectionMembers,
  collectionMachines,
  removeCollectionMember,
} from './collection-members-repository.js';
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

  async list(actor: Actor, collection: string): Promise<DiscoveredMachine[]> {
    authorize(actor, 'read');
    const id = await this.collectionId(collection);
    return (await collectionMachines(this.ctx.db.kysely, id)).map(toMachine);
  }

  /** Every address must be a discovered machine; audited. */
  async add(actor: Actor, collection: string, addresses: string[]): Promise<DiscoveredMachine[]> {
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
      if (!(await removeCollectionMember(tx, { collectionId: id, address })))
        throw new NotFoundError(
          'discovered member',
          address,
          ErrorCode.DISCOVERY_MACHINE_NOT_FOUND,
        );
      await writeAudit(tx, actor, at, {
        action: 'collection.discovered-members.remove',
        targetType: 'collection',
        targetId: id,
        details: { address },
      });
    });
  }
}
