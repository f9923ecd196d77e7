import {
  ConflictError,
  DeploymentOptions,
  NotFoundError,
  ErrorCode,
  withSettingDefaults,
} from '@steward/protocol';
import { randomUUID } from 'node:crypto';
import type {
  Deployment,
  DeploymentBody,
  DeploymentDeviceState,
  DeploymentSummary,
  ListDeploymentDevicesQuery,
  UpdateDeploymentRequest,
  RerunDeploymentRequest,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { checkRow } from '../db/corrupt-row.js';
import { writeAudit } from '../audit/audit.js';
import { findDeviceByIdOrName } from '../devices/repository.js';
import { currentVersionOf } from '../content/repository.js';
import { mustFindPackage } from '../content/find-package.js';
import * as repo from './deployment-repository.js';
import { dependencyEdges, findProgramRow } from './program-repository.js';
import { findCollection } from '../collections/repository.js';
import { columnChanges } from '../db/setting-columns.js';
import type { DeploymentNotifier } from './notify.js';
import { checkSchedule, type ScheduleFields } from './schedule-validation.js';
import { deploymentSummaries } from './summary.js';
import { deviceDeploymentStates, listDeploymentDevices } from './repository/monitoring.js';
import { addExtraAssignment, rerunDeployment } from './rerun.js';
import { type Queryable, inTransaction } from '../db/database.js';
import { ownerOfDeployment } from '../updates/deployments/deployment-repository.js';

/**
 * Who changes a deployment: the deployments API, or the update deployment that owns it (ADR
 * 0056), which is the only one allowed to change the deployments it owns.
 */
export interface ChangeOptions {
  byOwner?: boolean;
}

function scheduleOf(row: repo.DeploymentRow): ScheduleFields {
  checkRow('deployment', row.id, row);
  return {
    purpose: row.purpose,
    triggers: repo.triggersOf(row),
    availableAt: row.available_at,
    expiresAt: row.expires_at,
    timeBase: row.time_base,
    extraAssignments: repo.extraAssignmentsOf(row),
  };
}

/**
 * Deployments of a program to a collection: validation (nothing half-created), the per-device
 * revision that "rerun deployment" raises, extra one-off assignments, and monitoring. Every
 * change nudges the collection's devices to fetch their assignments again.
 */
export class DeploymentService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly notifier: DeploymentNotifier,
  ) {}

  private async mustFind(db: Queryable, id: string): Promise<repo.DeploymentRow> {
    const row = await repo.findDeploymentRow(db, id);
    if (!row) throw new NotFoundError('deployment', id, ErrorCode.DEPLOYMENT_NOT_FOUND);
    return row;
  }

  /**
   * An update deployment's software deployment carries its schedule, options and states: edited
   * on its own it would drift from the update deployment (a program swapped, a deadline moved
   * that the update deployment still shows), so only the owner changes it.
   */
  private async refuseOwned(db: Queryable, id: string, opts: ChangeOptions): Promise<void> {
    if (opts.byOwner) return;
    const owner = await ownerOfDeployment(db, id);
    if (owner)
      throw new ConflictError(
        ErrorCode.DEPLOYMENT_OWNED_BY_UPDATE_DEPLOYMENT,
        `this deployment belongs to the update deployment "${owner.name}": change, rerun or ` +
          `delete it there (steward update deployment ... "${owner.name}")`,
        { updateDeploymentId: owner.id, updateDeploymentName: owner.name },
      );
  }

  private async withSummaries(rows: repo.DeploymentRow[]): Promise<Deployment[]> {
    const summaries = await deploymentSummaries(this.ctx.db.kysely, rows, this.ctx.clock.now());
    return rows.map((r) => {
      const summary = summaries.get(r.id);
      return { ...repo.toDeployment(r), ...(summary ? { summary } : {}) };
    });
  }

  async list(
    actor: Actor,
    q: {
      program?: string | undefined;
      collection?: string | undefined;
      package?: string | undefined;
    },
  ): Promise<Deployment[]> {
    authorize(actor, 'read');
    const db = this.ctx.db.kysely;
    const filter: { programId?: string; collectionId?: string; packageId?: string } = {};
    if (q.program !== undefined) filter.programId = q.program;
    if (q.collection !== undefined) {
      const c = await findCollection(db, q.collection);
      if (!c) throw new NotFoundError('collection', q.collection, ErrorCode.COLLECTION_NOT_FOUND);
      filter.collectionId = c.id;
    }
    if (q.package !== undefined) {
      filter.packageId = (await mustFindPackage(db, q.package)).id;
    }
    return this.withSummaries(await repo.listDeploymentRows(db, filter));
  }

  async get(actor: Actor, id: string): Promise<Deployment> {
    authorize(actor, 'read');
    const [d] = await this.withSummaries([await this.mustFind(this.ctx.db.kysely, id)]);
    if (!d) throw new NotFoundError('deployment', id, ErrorCode.DEPLOYMENT_NOT_FOUND);
    return d;
  }

  async create(actor: Actor, body: DeploymentBody): Promise<Deployment> {
    authorize(actor, 'deployments:write');
    const id = await inTransaction(this.ctx.db.kysely, (tx) =>
      this.createInTransaction(tx, actor, body),
    );
    await this.nudgeDeployment(id, actor.userName);
    return this.get(actor, id);
  }

  /**
   * Validates and inserts a deployment inside the caller's transaction (phased deployments
   * create theirs with their own rows); the caller nudges with nudgeDeployment after commit.
   */
  async createInTransaction(
    tx: Queryable,
    actor: Actor,
    body: DeploymentBody,
    extra: { phasedDeploymentId?: string } = {},
  ): Promise<string> {
    authorize(actor, 'deployments:write');
    const program = await findProgramRow(tx, body.programId);
    if (!program) throw new NotFoundError('program', body.programId, ErrorCode.PROGRAM_NOT_FOUND);
    const collection = await findCollection(tx, body.collectionId);
    if (!collection)
      throw new NotFoundError('collection', body.collectionId, ErrorCode.COLLECTION_NOT_FOUND);
    const schedule: ScheduleFields = {
      purpose: body.purpose,
      triggers: body.triggers ?? [],
      availableAt: body.availableAt ?? null,
      expiresAt: body.expiresAt ?? null,
      timeBase: body.timeBase ?? 'utc',
      extraAssignments: [],
    };
    checkSchedule(schedule, this.ctx.clock.now(), { triggers: true, expiresAt: true });
    await this.requireContent(tx, program.id);
    const id = randomUUID();
    const at = nowIso(this.ctx);
    const name = body.name ?? `${program.name} to ${collection.name}`;
    // Options the body leaves out take the protocol's declared defaults.
    const options = withSettingDefaults(DeploymentOptions, body);
    await repo.insertDeployment(
      tx,
      {
        id,
        name,
        program_id: program.id,
        collection_id: collection.id,
        purpose: body.purpose,
        triggers: JSON.stringify(schedule.triggers),
        available_at: schedule.availableAt,
        expires_at: schedule.expiresAt,
        time_base: schedule.timeBase,
        revision: 1,
        extra_assignments: JSON.stringify([]),
        phased_deployment_id: extra.phasedDeploymentId ?? null,
        created_by: actor.userName,
        created_at: at,
        updated_at: at,
      },
      options,
    );
    await writeAudit(tx, actor, at, {
      action: 'deployment.create',
      targetType: 'deployment',
      targetId: id,
      details: {
        name,
        program: program.name,
        collection: collection.name,
        purpose: body.purpose,
        // Allowed, but said: a deployment of a disabled program runs nothing until it is enabled.
        ...(program.disabled === 1 ? { programDisabled: true } : {}),
      },
    });
    return id;
  }

  /** The program and every program it needs first must have content clients can be given. */
  private async requireContent(tx: Queryable, programId: string): Promise<void> {
    const edges = await dependencyEdges(tx);
    const seen = new Set<string>();
    for (let p: string | null | undefined = programId; p && !seen.has(p); p = edges.get(p)) {
      seen.add(p);
      const row = await findProgramRow(tx, p);
      if (!row) continue;
      if (!(await currentVersionOf(tx, row.package_id)))
        throw new ConflictError(
          ErrorCode.CONTENT_MISSING,
          `package "${row.package_name}" of program "${row.name}" has no content yet: add a version first`,
          { packageId: row.package_id, programId: row.id },
        );
    }
  }

  async update(
    actor: Actor,
    id: string,
    patch: UpdateDeploymentRequest,
    opts: ChangeOptions = {},
  ): Promise<Deployment> {
    authorize(actor, 'deployments:write');
    const at = nowIso(this.ctx);
    const set = columnChanges(repo.UPDATE_COLUMNS, patch);
    const collectionId = await inTransaction(this.ctx.db.kysely, async (tx) => {
      const row = await this.mustFind(tx, id);
      await this.refuseOwned(tx, row.id, opts);
      const before = scheduleOf(row);
      checkSchedule(
        {
          ...before,
          purpose: patch.purpose ?? before.purpose,
          triggers: patch.triggers ?? before.triggers,
          availableAt: patch.availableAt ?? before.availableAt,
          expiresAt: patch.expiresAt === undefined ? before.expiresAt : patch.expiresAt,
          timeBase: patch.timeBase ?? before.timeBase,
        },
        this.ctx.clock.now(),
        {
          triggers: patch.triggers !== undefined || patch.timeBase !== undefined,
          expiresAt: patch.expiresAt !== undefined || patch.timeBase !== undefined,
        },
      );
      if (Object.keys(set).length === 0) return undefined;
      await repo.updateDeployment(tx, { id: row.id, set, updatedAt: at });
      await writeAudit(tx, actor, at, {
        action: 'deployment.update',
        targetType: 'deployment',
        targetId: row.id,
        details: { name: row.name, changes: patch },
      });
      return row.collection_id;
    });
    if (collectionId) await this.notifier.collectionsChanged([collectionId], actor.userName);
    return this.get(actor, id);
  }

  /**
   * What the deployment's assignments carry changed outside its own row (an update deployment's
   * options travel in `updateInstall`): its collection's agents fetch them now.
   */
  async assignmentsChanged(actor: Actor, id: string): Promise<void> {
    const row = await this.mustFind(this.ctx.db.kysely, id);
    await this.notifier.collectionsChanged([row.collection_id], actor.userName);
  }

  /** A phase of a phased deployment is removed with its rollout, not on its own. */
  async remove(actor: Actor, id: string, opts: ChangeOptions = {}): Promise<void> {
    authorize(actor, 'deployments:write');
    const at = nowIso(this.ctx);
    const collectionId = await inTransaction(this.ctx.db.kysely, async (tx) => {
      const row = await this.mustFind(tx, id);
      await this.refuseOwned(tx, row.id, opts);
      if (row.phased_deployment_id !== null)
        throw new ConflictError(
          ErrorCode.DEPLOYMENT_PHASED,
          `"${row.name}" is a phase of a phased deployment; halt or delete the rollout instead`,
          { phasedDeploymentId: row.phased_deployment_id },
        );
      await repo.deleteDeployment(tx, row.id);
      await writeAudit(tx, actor, at, {
        action: 'deployment.delete',
        targetType: 'deployment',
        targetId: row.id,
        details: { name: row.name, program: row.program_name, collection: row.collection_name },
      });
      return row.collection_id;
    });
    await this.notifier.collectionsChanged([collectionId], actor.userName);
  }

  /** "Rerun deployment": every device (deviceIds omitted) or only these get a new revision. */
  async rerun(
    actor: Actor,
    id: string,
    req: RerunDeploymentRequest = {},
    opts: ChangeOptions = {},
  ): Promise<Deployment> {
    authorize(actor, 'deployments:write');
    await this.refuseOwned(
      this.ctx.db.kysely,
      (await this.mustFind(this.ctx.db.kysely, id)).id,
      opts,
    );
    const r = await rerunDeployment(this.ctx, actor, id, req);
    if (req.deviceIds === undefined && req.filter === undefined)
      await this.notifier.collectionsChanged([r.collectionId], actor.userName);
    else await this.notifier.devicesChanged(r.deviceIds, actor.userName);
    return this.get(actor, id);
  }

  /** An extra one-off assignment (a wall time in the deployment's time base). */
  async addAssignment(actor: Actor, id: string, at: string): Promise<Deployment> {
    authorize(actor, 'deployments:write');
    await this.refuseOwned(
      this.ctx.db.kysely,
      (await this.mustFind(this.ctx.db.kysely, id)).id,
      {},
    );
    const collectionId = await addExtraAssignment(this.ctx, actor, id, at);
    await this.notifier.collectionsChanged([collectionId], actor.userName);
    return this.get(actor, id);
  }

  /** Drops cached assignments and nudges the deployment's collection (after a commit). */
  async nudgeDeployment(deploymentId: string, requestedBy = 'system'): Promise<void> {
    const collectionId = await repo.collectionOfDeployment(this.ctx.db.kysely, deploymentId);
    if (collectionId) await this.notifier.collectionsChanged([collectionId], requestedBy);
  }

  async summary(actor: Actor, id: string): Promise<DeploymentSummary> {
    const d = await this.get(actor, id);
    if (!d.summary) throw new NotFoundError('deployment', id, ErrorCode.DEPLOYMENT_NOT_FOUND);
    return d.summary;
  }

  async devices(
    actor: Actor,
    id: string,
    q: ListDeploymentDevicesQuery,
  ): Promise<{ items: DeploymentDeviceState[]; total: number }> {
    authorize(actor, 'read');
    const db = this.ctx.db.kysely;
    return listDeploymentDevices(db, await this.mustFind(db, id), q, this.ctx.clock.now());
  }

  async deviceDeployments(actor: Actor, deviceIdOrName: string): Promise<DeploymentDeviceState[]> {
    authorize(actor, 'read');
    const device = await findDeviceByIdOrName(this.ctx, deviceIdOrName);
    if (!device) throw new NotFoundError('device', deviceIdOrName, ErrorCode.DEVICE_NOT_FOUND);
    return deviceDeploymentStates(this.ctx.db.kysely, device, this.ctx.clock.now());
  }
}
