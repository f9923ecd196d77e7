import {
  ErrorCode,
  NotFoundError,
  type DeviceUpdateCompliance,
  type DeviceUpdatesQuery,
  type ScanAuditEntry,
  type ScanAuditQuery,
  type ScanCatalog,
  type UpdateComplianceOverview,
  type UpdateComplianceOverviewQuery,
  type UpdateComplianceSummary,
  type UpdateDevicesQuery,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../../context.js';
import { authorize } from '../../context.js';
import { findDeviceByIdOrName } from '../../devices/repository.js';
import { inTransaction } from '../../db/database.js';
import { customChangedSince, scanCatalogFor } from './catalog-version-repository.js';
import { customUpdatesForScan } from '../custom/scan-catalog.js';
import { complianceOverview } from './overview.js';
import {
  complianceCounts,
  deviceUpdatePage,
  findUpdateBrief,
  scanAuditPage,
  updateDevicePage,
} from './repository.js';

type Page<T> = { items: T[]; total: number };

/** Compliance of updates on devices, the scan audit, and the catalog served to agents. */
export class UpdateComplianceService {
  constructor(private readonly ctx: SiteContext) {}

  private async mustFindUpdate(id: string) {
    const row = await findUpdateBrief(this.ctx.db.kysely, id);
    if (!row) throw new NotFoundError('update', id, ErrorCode.UPDATE_COMPLIANCE_UPDATE_NOT_FOUND);
    return row;
  }

  /** Counts of machines per state for one update (the update page's chart). */
  async updateCompliance(actor: Actor, id: string): Promise<UpdateComplianceSummary> {
    authorize(actor, 'read');
    const u = await this.mustFindUpdate(id);
    const { catalogVersion, counts } = await inTransaction(this.ctx.db.kysely, (tx) =>
      complianceCounts(tx, u.id),
    );
    return { updateId: u.id, package: u.package, version: u.version, catalogVersion, counts };
  }

  async updateDevices(
    actor: Actor,
    id: string,
    q: UpdateDevicesQuery,
  ): Promise<Page<DeviceUpdateCompliance>> {
    authorize(actor, 'read');
    const u = await this.mustFindUpdate(id);
    return updateDevicePage(this.ctx.db.kysely, u, {
      ...(q.state !== undefined ? { state: q.state } : {}),
      offset: q.offset ?? 0,
      limit: q.limit ?? 50,
    });
  }

  async deviceUpdates(
    actor: Actor,
    idOrName: string,
    q: DeviceUpdatesQuery,
  ): Promise<Page<DeviceUpdateCompliance>> {
    authorize(actor, 'read');
    const device = await findDeviceByIdOrName(this.ctx, idOrName);
    if (!device) throw new NotFoundError('device', idOrName);
    return deviceUpdatePage(this.ctx.db.kysely, device, {
      ...(q.state !== undefined ? { state: q.state } : {}),
      offset: q.offset ?? 0,
      limit: q.limit ?? 50,
    });
  }

  async scanAudit(actor: Actor, q: ScanAuditQuery): Promise<Page<ScanAuditEntry>> {
    authorize(actor, 'read');
    return scanAuditPage(this.ctx.db.kysely, this.ctx.clock.now(), {
      ...(q.state !== undefined ? { state: q.state } : {}),
      ...(q.deviceId !== undefined ? { deviceId: q.deviceId } : {}),
      offset: q.offset ?? 0,
      limit: q.limit ?? 50,
    });
  }

  /** The dashboard: fleet compliance with the current catalog, grouped, and the most required. */
  overview(actor: Actor, q: UpdateComplianceOverviewQuery): Promise<UpdateComplianceOverview> {
    authorize(actor, 'read');
    return complianceOverview(this.ctx.db.kysely, q.top ?? 10);
  }

  /**
   * The catalog for a device's scan: whole, or what changed since the version it holds; the
   * custom updates whole when the catalog is, or when they changed since (ADR 0074).
   */
  async catalogFor(since: number | undefined): Promise<ScanCatalog> {
    const db = this.ctx.db.kysely;
    const catalog = await scanCatalogFor(db, since);
    const withCustom =
      catalog.full ||
      (since !== undefined && (await customChangedSince(db, since, catalog.version)));
    return withCustom ? { ...catalog, custom: await customUpdatesForScan(db) } : catalog;
  }
}
