import type { Kysely } from 'kysely';
import type { InstalledPackage, InventoryInstance } from '@steward/protocol';
import type { Database } from '../../src/db/tables/index.js';
import type { Actor, Clock } from '../../src/context.js';
import { ensurePackageSet } from '../../src/inventory/package-set-repository.js';

/**
 * Builders for collection tests: devices with inventory rows and package sets written the way
 * ingestion writes them (one JSON array per class; packages in shared, hashed sets).
 */
export interface DeviceFixture {
  id: string;
  name?: string;
  revoked?: boolean;
  enrolledAt?: string;
  lastContactAt?: string | null;
  /** A heartbeat: what keeps a device active (monitoring/activity-repository.ts). */
  lastHeartbeatAt?: string | null;
  agentVersion?: string | null;
  classes?: Record<string, InventoryInstance[]>;
  packages?: (Pick<InstalledPackage, 'name' | 'version'> & Partial<InstalledPackage>)[];
}

const AT = '2026-01-01T00:00:00.000Z';

export async function setInventory(
  db: Kysely<Database>,
  deviceId: string,
  className: string,
  instances: InventoryInstance[] | null,
): Promise<void> {
  await db
    .deleteFrom('device_inventory')
    .where('device_id', '=', deviceId)
    .where('class_name', '=', className)
    .execute();
  if (instances === null) return;
  await db
    .insertInto('device_inventory')
    .values({
      device_id: deviceId,
      class_name: className,
      data: JSON.stringify(instances),
      hash: `h-${Math.random()}`,
      updated_at: AT,
    })
    .execute();
}

export async function setPackages(
  db: Kysely<Database>,
  deviceId: string,
  packages: DeviceFixture['packages'],
): Promise<void> {
  const items: InstalledPackage[] = (packages ?? []).map((p) => ({
    arch: 'amd64',
    manager: 'dpkg',
    ...p,
  }));
  const set = await ensurePackageSet(db, items, AT);
  await db
    .updateTable('device')
    .set({ package_set_id: set.id, package_count: set.count })
    .where('id', '=', deviceId)
    .execute();
}

export async function insertDevice(db: Kysely<Database>, f: DeviceFixture): Promise<void> {
  await db
    .insertInto('device')
    .values({
      id: f.id,
      name: f.name ?? f.id,
      key_hash: 'x',
      enrolled_at: f.enrolledAt ?? AT,
      revoked_at: f.revoked ? AT : null,
      ip_addresses: '',
      agent_version: f.agentVersion ?? null,
      package_count: 0,
      inventory_resync: 0,
      last_contact_at: f.lastContactAt ?? null,
      last_heartbeat_at: f.lastHeartbeatAt ?? null,
    })
    .execute();
  for (const [className, instances] of Object.entries(f.classes ?? {}))
    await setInventory(db, f.id, className, instances);
  if (f.packages) await setPackages(db, f.id, f.packages);
}

export async function insertDevices(
  db: Kysely<Database>,
  fixtures: readonly DeviceFixture[],
): Promise<void> {
  for (const f of fixtures) await insertDevice(db, f);
}

export const ADMIN: Actor = { userId: 'u-admin', userName: 'alice', role: 'full-administrator' };
export const ANALYST: Actor = { userId: 'u-analyst', userName: 'bob', role: 'read-only-analyst' };

/** Rows in a table (what a refused or repeated change must not have added). */
export async function countRows(db: Kysely<Database>, table: keyof Database): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** A clock the test moves by hand (scheduled evaluation). */
export class ManualClock implements Clock {
  constructor(private at: Date = new Date('2026-02-01T00:00:00.000Z')) {}
  now(): Date {
    return new Date(this.at.getTime());
  }
  advanceMinutes(minutes: number): void {
    this.at = new Date(this.at.getTime() + minutes * 60_000);
  }
}
