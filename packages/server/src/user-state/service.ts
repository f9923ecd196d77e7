import { randomBytes, randomUUID } from 'node:crypto';
import {
  ConflictError,
  DpStateMigrationOptions,
  ErrorCode,
  InputError,
  NotFoundError,
  OS_IMAGE_CAPTURE_TOKEN_SECONDS,
  settingsDefaults,
  type ComputerAssociation,
  type ComputerKind,
  type CreateComputerAssociationRequest,
  type DpStateMigration,
  type DpStateMigrationAssigned,
  type SettingValues,
  type UpdateDpStateMigrationRequest,
  type UserStateListQuery,
  type UserStateRecord,
} from '@steward/protocol';
import { authorize, nowIso, type Actor, type SiteContext } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { inTransaction } from '../db/database.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { getDpRole, updateDpRole, type DpRole } from '../distribution/dp-role-settings.js';
import { findDeviceByIdOrName } from '../devices/repository.js';
import { findImportedComputer, findUnknownComputer } from '../boot-images/repository.js';
import * as repo from './repository.js';

type Options = SettingValues<typeof DpStateMigrationOptions>;

export function smpOptionsOf(row: repo.DpStateMigrationRow | undefined): Options {
  if (!row) return settingsDefaults(DpStateMigrationOptions);
  return {
    enabled: row.enabled === 1,
    storageFolder: row.storage_folder,
    maxClients: row.max_clients,
    retentionDays: row.retention_days,
    minFreeMiB: row.min_free_mib,
  };
}

export function toRecord(r: repo.UserStateRow, dpName: string): UserStateRecord {
  return {
    id: r.id,
    sourceComputerId: r.source_computer_id,
    sourceName: r.source_name,
    destinationComputerId: r.destination_computer_id,
    destinationName: r.destination_name,
    state: r.state,
    store: r.store,
    dpId: r.dp_id,
    dpName,
    sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
    sha256: r.sha256,
    createdAt: r.created_at,
    capturedAt: r.captured_at,
    restoredAt: r.restored_at,
    expiredAt: r.expired_at,
  };
}

function toAssociation(r: repo.AssociationRow): ComputerAssociation {
  return {
    id: r.id,
    sourceComputerId: r.source_computer_id,
    sourceKind: r.source_kind,
    sourceName: r.source_name,
    destinationComputerId: r.destination_computer_id,
    destinationKind: r.destination_kind,
    destinationName: r.destination_name,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

/** A computer of the site: a device, an imported computer or an unknown computer. */
export interface Computer {
  id: string;
  kind: ComputerKind;
  name: string;
}

const DAY_MS = 24 * 3600 * 1000;

/** The state migration point as a role of a DP (dp-role-settings.ts). */
const SMP_ROLE: DpRole<typeof DpStateMigrationOptions> = {
  declaration: DpStateMigrationOptions,
  read: async (db, dpId) => {
    const row = await repo.findDpStateMigration(db, dpId);
    return {
      values: smpOptionsOf(row),
      updatedAt: row?.updated_at ?? null,
      updatedBy: row?.updated_by ?? null,
    };
  },
  write: (db, dpId, next, by) =>
    repo.saveDpStateMigration(db, {
      dp_id: dpId,
      enabled: next.enabled ? 1 : 0,
      storage_folder: next.storageFolder,
      max_clients: next.maxClients,
      retention_days: next.retentionDays,
      min_free_mib: next.minFreeMiB,
      updated_at: by.at,
      updated_by: by.user,
    }),
  enabled: (o) => o.enabled,
  siteServer: {
    code: ErrorCode.SMP_SITE_SERVER_DP,
    message:
      "the site server's own distribution point is no state migration point: enable the role on a standalone DP (steward server --roles dp)",
  },
  auditAction: 'distribution-point.state-migration',
  status: 'DP_STATE_MIGRATION_CHANGED',
};

/**
 * User state on the site (issue 11, ADR 0096): the state migration point role of DPs, the
 * records of user-state captures (list, show, delete; retention after restore) and the computer
 * associations of the replace scenario. A run's own calls are in run-service.ts.
 */
export class UserStateService {
  constructor(private readonly ctx: SiteContext) {}

  private get db() {
    return this.ctx.db.kysely;
  }

  // ---- the role on a DP ----

  getPoint(actor: Actor, idOrName: string): Promise<DpStateMigration> {
    return getDpRole(this.ctx, actor, idOrName, SMP_ROLE);
  }

  /** Changes the fields given; the change and its status message 52630 are one transaction. */
  updatePoint(
    actor: Actor,
    idOrName: string,
    patch: UpdateDpStateMigrationRequest,
  ): Promise<DpStateMigration> {
    return updateDpRole(this.ctx, actor, idOrName, patch, SMP_ROLE);
  }

  /**
   * What a DP gets with its assignments: its settings and every record whose archive it keeps
   * (none when it never had the role and holds nothing).
   */
  async assigned(dpId: string): Promise<DpStateMigrationAssigned | undefined> {
    const row = await repo.findDpStateMigration(this.db, dpId);
    if (!row) return undefined;
    return { ...smpOptionsOf(row), keepRecordIds: await repo.holdingIds(this.db, dpId) };
  }

  // ---- records ----

  private async dpNames(): Promise<Map<string, string>> {
    const dps = await repo.dpsById(this.db);
    return new Map([...dps].map(([id, dp]) => [id, dp.name]));
  }

  async list(actor: Actor, q: UserStateListQuery): Promise<UserStateRecord[]> {
    authorize(actor, 'read');
    const computer = q.computer
      ? ((await this.findComputer(q.computer))?.id ?? q.computer)
      : undefined;
    const rows = await repo.listRecords(this.db, { ...q, ...(computer ? { computer } : {}) });
    const names = await this.dpNames();
    return rows.map((r) => toRecord(r, names.get(r.dp_id) ?? r.dp_id));
  }

  async get(actor: Actor, id: string): Promise<UserStateRecord> {
    authorize(actor, 'read');
    const row = await repo.findRecord(this.db, id);
    if (!row) throw new NotFoundError('user-state record', id, ErrorCode.USER_STATE_NOT_FOUND);
    return toRecord(row, (await this.dpNames()).get(row.dp_id) ?? row.dp_id);
  }

  /** Deletes the record; its point deletes the archive at its next poll (not in its keep list). */
  async delete(actor: Actor, id: string): Promise<void> {
    authorize(actor, 'devices:write');
    const at = nowIso(this.ctx);
    await inTransaction(this.db, async (tx) => {
      if (!(await repo.deleteRecord(tx, id)))
        throw new NotFoundError('user-state record', id, ErrorCode.USER_STATE_NOT_FOUND);
      await writeAudit(tx, actor, at, {
        action: 'user-state.delete',
        targetType: 'user-state-record',
        targetId: id,
        details: {},
      });
    });
  }

  /**
   * Retention (a site job): a restored record whose point's retention days have passed since
   * its restore expires, and so does a capture still requested after its run's token expired;
   * the point deletes the archive at its next poll. Answers how many.
   */
  async expireRestored(): Promise<number> {
    const now = this.ctx.clock.now().getTime();
    let expired = 0;
    const names = await this.dpNames();
    for (const r of await repo.restoredWithRetention(this.db)) {
      const days = r.retention_days ?? settingsDefaults(DpStateMigrationOptions).retentionDays;
      const restored = Date.parse(r.restored_at ?? r.created_at);
      if (restored + days * DAY_MS > now) continue;
      await inTransaction(this.db, async (tx) => {
        await repo.updateRecord(tx, r.id, { state: 'expired', expired_at: nowIso(this.ctx) });
        await raiseSiteStatus(
          this.ctx,
          {
            message: 'USER_STATE_EXPIRED',
            insertionStrings: [r.id, r.source_name, String(days), names.get(r.dp_id) ?? r.dp_id],
            attributes: { recordId: r.id, dpId: r.dp_id },
          },
          tx,
        );
      });
      expired += 1;
    }
    // A capture that never finished (its run failed or stopped): once its run's token can no
    // longer upload, the record expires and its point drops whatever part it kept.
    const stale = new Date(now - OS_IMAGE_CAPTURE_TOKEN_SECONDS * 1000).toISOString();
    for (const r of await repo.abandonedRequests(this.db, stale)) {
      await repo.updateRecord(this.db, r.id, { state: 'expired', expired_at: nowIso(this.ctx) });
      expired += 1;
    }
    return expired;
  }

  // ---- computers and associations ----

  /** A device (id or name), an imported computer (id or name) or an unknown computer (id). */
  async findComputer(idOrName: string): Promise<Computer | undefined> {
    const device = await findDeviceByIdOrName(this.ctx, idOrName);
    if (device) return { id: device.id, kind: 'device', name: device.name };
    const imported = await findImportedComputer(this.db, idOrName);
    if (imported) return { id: imported.id, kind: 'imported', name: imported.name };
    const unknown = await findUnknownComputer(this.db, idOrName);
    if (unknown) return { id: unknown.id, kind: 'unknown', name: unknown.identity };
    return undefined;
  }

  private async mustFindComputer(idOrName: string, field: string): Promise<Computer> {
    const c = await this.findComputer(idOrName);
    if (!c)
      throw new NotFoundError(
        `computer (${field}: a device, an imported or an unknown computer)`,
        idOrName,
        ErrorCode.COMPUTER_NOT_FOUND,
      );
    return c;
  }

  async associations(actor: Actor): Promise<ComputerAssociation[]> {
    authorize(actor, 'read');
    return (await repo.listAssociations(this.db)).map(toAssociation);
  }

  /** Associates source with destination; state the source already captured is re-pointed. */
  async associate(
    actor: Actor,
    body: CreateComputerAssociationRequest,
  ): Promise<ComputerAssociation> {
    authorize(actor, 'devices:write');
    const source = await this.mustFindComputer(body.source, 'source');
    const destination = await this.mustFindComputer(body.destination, 'destination');
    if (source.id === destination.id)
      throw new InputError(
        ErrorCode.COMPUTER_ASSOCIATION_INVALID,
        'a computer cannot be associated with itself (a refresh restores its own state without one)',
        { field: 'destination' },
      );
    const at = nowIso(this.ctx);
    const id = randomUUID();
    await inTransaction(this.db, async (tx) => {
      const existing = await repo.findAssociationBySource(tx, source.id);
      if (existing)
        throw new ConflictError(
          ErrorCode.COMPUTER_ASSOCIATION_EXISTS,
          `${source.name} is already associated with ${existing.destination_name}: delete that association first`,
          { associationId: existing.id },
        );
      await repo.insertAssociation(tx, {
        id,
        source_computer_id: source.id,
        source_kind: source.kind,
        source_name: source.name,
        destination_computer_id: destination.id,
        destination_kind: destination.kind,
        destination_name: destination.name,
        created_at: at,
        created_by: actor.userName,
      });
      await repo.redirectCaptured(tx, source.id, destination);
      await raiseSiteStatus(
        this.ctx,
        {
          message: 'COMPUTER_ASSOCIATED',
          insertionStrings: [actor.userName, source.name, destination.name],
          attributes: { associationId: id, source: source.id, destination: destination.id },
        },
        tx,
      );
      await writeAudit(tx, actor, at, {
        action: 'computer-association.create',
        targetType: 'computer-association',
        targetId: id,
        details: { source: source.id, destination: destination.id },
      });
    });
    const row = await repo.findAssociationBySource(this.db, source.id);
    if (!row) throw new Error('the association just made is gone');
    return toAssociation(row);
  }

  async dissociate(actor: Actor, id: string): Promise<void> {
    authorize(actor, 'devices:write');
    const at = nowIso(this.ctx);
    await inTransaction(this.db, async (tx) => {
      if (!(await repo.deleteAssociation(tx, id)))
        throw new NotFoundError(
          'computer association',
          id,
          ErrorCode.COMPUTER_ASSOCIATION_NOT_FOUND,
        );
      await writeAudit(tx, actor, at, {
        action: 'computer-association.delete',
        targetType: 'computer-association',
        targetId: id,
        details: {},
      });
    });
  }

  /** A new record key (AES-256, base64). */
  static newKey(): string {
    return randomBytes(32).toString('base64');
  }
}
