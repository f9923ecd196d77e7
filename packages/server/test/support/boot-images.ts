import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { bootKeyHash } from '../../src/boot-images/service.js';
import type { Database } from '../../src/db/tables/index.js';

export interface BootImageFixture {
  name?: string;
  /** 'ready' (default): as a finished build leaves it; 'building': a build still running. */
  status?: 'ready' | 'building';
  /** The boot key a boot environment of this image presents (default: a random one). */
  bootKey?: string;
  /** Its files, already in the content library (default none). */
  files?: { name: string; sha256: string; size: number }[];
  siteUrl?: string;
}

/**
 * A boot image row as its build leaves it (a real build needs a Debian mirror and minutes:
 * boot-image-vm.int.test.ts runs it). Returns its id.
 */
export async function insertBuiltBootImage(
  db: Kysely<Database>,
  o: BootImageFixture = {},
): Promise<string> {
  const id = randomUUID();
  const at = new Date().toISOString();
  const status = o.status ?? 'ready';
  await db
    .insertInto('boot_image')
    .values({
      id,
      name: o.name ?? `osd-${id.slice(0, 8)}`,
      arch: 'amd64',
      version: 1,
      status,
      progress: status === 'ready' ? 100 : 10,
      progress_text: status === 'ready' ? 'built' : status,
      suite: 'bookworm',
      mirror: 'http://mirror.example.org/debian',
      extra_packages: '[]',
      driver_ids: '[]',
      site_url: o.siteUrl ?? 'https://127.0.0.1',
      boot_key_sha256: bootKeyHash(o.bootKey ?? randomUUID()),
      package_id: null,
      files: JSON.stringify(o.files ?? []),
      root_key: '',
      created_at: at,
      created_by: 'admin',
      built_at: status === 'ready' ? at : null,
      heartbeat_at: at,
    })
    .execute();
  return id;
}
