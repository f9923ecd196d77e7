import { Type } from '@sinclair/typebox';
import { createHash } from 'node:crypto';
import {
  canonicalJson,
  type InventoryClassShape,
  InventoryInstance,
  type InventoryReportBody,
} from '@steward/protocol';
import { normaliseInstances } from './normalise.js';
import type { Updateable } from 'kysely';
import type { DeviceTable } from '../db/tables/index.js';
import { parseJsonColumn } from '../db/corrupt-row.js';
import { applyPackageDelta, diffPackages } from './package-sets.js';
import { ensurePackageSet, loadPackageSet } from './package-set-repository.js';
import {
  classDataOf,
  classHashesOf,
  deleteClassData,
  insertClassData,
  insertInventoryChange,
  updateClassData,
} from './repository.js';
import { inventoryStateOf, updateDeviceColumns } from '../devices/repository.js';
import type { Queryable } from '../db/database.js';

const Instances = Type.Array(InventoryInstance);

export interface InventoryApplyResult {
  /** The report could not be applied as a delta: the device must send a full report. */
  resync: string | null;
  changedClasses: string[];
}

function classHash(instances: readonly InventoryInstance[]): string {
  return createHash('sha256').update(canonicalJson(instances)).digest('hex');
}

function diffInstances(before: readonly InventoryInstance[], after: readonly InventoryInstance[]) {
  const b = new Set(before.map((i) => canonicalJson(i)));
  const a = new Set(after.map((i) => canonicalJson(i)));
  return {
    added: after.filter((i) => !b.has(canonicalJson(i))),
    removed: before.filter((i) => !a.has(canonicalJson(i))),
  };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The device columns that lists and filters read, kept in step with the inventory classes. */
function summaryColumns(classes: Record<string, InventoryInstance[]>): Updateable<DeviceTable> {
  const out: Updateable<DeviceTable> = {};
  const os = classes.os?.[0];
  if (os) {
    out.os_family = str(os.family);
    out.os_name = str(os.name);
    out.os_version = str(os.version);
    const host = str(os.hostname);
    if (host) out.name = host;
  }
  const machine = classes.machine?.[0];
  if (machine) out.machine_type = str(machine.type);
  const cpu = classes.cpu?.[0];
  if (cpu) out.cpu_model = str(cpu.model);
  const memory = classes.memory?.[0];
  if (memory) out.memory_total_mb = num(memory.totalMb);
  if (classes.ipAddress) {
    out.ip_addresses = classes.ipAddress
      .map((i) => str(i.address))
      .filter(
        (a): a is string => a !== null && a !== '127.0.0.1' && a !== '::1' && !a.startsWith('fe80'),
      )
      .slice(0, 16)
      .join(',');
  }
  const user = classes.user?.[0];
  if (user) out.last_logged_on_user = str(user.lastLoggedOnUser);
  const agent = classes.agent?.[0];
  if (agent) out.agent_version = str(agent.version);
  return out;
}

async function readClass(
  tx: Queryable,
  deviceId: string,
  name: string,
): Promise<InventoryInstance[]> {
  const row = await classDataOf(tx, { deviceId, className: name });
  if (!row) return [];
  return parseJsonColumn(Instances, row.data, {
    table: 'device_inventory',
    id: `${deviceId}/${name}`,
    column: 'data',
  });
}

async function applyClasses(
  tx: Queryable,
  deviceId: string,
  body: InventoryReportBody,
  at: string,
  recordHistory: boolean,
): Promise<string[]> {
  const existing = await classHashesOf(tx, deviceId);
  const hashes = new Map(existing.map((r) => [r.class_name, r.hash]));
  const changed: string[] = [];
  const removed = new Set(body.removedClasses ?? []);
  if (body.kind === 'full') {
    const failed = new Set(body.failedClasses ?? []);
    for (const name of hashes.keys())
      if (!(name in body.classes) && !failed.has(name)) removed.add(name);
  }

  for (const [name, instances] of Object.entries(body.classes)) {
    if (name === 'package') continue;
    const hash = classHash(instances);
    if (hashes.get(name) === hash) continue;
    changed.push(name);
    const data = JSON.stringify(instances);
    if (hashes.has(name)) {
      const d = diffInstances(await readClass(tx, deviceId, name), instances);
      if (recordHistory) await insertInventoryChange(tx, { deviceId, className: name, at, ...d });
      await updateClassData(tx, { deviceId, className: name, data, hash, at });
    } else {
      // A class seen for the first time after the first report (e.g. a new custom class) is a change.
      if (recordHistory && existing.length > 0)
        await insertInventoryChange(tx, {
          deviceId,
          className: name,
          at,
          added: instances,
          removed: [],
        });
      await insertClassData(tx, { deviceId, className: name, data, hash, at });
    }
  }
  for (const name of removed) {
    if (!hashes.has(name)) continue;
    const before = await readClass(tx, deviceId, name);
    await deleteClassData(tx, { deviceId, className: name });
    if (recordHistory)
      await insertInventoryChange(tx, {
        deviceId,
        className: name,
        at,
        added: [],
        removed: before,
      });
    changed.push(name);
  }
  return changed;
}

/** The agent's file scan's class: a report carrying it ran software inventory. */
const SOFTWARE_FILE_CLASS = 'softwareFile';

/**
 * Which inventories a report stands for (client activity, ADR 0029): what the agent says it
 * ran, or, from an agent that does not say, hardware inventory unless the report carries only
 * the file scan, and software inventory when it carries the file scan.
 */
export function inventoryRan(body: InventoryReportBody): { hardware: boolean; software: boolean } {
  if (body.collected !== undefined)
    return {
      hardware: body.collected.includes('hardware'),
      software: body.collected.includes('software'),
    };
  const names = Object.keys(body.classes);
  const software = names.includes(SOFTWARE_FILE_CLASS);
  const onlyScan = software && names.length === 1 && body.packages === undefined;
  return { hardware: !onlyScan, software };
}

/**
 * Applies one inventory report to a device inside the caller's transaction. Deltas whose base
 * does not match what the site holds are not guessed at: the device is asked for a full report.
 */
export async function applyInventoryReport(
  tx: Queryable,
  deviceId: string,
  reported: InventoryReportBody,
  at: string,
  catalog: ReadonlyMap<string, InventoryClassShape>,
): Promise<InventoryApplyResult> {
  const classes = Object.fromEntries(
    Object.entries(reported.classes).map(([name, list]) => [
      name,
      normaliseInstances(catalog.get(name), list),
    ]),
  );
  const body: InventoryReportBody = { ...reported, classes };
  const device = await inventoryStateOf(tx, deviceId);
  const firstReport = device.last_inventory_at === null;
  const changedClasses = await applyClasses(tx, deviceId, body, at, !firstReport);
  let resync: string | null = null;
  const ran = inventoryRan(body);
  const update: Updateable<DeviceTable> = {
    ...summaryColumns(body.classes),
    last_inventory_at: at,
    ...(ran.hardware ? { last_hardware_inventory_at: at } : {}),
    ...(ran.software ? { last_software_inventory_at: at } : {}),
  };

  const pk = body.packages;
  if (pk?.kind === 'full') {
    const set = await ensurePackageSet(tx, pk.items, at);
    if (set.id !== device.package_set_id) {
      if (device.package_set_id && !firstReport) {
        const d = diffPackages(await loadPackageSet(tx, device.package_set_id), pk.items);
        await insertInventoryChange(tx, { deviceId, className: 'package', at, ...d });
      }
      update.package_set_id = set.id;
      update.package_count = set.count;
      changedClasses.push('package');
    }
  } else if (pk?.kind === 'delta') {
    if (pk.baseHash !== device.package_set_id) {
      resync = `package delta is based on set ${pk.baseHash.slice(0, 12)}, the site holds ${(device.package_set_id ?? 'none').slice(0, 12)}`;
    } else if (pk.added.length + pk.removed.length > 0) {
      const next = applyPackageDelta(await loadPackageSet(tx, pk.baseHash), pk.added, pk.removed);
      const set = await ensurePackageSet(tx, next, at);
      if (set.id !== pk.hash) {
        resync = `package set after the delta does not match the device's hash`;
      } else {
        await insertInventoryChange(tx, {
          deviceId,
          className: 'package',
          at,
          added: pk.added,
          removed: pk.removed,
        });
        update.package_set_id = set.id;
        update.package_count = set.count;
        changedClasses.push('package');
      }
    }
  }
  if (body.kind === 'full' && resync === null) update.inventory_resync = 0;
  if (resync !== null) update.inventory_resync = 1;
  await updateDeviceColumns(tx, { deviceId, update });
  return { resync, changedClasses };
}
