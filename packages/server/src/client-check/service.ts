import {
  CLIENT_CHECK_NAMES,
  ErrorCode,
  NotFoundError,
  type ClientCheckFailureRow,
  type ClientCheckFailuresQuery,
  type ClientCheckSummary,
  type DeviceClientCheck,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize } from '../context.js';
import { findCollection, memberCounts } from '../collections/repository.js';
import { findDeviceByIdOrName } from '../devices/repository.js';
import * as repo from './repository.js';

const HISTORY = 31;

/** Client check results as devices reported them (latest per check, and recent runs). */
export class ClientCheckService {
  constructor(private readonly ctx: SiteContext) {}

  async device(actor: Actor, idOrName: string): Promise<DeviceClientCheck> {
    authorize(actor, 'read');
    const device = await findDeviceByIdOrName(this.ctx, idOrName);
    if (!device) throw new NotFoundError('device', idOrName, ErrorCode.DEVICE_NOT_FOUND);
    const runs = await repo.runsOf(this.ctx.db.kysely, { deviceId: device.id, limit: HISTORY });
    const [latest] = runs;
    return {
      deviceId: device.id,
      latest: latest
        ? { at: latest.at, mode: latest.mode, trigger: latest.trigger, results: latest.results }
        : null,
      history: runs.map((r) => ({
        at: r.at,
        failed: r.failed,
        remediated: r.remediated,
        results: r.results,
      })),
    };
  }

  async collectionSummary(actor: Actor, idOrName: string): Promise<ClientCheckSummary> {
    authorize(actor, 'read');
    const db = this.ctx.db.kysely;
    const c = await findCollection(db, idOrName);
    if (!c) throw new NotFoundError('collection', idOrName, ErrorCode.COLLECTION_NOT_FOUND);
    const counts = await repo.outcomeCounts(db, c.id);
    const members = (await memberCounts(db, { collectionIds: [c.id] })).get(c.id) ?? 0;
    const n = (check: string, outcome: string) =>
      counts.find((r) => r.check_name === check && r.outcome === outcome)?.n ?? 0;
    return {
      collectionId: c.id,
      collectionName: c.name,
      members,
      reported: await repo.reportedCount(db, c.id),
      checks: CLIENT_CHECK_NAMES.map((check) => ({
        check,
        passed: n(check, 'passed'),
        failed: n(check, 'failed'),
        remediated: n(check, 'remediated'),
      })),
    };
  }

  /** Report: devices whose latest outcome of a check is failed (optionally of one collection). */
  async failures(actor: Actor, q: ClientCheckFailuresQuery): Promise<ClientCheckFailureRow[]> {
    authorize(actor, 'read');
    const db = this.ctx.db.kysely;
    let collectionId: string | undefined;
    if (q.collection !== undefined) {
      const c = await findCollection(db, q.collection);
      if (!c) throw new NotFoundError('collection', q.collection, ErrorCode.COLLECTION_NOT_FOUND);
      collectionId = c.id;
    }
    const rows = await repo.devicesFailing(db, {
      check: q.check,
      ...(collectionId === undefined ? {} : { collectionId }),
    });
    return rows.map((r) => ({
      deviceId: r.device_id,
      deviceName: r.device_name,
      check: q.check,
      detail: r.detail,
      at: r.at,
    }));
  }
}
