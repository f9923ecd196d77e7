import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  StatusMessages,
  TaskSequenceRunAttribute,
  UpgradeReport,
  ErrorCode,
  InputError,
  NotFoundError,
  SequenceProgress,
  type ListTaskSequenceDeploymentsQuery,
  type TaskSequenceDeployment,
  type TaskSequenceDeploymentBody,
  type TaskSequenceRun,
  type TaskSequenceRunCounts,
  type TaskSequenceRuns,
  type UpdateTaskSequenceDeploymentRequest,
} from '@steward/protocol';
import { authorize, nowIso, type Actor, type SiteContext } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { parseJsonColumn } from '../db/corrupt-row.js';
import { inTransaction } from '../db/database.js';
import { findCollection } from '../collections/repository.js';
import { findDeviceByIdOrName } from '../devices/repository.js';
import { deviceMessagesOfId } from '../status/repository.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { hashPassword } from '../users/password.js';
import type { DeploymentNotifier } from '../deployments/notify.js';
import * as seqRepo from './repository.js';
import * as repo from './deployment-repository.js';
import * as bootRepo from './boot-run-repository.js';
import type { BootRunView } from './boot-run-repository.js';
import { bootRunProgress } from './boot-runs.js';

type Counts = Awaited<ReturnType<typeof repo.runCounts>>;

function countsOf(
  c: Counts extends Map<string, infer V> ? V | undefined : never,
): TaskSequenceRunCounts {
  const n = (s: repo.RunState) => (c?.states.get(s) ?? 0) + (c?.bootStates.get(s) ?? 0);
  // Only the members' runs leave "targeted": a boot-environment run is a computer's.
  const started = [...(c?.states.values() ?? [])].reduce((a, b) => a + b, 0);
  return {
    targeted: Math.max(0, (c?.members ?? 0) - started),
    running: n('running'),
    restarting: n('restarting'),
    succeeded: n('succeeded'),
    failed: n('failed'),
  };
}

function toDeployment(r: repo.DeploymentView, counts: Counts): TaskSequenceDeployment {
  return {
    id: r.id,
    name: r.name,
    sequenceId: r.sequence_id,
    sequenceName: r.sequence_name,
    version: r.version,
    collectionId: r.collection_id,
    collectionName: r.collection_name,
    purpose: r.purpose,
    availableTo: r.available_to,
    availableAt: r.available_at,
    deadline: r.deadline,
    honorWindows: r.honor_windows === 1,
    rerun: r.rerun,
    enabled: r.enabled === 1,
    pxePasswordSet: r.pxe_password !== null,
    bootImageId: r.boot_image_id,
    counts: countsOf(counts.get(r.id)),
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

const StringMap = Type.Record(Type.String(), Type.String());
const Strings = Type.Array(Type.String());

function toRun(deploymentId: string, r: repo.RunView): TaskSequenceRun {
  return {
    deploymentId,
    deviceId: r.device_id,
    deviceName: r.device_name,
    computer: null,
    state: r.state ?? 'targeted',
    stepNumber: r.step_number ?? 0,
    stepCount: r.step_count ?? 0,
    currentStep: r.current_step,
    progress:
      r.progress === null
        ? null
        : parseJsonColumn(SequenceProgress, r.progress, {
            table: 'task_sequence_run',
            id: `${deploymentId}/${r.device_id}`,
            column: 'progress',
          }),
    updatedAt: r.updated_at,
  };
}

/** A boot environment's run (ADR 0103): named by its device once tied, else by its computer. */
function toBootRun(r: BootRunView): TaskSequenceRun {
  const ref = {
    table: 'task_sequence_boot_run' as const,
    id: `${r.deployment_id}/${r.computer_id}`,
  };
  return {
    deploymentId: r.deployment_id,
    deviceId: r.device_id,
    deviceName: r.device_name ?? r.computer_name,
    computer: {
      kind: r.computer_kind,
      id: r.computer_id,
      smbiosUuid: r.smbios_uuid,
      macs: parseJsonColumn(Strings, r.macs, { ...ref, column: 'macs' }),
    },
    state: r.state,
    stepNumber: r.step_number,
    stepCount: r.step_count,
    currentStep: r.current_step,
    progress: bootRunProgress(r),
    updatedAt: r.updated_at,
  };
}

/** Newest first: what a device's OSD tab lists. */
const byUpdated = (a: TaskSequenceRun, b: TaskSequenceRun) =>
  (b.updatedAt ?? '').localeCompare(a.updatedAt ?? '');

/** The settings a create or a PATCH leaves; checked as a whole (ADR 0076). */
interface Settled {
  purpose: TaskSequenceDeployment['purpose'];
  availableTo: TaskSequenceDeployment['availableTo'];
  availableAt: string | null;
  deadline: string | null;
  passwordSet: boolean;
}

function checkSettled(s: Settled): void {
  const bad = (message: string) =>
    new InputError(ErrorCode.TASK_SEQUENCE_DEPLOYMENT_INVALID, message);
  if (s.purpose === 'available' && s.deadline !== null)
    throw bad(
      'an available deployment has no deadline: make it required, or leave the deadline out',
    );
  if (s.purpose === 'required' && s.deadline === null && s.availableTo !== 'media-and-pxe')
    throw bad('a required deployment to clients needs a deadline (when the agents start it)');
  if (
    s.availableAt !== null &&
    s.deadline !== null &&
    Date.parse(s.deadline) < Date.parse(s.availableAt)
  )
    throw bad('the deadline is before the deployment becomes available');
  if (s.passwordSet && s.availableTo === 'clients')
    throw bad('a PXE password needs the deployment made available to media and PXE');
}

/**
 * Task-sequence deployments (issue 11, ADR 0076): one version of a sequence to a collection,
 * available or required, for clients, media and PXE or both; and the runs the engines report.
 */
export class TaskSequenceDeploymentService {
  constructor(
    private readonly ctx: SiteContext,
    /** Agents of the collection get the change in their assignments at once (ADR 0084). */
    private readonly notifier?: Pick<DeploymentNotifier, 'collectionsChanged'>,
  ) {}

  private async notify(collectionId: string, actor: Actor): Promise<void> {
    await this.notifier?.collectionsChanged([collectionId], actor.userName);
  }

  private get db() {
    return this.ctx.db.kysely;
  }

  private async mustFind(id: string): Promise<repo.DeploymentView> {
    const row = await repo.findDeployment(this.db, id);
    if (!row)
      throw new NotFoundError(
        'task-sequence deployment',
        id,
        ErrorCode.TASK_SEQUENCE_DEPLOYMENT_NOT_FOUND,
      );
    return row;
  }

  private async view(row: repo.DeploymentView): Promise<TaskSequenceDeployment> {
    return toDeployment(row, await repo.runCounts(this.db, [row]));
  }

  async list(
    actor: Actor,
    q: ListTaskSequenceDeploymentsQuery,
  ): Promise<{ items: TaskSequenceDeployment[]; total: number }> {
    authorize(actor, 'read');
    const { rows, total } = await repo.listDeployments(this.db, {
      ...(q.sequenceId !== undefined ? { sequenceId: q.sequenceId } : {}),
      ...(q.collectionId !== undefined ? { collectionId: q.collectionId } : {}),
      offset: q.offset ?? 0,
      limit: q.limit ?? 50,
    });
    const counts = await repo.runCounts(this.db, rows);
    return { items: rows.map((r) => toDeployment(r, counts)), total };
  }

  async get(actor: Actor, id: string): Promise<TaskSequenceDeployment> {
    authorize(actor, 'read');
    return this.view(await this.mustFind(id));
  }

  async create(actor: Actor, body: TaskSequenceDeploymentBody): Promise<TaskSequenceDeployment> {
    authorize(actor, 'deployments:write');
    const seq = await seqRepo.findSequence(this.db, body.sequenceId);
    if (!seq)
      throw new NotFoundError('task sequence', body.sequenceId, ErrorCode.TASK_SEQUENCE_NOT_FOUND);
    const version = body.version ?? seq.version;
    if (!(await seqRepo.findVersion(this.db, seq.id, version)))
      throw new InputError(
        ErrorCode.TASK_SEQUENCE_DEPLOYMENT_REFERENCE_NOT_FOUND,
        `task sequence "${seq.name}" has no version ${String(version)}`,
      );
    const collection = await findCollection(this.db, body.collectionId);
    if (!collection)
      throw new NotFoundError('collection', body.collectionId, ErrorCode.COLLECTION_NOT_FOUND);
    const settled: Settled = {
      purpose: body.purpose,
      availableTo: body.availableTo ?? 'clients',
      availableAt: body.availableAt ?? null,
      deadline: body.deadline ?? null,
      passwordSet: typeof body.pxePassword === 'string',
    };
    checkSettled(settled);
    const id = randomUUID();
    const at = nowIso(this.ctx);
    const name = body.name ?? `${seq.name} to ${collection.name}`;
    const pxePassword = body.pxePassword ? await hashPassword(body.pxePassword) : null;
    await inTransaction(this.db, async (tx) => {
      await repo.insertDeployment(tx, {
        id,
        name,
        sequence_id: seq.id,
        version,
        collection_id: collection.id,
        purpose: settled.purpose,
        available_at: settled.availableAt,
        deadline: settled.deadline,
        honor_windows: body.honorWindows === false ? 0 : 1,
        created_at: at,
        created_by: actor.userName,
        available_to: settled.availableTo,
        rerun: body.rerun ?? 'never',
        enabled: body.enabled === false ? 0 : 1,
        pxe_password: pxePassword,
        updated_at: at,
      });
      await writeAudit(tx, actor, at, {
        action: 'task-sequence-deployment.create',
        targetType: 'task-sequence-deployment',
        targetId: id,
        details: { sequenceId: seq.id, version, collectionId: collection.id },
      });
      await raiseSiteStatus(
        this.ctx,
        {
          message: 'TASK_SEQUENCE_DEPLOYMENT_CREATED',
          insertionStrings: [
            actor.userName,
            seq.name,
            String(version),
            collection.name,
            settled.purpose,
          ],
          attributes: {
            taskSequence: seq.id,
            taskSequenceDeployment: id,
            collection: collection.id,
          },
        },
        tx,
      );
    });
    await this.notify(collection.id, actor);
    return this.get(actor, id);
  }

  async update(
    actor: Actor,
    id: string,
    patch: UpdateTaskSequenceDeploymentRequest,
  ): Promise<TaskSequenceDeployment> {
    authorize(actor, 'deployments:write');
    const row = await this.mustFind(id);
    const pick = <T>(v: T | undefined, old: T): T => (v === undefined ? old : v);
    checkSettled({
      purpose: pick(patch.purpose, row.purpose),
      availableTo: pick(patch.availableTo, row.available_to),
      availableAt: pick(patch.availableAt, row.available_at),
      deadline: pick(patch.deadline, row.deadline),
      passwordSet:
        patch.pxePassword === undefined ? row.pxe_password !== null : patch.pxePassword !== null,
    });
    const fields = Object.keys(patch).sort();
    const at = nowIso(this.ctx);
    const pxePassword =
      patch.pxePassword === undefined
        ? undefined
        : patch.pxePassword === null
          ? null
          : await hashPassword(patch.pxePassword);
    await inTransaction(this.db, async (tx) => {
      await repo.updateDeployment(tx, id, {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.purpose !== undefined ? { purpose: patch.purpose } : {}),
        ...(patch.availableTo !== undefined ? { available_to: patch.availableTo } : {}),
        ...(patch.availableAt !== undefined ? { available_at: patch.availableAt } : {}),
        ...(patch.deadline !== undefined ? { deadline: patch.deadline } : {}),
        ...(patch.honorWindows !== undefined ? { honor_windows: patch.honorWindows ? 1 : 0 } : {}),
        ...(patch.rerun !== undefined ? { rerun: patch.rerun } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
        ...(pxePassword !== undefined ? { pxe_password: pxePassword } : {}),
        updated_at: at,
      });
      await writeAudit(tx, actor, at, {
        action: 'task-sequence-deployment.update',
        targetType: 'task-sequence-deployment',
        targetId: id,
        details: { fields },
      });
      await raiseSiteStatus(
        this.ctx,
        {
          message: 'TASK_SEQUENCE_DEPLOYMENT_CHANGED',
          insertionStrings: [actor.userName, row.name, fields.join(', ') || 'nothing'],
          attributes: { taskSequenceDeployment: id },
        },
        tx,
      );
    });
    await this.notify(row.collection_id, actor);
    return this.get(actor, id);
  }

  async delete(actor: Actor, id: string): Promise<void> {
    authorize(actor, 'deployments:write');
    const row = await this.mustFind(id);
    const at = nowIso(this.ctx);
    await inTransaction(this.db, async (tx) => {
      await repo.deleteDeployment(tx, id);
      await writeAudit(tx, actor, at, {
        action: 'task-sequence-deployment.delete',
        targetType: 'task-sequence-deployment',
        targetId: id,
        details: { name: row.name },
      });
      await raiseSiteStatus(
        this.ctx,
        {
          message: 'TASK_SEQUENCE_DEPLOYMENT_DELETED',
          insertionStrings: [actor.userName, row.name],
          attributes: { taskSequenceDeployment: id },
        },
        tx,
      );
    });
    await this.notify(row.collection_id, actor);
  }

  async runs(actor: Actor, id: string): Promise<TaskSequenceRuns> {
    authorize(actor, 'read');
    const row = await this.mustFind(id);
    const boot = (await bootRepo.bootRunsOfDeployment(this.db, row.id)).map(toBootRun);
    // A member whose boot-environment run is tied to it is shown by that run, not twice.
    const tied = new Set(boot.map((r) => r.deviceId));
    const members = (await repo.runsOfDeployment(this.db, row))
      .filter((r) => r.state !== null || !tied.has(r.device_id))
      .map((r) => toRun(row.id, r));
    return {
      counts: countsOf((await repo.runCounts(this.db, [row])).get(row.id)),
      runs: [...boot, ...members],
    };
  }

  /**
   * One device's run with its step log; a member that has not started it is `targeted`. A
   * boot-environment run is found by its computer's id too, or by the device it was tied to.
   */
  async run(actor: Actor, id: string, deviceIdOrName: string): Promise<TaskSequenceRun> {
    authorize(actor, 'read');
    const row = await this.mustFind(id);
    const device = await findDeviceByIdOrName(this.ctx, deviceIdOrName);
    const boot = await bootRepo.findBootRun(this.db, row.id, device?.id ?? deviceIdOrName);
    if (!device) {
      if (boot) return toBootRun(boot);
      throw new NotFoundError('device', deviceIdOrName);
    }
    const found = (await repo.runsOfDevice(this.db, device.id)).find(
      (r) => r.deployment_id === row.id,
    );
    if (found)
      return {
        ...toRun(row.id, found),
        upgradeReports: await this.upgradeReports(row.id, device.id),
      };
    const member = (await repo.runsOfDeployment(this.db, row)).find(
      (r) => r.device_id === device.id,
    );
    if (boot) return toBootRun(boot);
    if (!member)
      throw new NotFoundError(`run of task-sequence deployment ${row.id} on device`, device.id);
    return toRun(row.id, member);
  }

  /**
   * The run's upgrade reports (ADR 0102): the OS_UPGRADE_REPORT messages of the device that
   * carry this deployment, their report parsed (a message whose report does not parse is
   * skipped: the message itself stays readable in the status viewer).
   */
  private async upgradeReports(
    deploymentId: string,
    deviceId: string,
  ): Promise<NonNullable<TaskSequenceRun['upgradeReports']>> {
    const rows = await deviceMessagesOfId(this.db, {
      deviceId,
      messageId: StatusMessages.OS_UPGRADE_REPORT.id,
      limit: 200,
    });
    return rows.flatMap((r) => {
      const ref = { table: 'status_message' as const, id: String(r.id) };
      const attrs = parseJsonColumn(StringMap, r.attributes, { ...ref, column: 'attributes' });
      if (attrs[TaskSequenceRunAttribute.deployment] !== deploymentId) return [];
      const strings = parseJsonColumn(Strings, r.insertion_strings, {
        ...ref,
        column: 'insertion_strings',
      });
      let report: unknown;
      try {
        report = JSON.parse(strings[2] ?? '');
      } catch {
        return [];
      }
      return Value.Check(UpgradeReport, report)
        ? [{ at: r.at, stepId: attrs['stepId'] ?? '', report }]
        : [];
    });
  }

  async deviceRuns(actor: Actor, idOrName: string): Promise<TaskSequenceRun[]> {
    authorize(actor, 'read');
    const device = await findDeviceByIdOrName(this.ctx, idOrName);
    if (!device) throw new NotFoundError('device', idOrName);
    const own = (await repo.runsOfDevice(this.db, device.id)).map((r) => toRun(r.deployment_id, r));
    // The runs of the boot environment that installed it (ADR 0103), tied when it enrolled.
    const boot = (await bootRepo.bootRunsOfDevice(this.db, device.id)).map(toBootRun);
    return [...own, ...boot].sort(byUpdated);
  }
}
