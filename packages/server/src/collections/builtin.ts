import type { CollectionDefinition } from '@steward/protocol';
import { SYSTEM_ACTOR, nowIso, type SiteContext } from '../context.js';
import { inTransaction, lockUntilCommit, type Tx } from '../db/database.js';
import { writeAudit } from '../audit/audit.js';
import {
  definitionOf,
  findCollectionById,
  insertCollection,
  insertRevision,
  nameTaken,
  updateCollectionDefinition,
} from './repository.js';
import { OSD_BUILTIN_COLLECTIONS } from './builtin-osd.js';
import { normaliseDefinition, sameDefinition, type StoredDefinition } from './definition.js';

export interface BuiltinCollection {
  /** Stable across sites and versions: scripts and deployments may name it. */
  id: string;
  definition: CollectionDefinition;
}

const query = (text: string) => [{ kind: 'query' as const, query: text }];

// Family values are those the agent's os collector reports (ID, then ID_LIKE, of os-release);
// "other" is a Linux distribution outside the known families. Listing them, rather than
// "every device", keeps All Linux Systems right once agents for other platforms exist.
const LINUX_FAMILIES = '"debian", "rhel", "suse", "arch", "alpine", "other"';

function osFamily(family: string, label: string): BuiltinCollection {
  return {
    id: `os-${family}`,
    definition: {
      name: `All ${label} Systems`,
      description: `Devices whose operating system belongs to the ${label} family (os.family = "${family}").`,
      rules: query(`os.family = "${family}"`),
    },
  };
}

/** The collections every site has, like SMS's All Systems and its per-platform collections. */
export const BUILTIN_COLLECTIONS: readonly BuiltinCollection[] = [
  {
    id: 'all-systems',
    definition: {
      name: 'All Systems',
      description: 'Every enrolled device that is not revoked.',
      rules: query('device.id is not null'),
    },
  },
  {
    id: 'all-linux',
    definition: {
      name: 'All Linux Systems',
      description: 'Devices running Linux.',
      rules: query(`os.family in (${LINUX_FAMILIES})`),
    },
  },
  {
    id: 'all-servers',
    definition: {
      name: 'All Servers',
      description: 'Physical machines the agent classified as servers.',
      rules: query('machine.type = "server"'),
    },
  },
  {
    id: 'all-workstations',
    definition: {
      name: 'All Workstations',
      description: 'Desktops and laptops.',
      rules: query('machine.type in ("desktop", "laptop")'),
    },
  },
  {
    id: 'all-laptops',
    definition: {
      name: 'All Laptops',
      description: 'Portable machines (chassis type or battery).',
      rules: query('machine.type = "laptop"'),
    },
  },
  {
    id: 'all-virtual-machines',
    definition: {
      name: 'All Virtual Machines',
      description: 'Virtual machines and containers.',
      rules: query('machine.type = "virtual-machine"'),
    },
  },
  osFamily('debian', 'Debian-family'),
  osFamily('rhel', 'Red Hat-family'),
  osFamily('suse', 'SUSE-family'),
  osFamily('alpine', 'Alpine Linux'),
  osFamily('arch', 'Arch-family'),
  ...OSD_BUILTIN_COLLECTIONS,
];

async function recordRevision(
  tx: Tx,
  c: { id: string; revision: number; definition: StoredDefinition; at: string },
): Promise<void> {
  const by = SYSTEM_ACTOR.userName;
  await insertRevision(tx, {
    collectionId: c.id,
    revision: c.revision,
    at: c.at,
    by,
    definition: c.definition,
  });
  await writeAudit(tx, SYSTEM_ACTOR, c.at, {
    action: c.revision === 1 ? 'collection.create' : 'collection.update',
    targetType: 'collection',
    targetId: c.id,
    details: { builtin: true, revision: c.revision },
  });
}

async function ensureOne(
  ctx: SiteContext,
  tx: Tx,
  b: BuiltinCollection,
  at: string,
): Promise<void> {
  const definition = normaliseDefinition(b.definition);
  const existing = await findCollectionById(tx, b.id);
  if (existing && sameDefinition(definitionOf(existing), definition)) return;
  if (await nameTaken(tx, { name: definition.name, exceptId: b.id })) {
    // Never rename an administrator's collection behind their back; say so and carry on.
    ctx.log.warn(
      { collection: b.id, name: definition.name },
      'another collection holds the name of a built-in collection; built-in left as it is',
    );
    return;
  }
  if (existing) {
    const revision = existing.revision + 1;
    await updateCollectionDefinition(tx, { id: b.id, definition, revision, at });
    await recordRevision(tx, { id: b.id, revision, definition, at });
    return;
  }
  await insertCollection(tx, { id: b.id, definition, builtin: true, at });
  await recordRevision(tx, { id: b.id, revision: 1, definition, at });
}

/**
 * Creates the built-in collections that are missing, and brings those whose definition changed
 * in a newer Steward up to date (as a new revision by "system"). Safe to run at every start and
 * from several processes at once (PostgreSQL: a transaction-scoped advisory lock).
 */
export async function ensureBuiltinCollections(ctx: SiteContext): Promise<void> {
  const at = nowIso(ctx);
  await inTransaction(ctx.db.kysely, async (tx) => {
    await lockUntilCommit(tx, ctx.db.dialect, 'steward:builtin-collections');
    for (const b of BUILTIN_COLLECTIONS) await ensureOne(ctx, tx, b, at);
  });
}
