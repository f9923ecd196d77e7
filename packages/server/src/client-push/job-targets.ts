import {
  ErrorCode,
  InputError,
  NotFoundError,
  type PushJobSource,
  type StartPushRequest,
} from '@steward/protocol';
import type { Queryable } from '../db/database.js';
import { findCollection } from '../collections/repository.js';
import { memberIdsOf } from '../collections/membership-repository.js';
import { deviceNamesByIds } from '../devices/repository.js';
import { collectionMachines } from '../discovery/collection-members-repository.js';
import { knownMachineAddresses, machinesWithoutAgent } from '../discovery/repository.js';

/**
 * A collection's targets: its devices' names, and its discovered members with no agent
 * (ADR 0030), by address on port 22.
 */
async function hostsOfCollection(
  db: Queryable,
  idOrName: string,
): Promise<{ id: string; hosts: string[] }> {
  const col = await findCollection(db, idOrName);
  if (!col) throw new NotFoundError('collection', idOrName);
  const ids = (await memberIdsOf(db, col.id).execute()).map((r) => r.device_id);
  const discovered = (await collectionMachines(db, col.id))
    .filter((m) => m.device_name === null)
    .map((m) => m.address);
  return { id: col.id, hosts: [...(await deviceNamesByIds(db, ids)), ...discovered] };
}

/** The hosts a push request names: given, a collection's members, or discovered machines. */
export async function requestedHosts(
  db: Queryable,
  req: StartPushRequest,
): Promise<{ source: PushJobSource; collectionId: string | null; hosts: string[] }> {
  const given = [req.hosts, req.collection, req.discovered].filter((x) => x !== undefined);
  if (given.length !== 1)
    throw new InputError(
      ErrorCode.INVALID_INPUT,
      'give exactly one of hosts, a collection or discovered machines',
    );
  if (req.collection !== undefined) {
    const c = await hostsOfCollection(db, req.collection);
    return { source: 'collection', collectionId: c.id, hosts: c.hosts };
  }
  if (req.discovered !== undefined) {
    const { addresses, search } = req.discovered;
    if (addresses) {
      const known = await knownMachineAddresses(db, addresses);
      const unknown = addresses.filter((a) => !known.has(a));
      if (unknown.length > 0)
        throw new NotFoundError(
          'discovered machine',
          unknown.slice(0, 5).join(', '),
          ErrorCode.PUSH_DISCOVERED_NOT_FOUND,
        );
    }
    // Machines discovery linked to a device are clients already; the rest are pushed on port 22.
    const hosts = await machinesWithoutAgent(db, { addresses, search });
    return { source: 'discovered', collectionId: null, hosts };
  }
  return { source: 'hosts', collectionId: null, hosts: req.hosts ?? [] };
}
