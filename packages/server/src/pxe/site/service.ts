import {
  ConflictError,
  DpPxeSettingsOptions,
  ErrorCode,
  NotFoundError,
  patchedSettings,
  settingsDefaults,
  type DpPxe,
  type DpPxeActivity,
  type DpPxeActivityQuery,
  type DpPxeAssigned,
  type PxeActivityEntry,
  type UpdateDpPxeRequest,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../../context.js';
import { authorize, nowIso } from '../../context.js';
import { writeAudit } from '../../audit/audit.js';
import { inTransaction } from '../../db/database.js';
import { resolveBoundaryGroupIds } from '../../distribution/boundary-repository.js';
import { mustFindDp } from '../../distribution/dp-service.js';
import { raiseSiteStatus } from '../../status/site-status.js';
import { hashPassword } from '../../users/password.js';
import { normaliseMac } from '../boot-decision.js';
import * as repo from './repository.js';

/** Entries kept per DP: enough to follow a few machines' boots, bounded against a flood. */
export const PXE_ACTIVITY_KEPT = 2000;

type Options = ReturnType<typeof settingsDefaults<typeof DpPxeSettingsOptions>>;

function optionsOf(row: repo.DpPxeRow | undefined): Options {
  if (!row) return settingsDefaults(DpPxeSettingsOptions);
  return {
    enabled: row.enabled === 1,
    answerBios: row.answer_bios === 1,
    answerUefi: row.answer_uefi === 1,
    respondToUnknown: row.respond_to_unknown === 1,
    responseDelaySeconds: row.response_delay_seconds,
    httpPort: row.http_port,
  };
}

function toEntry(r: repo.PxeActivityRow): DpPxeActivity['items'][number] {
  return {
    dpId: r.dp_id,
    at: r.at,
    stage: r.stage,
    client: r.client,
    ...(r.uuid !== null ? { uuid: r.uuid } : {}),
    ...(r.firmware !== null ? { firmware: r.firmware } : {}),
    ...(r.address !== null ? { address: r.address } : {}),
    answered: r.answered === 1,
    detail: r.detail,
  };
}

/**
 * A DP's PXE responder managed on the site (issue 11, ADR 0079): settings an administrator
 * changes here, sent to the DP process with its assignments (it applies them without a
 * restart), and the PXE requests the DP reports, kept per DP for the activity view.
 */
export class DpPxeService {
  constructor(private readonly ctx: SiteContext) {}

  private get db() {
    return this.ctx.db.kysely;
  }

  async get(actor: Actor, idOrName: string): Promise<DpPxe> {
    authorize(actor, 'read');
    const dp = await mustFindDp(this.db, idOrName);
    return this.load(dp.id);
  }

  private async load(dpId: string): Promise<DpPxe> {
    const row = await repo.findDpPxe(this.db, dpId);
    return {
      dpId,
      ...optionsOf(row),
      serverAddress: row?.server_address ?? null,
      boundaryGroupIds: await repo.pxeBoundaryGroupIds(this.db, dpId),
      passwordSet: row?.password_hash != null,
      updatedAt: row?.updated_at ?? null,
      updatedBy: row?.updated_by ?? null,
    };
  }

  /** Changes the fields given; the change and its status message 52481 are one transaction. */
  async update(actor: Actor, idOrName: string, patch: UpdateDpPxeRequest): Promise<DpPxe> {
    authorize(actor, 'software:write');
    const dp = await mustFindDp(this.db, idOrName);
    if (dp.is_site_server === 1)
      throw new ConflictError(
        ErrorCode.PXE_SITE_SERVER_DP,
        "the site server's own distribution point has no PXE responder: install a standalone DP on the PXE network (steward server --roles dp)",
      );
    let groupIds: string[] | undefined;
    if (patch.boundaryGroupIds !== undefined) {
      const resolved = await resolveBoundaryGroupIds(this.db, patch.boundaryGroupIds);
      if (resolved.unknown !== undefined)
        throw new NotFoundError(
          'boundary group',
          resolved.unknown,
          ErrorCode.BOUNDARY_GROUP_NOT_FOUND,
        );
      groupIds = resolved.ids;
    }
    const passwordHash =
      typeof patch.password === 'string' ? await hashPassword(patch.password) : patch.password;
    const at = nowIso(this.ctx);
    await inTransaction(this.db, async (tx) => {
      const row = await repo.findDpPxe(tx, dp.id);
      const next = { ...optionsOf(row), ...patchedSettings(DpPxeSettingsOptions, patch) };
      await repo.saveDpPxe(tx, {
        dp_id: dp.id,
        enabled: next.enabled ? 1 : 0,
        answer_bios: next.answerBios ? 1 : 0,
        answer_uefi: next.answerUefi ? 1 : 0,
        respond_to_unknown: next.respondToUnknown ? 1 : 0,
        response_delay_seconds: next.responseDelaySeconds,
        http_port: next.httpPort,
        server_address:
          patch.serverAddress !== undefined ? patch.serverAddress : (row?.server_address ?? null),
        password_hash: passwordHash !== undefined ? passwordHash : (row?.password_hash ?? null),
        updated_at: at,
        updated_by: actor.userName,
      });
      if (groupIds !== undefined) await repo.setPxeBoundaryGroups(tx, dp.id, groupIds);
      // The password never reaches the audit log or a status message: only that it changed.
      const { password: _, ...shown } = patch;
      const details = {
        ...shown,
        ...(patch.password !== undefined ? { password: 'changed' } : {}),
      };
      await writeAudit(tx, actor, at, {
        action: 'distribution-point.pxe',
        targetType: 'distribution-point',
        targetId: dp.id,
        details: { name: dp.name, ...details },
      });
      await raiseSiteStatus(
        this.ctx,
        {
          message: 'DP_PXE_SETTINGS_CHANGED',
          insertionStrings: [
            actor.userName,
            dp.name,
            next.enabled ? 'enabled' : 'disabled',
            Object.keys(details).join(', ') || 'nothing',
          ],
          attributes: { dpId: dp.id },
        },
        tx,
      );
    });
    await this.ctx.bus.publish('status-ingested', { count: 1 });
    return this.load(dp.id);
  }

  async activity(actor: Actor, idOrName: string, q: DpPxeActivityQuery): Promise<DpPxeActivity> {
    authorize(actor, 'read');
    const dp = await mustFindDp(this.db, idOrName);
    const client = q.mac !== undefined ? normaliseMac(q.mac) : undefined;
    const rows = await repo.listPxeActivity(this.db, {
      dpId: dp.id,
      client,
      limit: q.limit ?? 100,
    });
    return { dpId: dp.id, items: rows.map(toEntry) };
  }

  /**
   * What a DP process gets with its assignments; undefined when the site holds no PXE settings
   * for it (the DP then keeps to its own pxe.json, as before ADR 0079).
   */
  async assigned(dpId: string): Promise<DpPxeAssigned | undefined> {
    const row = await repo.findDpPxe(this.db, dpId);
    if (!row) return undefined;
    const groups = await repo.pxeBoundaryGroupIds(this.db, dpId);
    return {
      ...optionsOf(row),
      serverAddress: row.server_address,
      ranges: groups.length > 0 ? await repo.pxeRanges(this.db, dpId) : null,
      passwordHash: row.password_hash,
    };
  }

  /** A DP's report of the PXE requests it saw; the log keeps the newest PXE_ACTIVITY_KEPT. */
  async report(dpId: string, entries: readonly PxeActivityEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await inTransaction(this.db, async (tx) => {
      await repo.insertPxeActivity(
        tx,
        entries.map((e) => ({
          dp_id: dpId,
          at: e.at,
          stage: e.stage,
          client: e.client,
          uuid: e.uuid ?? null,
          firmware: e.firmware ?? null,
          address: e.address ?? null,
          answered: e.answered ? 1 : 0,
          detail: e.detail,
        })),
      );
      await repo.trimPxeActivity(tx, dpId, PXE_ACTIVITY_KEPT);
    });
  }
}
