import type { DeploymentNotifier } from '../deployments/notify.js';
import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  ErrorCode,
  InputError,
  type ListTaskSequencesQuery,
  NotFoundError,
  placedSteps,
  referencesOf,
  sequenceProblems,
  sequenceTree,
  SequenceSteps,
  type TargetVariables,
  type TaskSequence,
  type TaskSequenceBody,
  type TaskSequenceSummary,
  type TaskSequenceVersionSummary,
  Variables,
} from '@steward/protocol';
import { authorize, nowIso, type Actor, type SiteContext } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { parseJsonColumn } from '../db/corrupt-row.js';
import { inTransaction } from '../db/database.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { findCollection } from '../collections/repository.js';
import { findDeviceByIdOrName } from '../devices/repository.js';
import { raiseSiteStatus } from '../status/site-status.js';
import * as repo from './repository.js';

function summaryOf(r: repo.SequenceRow, stepCount: number): TaskSequenceSummary {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    kind: r.kind,
    version: r.version,
    stepCount,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  };
}

/**
 * Task sequences (issue 11, ADR 0069): saved as versions (every save is a new one, and a
 * deployment keeps the version it was made with), checked beyond their schema on save (unique
 * step ids, references that exist), and the variables of collections and devices.
 */
export class TaskSequenceService {
  constructor(
    private readonly ctx: SiteContext,
    /** Variables changed: the agents' deployed sequences carry them (ADR 0084). */
    private readonly notifier?: Pick<DeploymentNotifier, 'collectionsChanged' | 'devicesChanged'>,
  ) {}

  private async mustFind(idOrName: string): Promise<repo.SequenceRow> {
    const row = await repo.findSequence(this.ctx.db.kysely, idOrName);
    if (!row) throw new NotFoundError('task sequence', idOrName, ErrorCode.TASK_SEQUENCE_NOT_FOUND);
    return row;
  }

  private async toSequence(r: repo.SequenceRow, version: number): Promise<TaskSequence> {
    const v = await repo.findVersion(this.ctx.db.kysely, r.id, version);
    if (!v)
      throw new NotFoundError(
        'task sequence version',
        `${r.id}/${String(version)}`,
        ErrorCode.TASK_SEQUENCE_NOT_FOUND,
      );
    const ref = { table: 'task_sequence_version' as const, id: `${r.id}/${String(version)}` };
    return {
      ...summaryOf({ ...r, version }, v.step_count),
      steps: parseJsonColumn(SequenceSteps, v.steps, { ...ref, column: 'steps' }),
      variables: parseJsonColumn(Variables, v.variables, { ...ref, column: 'variables' }),
      bootImageId: v.boot_image_id,
    };
  }

  /** The checks a schema cannot make; every problem found is named in the error's details. */
  private async check(body: TaskSequenceBody): Promise<void> {
    const problems = sequenceProblems(body.steps);
    if (problems.length > 0)
      throw new InputError(
        ErrorCode.TASK_SEQUENCE_INVALID,
        `the sequence is not sound: ${problems.slice(0, 5).join('; ')}`,
        { problems },
      );
    const refs = referencesOf(body.steps);
    const db = this.ctx.db.kysely;
    const missing = {
      programs: await repo.missingIds(db, 'program', refs.programIds),
      // OS images are the OS-image domain's rows (ADR 0085), named by id.
      images: await repo.missingIds(db, 'os_image', refs.imageIds),
      drivers: await repo.missingIds(db, 'driver', refs.driverIds),
      upgradePackages: await repo.missingIds(db, 'upgrade_package', refs.upgradePackageIds),
      bootImages: await repo.missingIds(
        db,
        'boot_image',
        body.bootImageId ? [body.bootImageId] : [],
      ),
    };
    const names = [
      ...missing.programs.map((id) => `program ${id}`),
      ...missing.images.map((id) => `image ${id}`),
      ...missing.drivers.map((id) => `driver ${id}`),
      ...missing.upgradePackages.map((id) => `upgrade package ${id}`),
      ...missing.bootImages.map((id) => `boot image ${id}`),
    ];
    if (names.length > 0)
      throw new InputError(
        ErrorCode.TASK_SEQUENCE_REFERENCE_NOT_FOUND,
        `the sequence refers to what the library does not hold: ${names.join(', ')}`,
        missing,
      );
  }

  async list(
    actor: Actor,
    q: ListTaskSequencesQuery,
  ): Promise<{ items: TaskSequenceSummary[]; total: number }> {
    authorize(actor, 'read');
    const { rows, total } = await repo.listSequences(this.ctx.db.kysely, {
      ...(q.search !== undefined ? { search: q.search } : {}),
      ...(q.kind !== undefined ? { kind: q.kind } : {}),
      offset: q.offset ?? 0,
      limit: q.limit ?? 50,
    });
    return { items: rows.map((r) => summaryOf(r, r.step_count)), total };
  }

  async get(actor: Actor, idOrName: string): Promise<TaskSequence> {
    authorize(actor, 'read');
    const r = await this.mustFind(idOrName);
    return this.toSequence(r, r.version);
  }

  async getVersion(actor: Actor, idOrName: string, version: number): Promise<TaskSequence> {
    authorize(actor, 'read');
    return this.toSequence(await this.mustFind(idOrName), version);
  }

  async versions(actor: Actor, idOrName: string): Promise<TaskSequenceVersionSummary[]> {
    authorize(actor, 'read');
    const r = await this.mustFind(idOrName);
    const rows = await repo.versionsOf(this.ctx.db.kysely, r.id);
    return rows.map((v) => ({
      version: v.version,
      stepCount: v.step_count,
      createdAt: v.created_at,
      createdBy: v.created_by,
    }));
  }

  async create(actor: Actor, body: TaskSequenceBody): Promise<TaskSequence> {
    authorize(actor, 'software:write');
    await this.check(body);
    const id = randomUUID();
    const at = nowIso(this.ctx);
    await this.saving(body.name, () =>
      inTransaction(this.ctx.db.kysely, async (tx) => {
        await repo.insertSequence(tx, {
          id,
          name: body.name,
          description: body.description ?? '',
          kind: body.kind,
          version: 1,
          created_at: at,
          updated_at: at,
          updated_by: actor.userName,
        });
        await this.saveVersion(tx, actor, id, 1, body, at);
      }),
    );
    return this.get(actor, id);
  }

  /** Saves a new version; the old ones stay for the deployments made with them. */
  async update(actor: Actor, idOrName: string, body: TaskSequenceBody): Promise<TaskSequence> {
    authorize(actor, 'software:write');
    const current = await this.mustFind(idOrName);
    await this.check(body);
    const at = nowIso(this.ctx);
    await this.saving(body.name, () =>
      inTransaction(this.ctx.db.kysely, async (tx) => {
        // Read again inside the transaction: two saves at once must not make the same version.
        const r = await repo.findSequence(tx, current.id);
        if (!r)
          throw new NotFoundError('task sequence', idOrName, ErrorCode.TASK_SEQUENCE_NOT_FOUND);
        const version = r.version + 1;
        await repo.setCurrentVersion(tx, r.id, {
          name: body.name,
          description: body.description ?? '',
          kind: body.kind,
          version,
          updated_at: at,
          updated_by: actor.userName,
        });
        await this.saveVersion(tx, actor, r.id, version, body, at);
      }),
    );
    return this.get(actor, current.id);
  }

  private async saving(name: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ConflictError(
          ErrorCode.TASK_SEQUENCE_NAME_TAKEN,
          `a task sequence named "${name}" exists`,
        );
      throw err;
    }
  }

  private async saveVersion(
    tx: Parameters<typeof repo.insertVersion>[0],
    actor: Actor,
    id: string,
    version: number,
    body: TaskSequenceBody,
    at: string,
  ): Promise<void> {
    await repo.insertVersion(tx, {
      sequence_id: id,
      version,
      steps: JSON.stringify(body.steps),
      variables: JSON.stringify(body.variables ?? {}),
      step_count: placedSteps(sequenceTree(body.steps)).length,
      boot_image_id: body.bootImageId ?? null,
      created_at: at,
      created_by: actor.userName,
    });
    await writeAudit(tx, actor, at, {
      action: 'task-sequence.save',
      targetType: 'task-sequence',
      targetId: id,
      details: { version },
    });
    await raiseSiteStatus(
      this.ctx,
      {
        message: 'TASK_SEQUENCE_SAVED',
        insertionStrings: [actor.userName, body.name, String(version)],
        attributes: { taskSequence: id },
      },
      tx,
    );
  }

  async delete(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'software:write');
    const r = await this.mustFind(idOrName);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      if ((await repo.deploymentCount(tx, r.id)) > 0)
        throw new ConflictError(
          ErrorCode.TASK_SEQUENCE_DEPLOYED,
          `task sequence "${r.name}" is deployed: delete its deployments first`,
        );
      await repo.deleteSequence(tx, r.id);
      await writeAudit(tx, actor, at, {
        action: 'task-sequence.delete',
        targetType: 'task-sequence',
        targetId: r.id,
      });
      await raiseSiteStatus(
        this.ctx,
        {
          message: 'TASK_SEQUENCE_DELETED',
          insertionStrings: [actor.userName, r.name],
          attributes: { taskSequence: r.id },
        },
        tx,
      );
    });
  }

  private async targetId(kind: 'collection' | 'device', idOrName: string): Promise<string> {
    const row =
      kind === 'collection'
        ? await findCollection(this.ctx.db.kysely, idOrName)
        : await findDeviceByIdOrName(this.ctx, idOrName);
    if (!row) throw new NotFoundError(kind, idOrName);
    return row.id;
  }

  async variables(
    actor: Actor,
    kind: 'collection' | 'device',
    idOrName: string,
  ): Promise<TargetVariables> {
    authorize(actor, 'read');
    const id = await this.targetId(kind, idOrName);
    return {
      variables: await repo.variablesOf(
        this.ctx.db.kysely,
        kind === 'collection' ? 'collection_ts_variable' : 'device_ts_variable',
        id,
      ),
    };
  }

  async setVariables(
    actor: Actor,
    kind: 'collection' | 'device',
    idOrName: string,
    body: TargetVariables,
  ): Promise<TargetVariables> {
    authorize(actor, kind === 'collection' ? 'collections:write' : 'devices:write');
    const id = await this.targetId(kind, idOrName);
    const names = body.variables.map((v) => v.name);
    const dup = names.filter((n, i) => names.indexOf(n) !== i);
    if (dup.length > 0)
      throw new InputError(
        ErrorCode.TASK_SEQUENCE_INVALID,
        `variables must be named once: ${[...new Set(dup)].join(', ')}`,
      );
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await repo.replaceVariables(
        tx,
        kind === 'collection' ? 'collection_ts_variable' : 'device_ts_variable',
        id,
        body.variables,
      );
      await writeAudit(tx, actor, at, {
        action: 'task-sequence.variables',
        targetType: kind,
        targetId: id,
        details: { names },
      });
    });
    if (kind === 'collection') await this.notifier?.collectionsChanged([id], actor.userName);
    else await this.notifier?.devicesChanged([id], actor.userName);
    return this.variables(actor, kind, id);
  }
}
