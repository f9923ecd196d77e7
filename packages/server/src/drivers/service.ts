import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import {
  ConflictError,
  type DeviceDriverMatch,
  type DeviceDrivers,
  type Driver,
  type DriverSummary,
  ErrorCode,
  type ImportDriverQuery,
  InventoryInstance,
  type ListDriversQuery,
  NotFoundError,
  type UpdateDriverRequest,
} from '@steward/protocol';
import { authorize, nowIso, type Actor, type SiteContext } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { parseJsonColumn, type RowRef } from '../db/corrupt-row.js';
import { inTransaction } from '../db/database.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import type { ContentStore } from '../content/content-store.js';
import { deletePackageRow } from '../content/repository.js';
import { contentFileExists, recordContentFile } from '../content/stored-files-repository.js';
import { insertPackageWithVersion } from '../content/versions.js';
import { findDeviceByIdOrName } from '../devices/repository.js';
import { classDataOf } from '../inventory/repository.js';
import { readDriverPackage } from './driver-package.js';
import { matchModaliases } from './modinfo.js';
import * as repo from './repository.js';

const WORDS = Type.Array(Type.String());

/** The file name of a driver's .deb in its content package. */
const DRIVER_FILE = 'driver.deb';

/** The content package of a driver: one per package name, version and architecture. */
function driverPackageName(c: { package: string; version: string; architecture: string }): string {
  return `driver-${c.package}-${c.version}-${c.architecture}`.slice(0, 200);
}
const INSTANCES = Type.Array(InventoryInstance);

function words(table: RowRef['table'], id: string, column: string, text: string): string[] {
  return parseJsonColumn(WORDS, text, { table, id, column });
}

function toSummary(r: repo.DriverRow, counts: { modules: number; aliases: number }): DriverSummary {
  return {
    id: r.id,
    package: r.package,
    version: r.version,
    architecture: r.architecture,
    description: r.description,
    categories: words('driver', r.id, 'categories', r.categories),
    enabled: r.enabled === 1,
    moduleCount: counts.modules,
    aliasCount: counts.aliases,
    firmwareCount: words('driver', r.id, 'firmware_files', r.firmware_files).length,
    size: Number(r.size),
    importedAt: r.imported_at,
  };
}

/**
 * The driver catalog (issue 11, ADR 0055): driver packages imported into the content library,
 * their modules' aliases read once at import, and the match of a device's inventoried hardware
 * against the enabled drivers.
 */
export class DriverService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly store: ContentStore,
  ) {}

  private async mustFind(idOrName: string): Promise<repo.DriverRow> {
    const row = await repo.findDriver(this.ctx.db.kysely, idOrName);
    if (!row) throw new NotFoundError('driver', idOrName, ErrorCode.DRIVER_NOT_FOUND);
    return row;
  }

  private async toDriver(r: repo.DriverRow): Promise<Driver> {
    const db = this.ctx.db.kysely;
    const modules = await repo.modulesOf(db, r.id);
    const aliases = await repo.aliasesOf(db, r.id);
    return {
      id: r.id,
      package: r.package,
      version: r.version,
      architecture: r.architecture,
      description: r.description,
      categories: words('driver', r.id, 'categories', r.categories),
      enabled: r.enabled === 1,
      sha256: r.sha256,
      size: Number(r.size),
      modules: modules.map((m) => ({
        name: m.name,
        path: m.path,
        kernelRelease: m.kernel_release,
        version: m.version,
        description: m.description,
        license: m.license,
        aliases: aliases.filter((a) => a.module === m.path).map((a) => a.alias),
        firmware: words('driver_module', `${r.id}/${m.path}`, 'firmware', m.firmware),
      })),
      firmwareFiles: words('driver', r.id, 'firmware_files', r.firmware_files),
      importedAt: r.imported_at,
      importedBy: r.imported_by,
      packageId: r.package_id,
    };
  }

  async list(
    actor: Actor,
    q: ListDriversQuery,
  ): Promise<{ items: DriverSummary[]; total: number }> {
    authorize(actor, 'read');
    const db = this.ctx.db.kysely;
    const rows = (await repo.listDriverRows(db, q)).filter(
      (r) =>
        q.category === undefined ||
        words('driver', r.id, 'categories', r.categories).includes(q.category),
    );
    const offset = q.offset ?? 0;
    const page = rows.slice(offset, offset + (q.limit ?? 50));
    const counts = await repo.countsByDriver(
      db,
      page.map((r) => r.id),
    );
    return {
      items: page.map((r) => toSummary(r, counts.get(r.id) ?? { modules: 0, aliases: 0 })),
      total: rows.length,
    };
  }

  async get(actor: Actor, idOrName: string): Promise<Driver> {
    authorize(actor, 'read');
    return this.toDriver(await this.mustFind(idOrName));
  }

  /**
   * Stores the upload in the content library, reads it (control fields, modules' .modinfo,
   * firmware), then writes the driver with its modules and aliases in one transaction. A refused
   * package leaves nothing: its file is dropped unless something else already held it.
   */
  async import(actor: Actor, body: Readable, q: ImportDriverQuery): Promise<Driver> {
    authorize(actor, 'software:write');
    const file = await this.store.putStream(body);
    const db = this.ctx.db.kysely;
    const at = nowIso(this.ctx);
    const id = randomUUID();
    try {
      const contents = await readDriverPackage(this.store.pathOf(file.sha256));
      await inTransaction(db, async (tx) => {
        await recordContentFile(tx, file, at);
        await repo.insertDriver(
          tx,
          {
            id,
            package: contents.package,
            version: contents.version,
            architecture: contents.architecture,
            description: contents.description.split('\n')[0] ?? '',
            categories: '[]',
            enabled: q.enabled === false ? 0 : 1,
            sha256: file.sha256,
            size: file.size,
            firmware_files: JSON.stringify(contents.firmwareFiles),
            imported_at: at,
            imported_by: actor.userName,
          },
          contents.modules.map((m) => ({
            driver_id: id,
            path: m.path,
            name: m.name,
            kernel_release: m.kernelRelease,
            version: m.version,
            description: m.description,
            license: m.license,
            firmware: JSON.stringify(m.firmware),
          })),
          contents.modules.flatMap((m) =>
            m.aliases.map((alias) => ({ driver_id: id, module: m.path, alias })),
          ),
        );
        // After the driver row, whose unique key says DRIVER_EXISTS for a repeated import.
        // The .deb is also a one-file content package, distributed to DPs like any other, so
        // boot environments download it from their DP (issue 11 gap 2).
        const content = await insertPackageWithVersion(tx, {
          name: driverPackageName(contents),
          description: `Driver ${contents.package} ${contents.version} (${contents.architecture})`,
          publisher: 'Steward',
          version: contents.version,
          files: [{ path: DRIVER_FILE, sha256: file.sha256, size: file.size, mode: 0o644 }],
          at,
          createdBy: actor.userName,
        });
        await repo.setDriverContent(tx, id, content);
        await writeAudit(tx, actor, at, {
          action: 'driver.import',
          targetType: 'driver',
          targetId: id,
          details: {
            package: contents.package,
            version: contents.version,
            modules: contents.modules.length,
            firmware: contents.firmwareFiles.length,
          },
        });
      });
    } catch (err) {
      // The content library's clean-up keeps files with a row; this one may have none yet.
      if (!(await contentFileExists(db, file.sha256)))
        await rm(this.store.pathOf(file.sha256), { force: true });
      if (isUniqueViolation(err))
        throw new ConflictError(
          ErrorCode.DRIVER_EXISTS,
          'that package name, version and architecture is already in the driver catalog',
        );
      throw err;
    }
    return this.toDriver(await this.mustFind(id));
  }

  async update(actor: Actor, idOrName: string, patch: UpdateDriverRequest): Promise<Driver> {
    authorize(actor, 'software:write');
    const row = await this.mustFind(idOrName);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await repo.updateDriverRow(tx, row.id, {
        ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
        ...(patch.categories !== undefined ? { categories: JSON.stringify(patch.categories) } : {}),
      });
      await writeAudit(tx, actor, at, {
        action: 'driver.update',
        targetType: 'driver',
        targetId: row.id,
        details: patch,
      });
    });
    return this.toDriver(await this.mustFind(row.id));
  }

  async delete(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'software:write');
    const row = await this.mustFind(idOrName);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await repo.deleteDriverRow(tx, row.id);
      if (row.package_id !== null) await deletePackageRow(tx, row.package_id);
      await writeAudit(tx, actor, nowIso(this.ctx), {
        action: 'driver.delete',
        targetType: 'driver',
        targetId: row.id,
        details: { package: row.package, version: row.version, packageId: row.package_id },
      });
    });
    // DPs drop the package's files at their next poll.
    if (row.package_id !== null)
      await this.ctx.bus.publish('content-changed', { packageId: row.package_id });
  }

  async categories(actor: Actor): Promise<{ name: string; drivers: number }[]> {
    authorize(actor, 'read');
    const counts = new Map<string, number>();
    for (const r of await repo.listDriverRows(this.ctx.db.kysely, {}))
      for (const c of words('driver', r.id, 'categories', r.categories))
        counts.set(c, (counts.get(c) ?? 0) + 1);
    return [...counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, drivers]) => ({ name, drivers }));
  }

  /** A device's PCI and USB hardware and the enabled drivers whose aliases match each item. */
  async forDevice(actor: Actor, idOrName: string): Promise<DeviceDrivers> {
    authorize(actor, 'read');
    const device = await findDeviceByIdOrName(this.ctx, idOrName);
    if (!device) throw new NotFoundError('device', idOrName);
    const db = this.ctx.db.kysely;
    const hardware: DeviceDriverMatch[] = [];
    let inventoried = false;
    for (const [bus, className] of [
      ['pci', 'pciDevice'],
      ['usb', 'usbDevice'],
    ] as const) {
      const stored = await classDataOf(db, { deviceId: device.id, className });
      if (!stored) continue;
      inventoried = true;
      const items = parseJsonColumn(INSTANCES, stored.data, {
        table: 'device_inventory',
        id: `${device.id}/${className}`,
        column: 'data',
      });
      for (const item of items) {
        const modalias = item['modalias'];
        if (typeof modalias !== 'string' || modalias === '') continue;
        const text = (key: string) => {
          const v = item[key];
          return typeof v === 'string' && v !== '' ? v : undefined;
        };
        const name =
          bus === 'pci'
            ? [text('vendorName'), text('deviceName')].filter(Boolean).join(' ')
            : [text('manufacturer'), text('product')].filter(Boolean).join(' ');
        hardware.push({
          bus,
          modalias,
          name: name || modalias,
          driverInUse: text('driver') ?? null,
          matches: [],
        });
      }
    }
    if (hardware.length > 0) {
      const matched = matchModaliases(
        await repo.enabledAliases(db),
        hardware.map((h) => h.modalias),
      );
      for (const h of hardware)
        for (const a of matched.get(h.modalias) ?? [])
          h.matches.push({
            driverId: a.driver_id,
            package: a.package,
            version: a.version,
            module: a.module,
            alias: a.alias,
          });
    }
    return { deviceId: device.id, inventoried, hardware };
  }
}
