import { Type } from '@sinclair/typebox';
import {
  ErrorCode,
  NotFoundError,
  type CustomUpdateComplianceSummary,
  type CustomUpdateDevice,
  type CustomUpdateDevicesQuery,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../../context.js';
import { authorize } from '../../context.js';
import { parseJsonColumn } from '../../db/corrupt-row.js';
import { customComplianceCounts, customUpdateDeviceRows } from './compliance-repository.js';
import { findCustomUpdate } from './repository.js';

const Details = Type.Array(Type.String());

/**
 * Custom updates' compliance (ADR 0074): what the devices' own scans reported. File and command
 * rules cannot be evaluated by the site, so a device that has not reported the update is "not
 * scanned", never Required or Not required.
 */
export class CustomUpdateComplianceService {
  constructor(private readonly ctx: SiteContext) {}

  private async mustFind(id: string) {
    const row = await findCustomUpdate(this.ctx.db.kysely, id);
    if (!row) throw new NotFoundError('custom update', id, ErrorCode.CUSTOM_UPDATE_NOT_FOUND);
    return row;
  }

  async compliance(actor: Actor, id: string): Promise<CustomUpdateComplianceSummary> {
    authorize(actor, 'read');
    const u = await this.mustFind(id);
    const { byState, devices } = await customComplianceCounts(this.ctx.db.kysely, u.id);
    const n = (s: string) => byState.get(s) ?? 0;
    const reported = [...byState.values()].reduce((a, b) => a + b, 0);
    return {
      updateId: u.id,
      title: u.title,
      counts: {
        installed: n('installed'),
        required: n('required'),
        notRequired: n('not-required'),
        unknown: n('unknown'),
        notScanned: Math.max(0, devices - reported),
      },
    };
  }

  async devices(
    actor: Actor,
    id: string,
    q: CustomUpdateDevicesQuery,
  ): Promise<{ items: CustomUpdateDevice[]; total: number }> {
    authorize(actor, 'read');
    const u = await this.mustFind(id);
    const { rows, total } = await customUpdateDeviceRows(this.ctx.db.kysely, u.id, {
      ...(q.state !== undefined ? { state: q.state } : {}),
      offset: q.offset ?? 0,
      limit: q.limit ?? 50,
    });
    return {
      total,
      items: rows.map((r) => ({
        deviceId: r.device_id,
        deviceName: r.device_name,
        state: r.state,
        details: parseJsonColumn(Details, r.details, {
          table: 'custom_update_compliance',
          id: `${u.id}/${r.device_id}`,
          column: 'details',
        }),
        installedAt: r.installed_at,
        firstDetectedAt: r.first_detected_at,
        scannedAt: r.scanned_at,
      })),
    };
  }
}
