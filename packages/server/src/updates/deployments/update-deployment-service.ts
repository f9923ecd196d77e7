import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  DeploymentOptions,
  ErrorCode,
  InputError,
  NotFoundError,
  patchedSettings,
  UpdateDeploymentOptions,
  UpdateDeploymentSharedOptions,
  withSettingDefaults,
  type Deployment,
  type DeploymentBody,
  type DeploymentTrigger,
  type UpdateDeployment,
  type UpdateDeploymentBody,
  type UpdateDeploymentPatch,
  type UpdateDeploymentRequest,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../../context.js';
import { authorize, nowIso } from '../../context.js';
import { writeAudit } from '../../audit/audit.js';
import { currentVersionOf, findPackage } from '../../content/repository.js';
import { inTransaction, type Queryable } from '../../db/database.js';
import type { DeploymentService } from '../../deployments/service.js';
import { insertProgram, listProgramRows } from '../../deployments/program-repository.js';
import type { SecretBox } from '../../site/secret-box.js';
import { findGroup, groupMembers } from './group-repository.js';
import * as repo from './deployment-repository.js';
import { optionsOf } from './update-deployment-options.js';
import { SiteRepoKey } from './site-repo-key.js';

const E = ErrorCode;
/** The software deployments this service changes are its own (the deployments API refuses). */
const OWNER = { byOwner: true } as const;

/** The program every update deployment of a group runs: the agent installs, nothing is spawned. */
export const UPDATE_INSTALL_PROGRAM = 'Install approved updates';

/** The approved content package of a group (ADR 0050). */
export const approvedPackageName = (groupId: string) => `updates-${groupId}`;

function triggersFor(deadline: string | null | undefined): DeploymentTrigger[] {
  return deadline ? [{ type: 'at', start: deadline }] : [];
}

/**
 * Update deployments (ADR 0056): an update group's approved content deployed to a collection.
 * Each owns a software deployment of the group's content package, so schedules, maintenance
 * windows, postponement, content location, per-device states and reruns are the software
 * deployments' own; this service adds the updates, their options and their monitoring.
 */
export class UpdateDeploymentService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly deployments: DeploymentService,
    private readonly secrets: SecretBox,
  ) {}

  async mustFind(db: Queryable, idOrName: string): Promise<repo.UpdateDeploymentRow> {
    const row = await repo.findUpdateDeploymentRow(db, idOrName);
    if (!row) throw new NotFoundError('update deployment', idOrName, E.UPDATE_DEPLOYMENT_NOT_FOUND);
    return row;
  }

  async list(actor: Actor): Promise<UpdateDeployment[]> {
    authorize(actor, 'read');
    const rows = await repo.listUpdateDeploymentRows(this.ctx.db.kysely);
    return this.compose(actor, rows);
  }

  async get(actor: Actor, idOrName: string): Promise<UpdateDeployment> {
    authorize(actor, 'read');
    const [d] = await this.compose(actor, [await this.mustFind(this.ctx.db.kysely, idOrName)]);
    if (!d) throw new NotFoundError('update deployment', idOrName, E.UPDATE_DEPLOYMENT_NOT_FOUND);
    return d;
  }

  private async compose(
    actor: Actor,
    rows: repo.UpdateDeploymentRow[],
  ): Promise<UpdateDeployment[]> {
    const updates = await repo.deployedUpdates(
      this.ctx.db.kysely,
      rows.map((r) => r.id),
    );
    const out: UpdateDeployment[] = [];
    for (const r of rows) {
      const d: Deployment = await this.deployments.get(actor, r.deployment_id);
      const deadline = d.triggers.find((t) => t.type === 'at');
      out.push({
        id: r.id,
        name: r.name,
        groupId: r.group_id,
        groupName: r.group_name ?? '(deleted group)',
        collectionId: d.collectionId,
        collectionName: d.collectionName,
        deploymentId: d.id,
        packageId: r.package_id,
        availableAt: d.availableAt,
        deadline: deadline?.type === 'at' ? deadline.start : null,
        timeBase: d.timeBase,
        preDownload: d.preDownload,
        overrideMaintenanceWindows: d.overrideMaintenanceWindows,
        maxPostponeMinutes: d.maxPostponeMinutes,
        allowFallback: d.allowFallback,
        runOverSlowBoundary: d.runOverSlowBoundary,
        enabled: d.enabled,
        ...optionsOf(r),
        updates: updates
          .filter((u) => u.update_deployment_id === r.id)
          .map((u) => ({
            updateId: u.update_id,
            kind: u.kind,
            package: u.package,
            version: u.version,
            removed: u.removed_at !== null,
          })),
        createdAt: r.created_at,
        createdBy: r.created_by,
        ...(d.summary ? { summary: d.summary } : {}),
      });
    }
    return out;
  }

  async create(actor: Actor, body: UpdateDeploymentBody): Promise<UpdateDeployment> {
    authorize(actor, 'deployments:write');
    // The key is made (once per site) before the transaction: gpg takes a while.
    await SiteRepoKey.loadOrCreate(this.ctx.db.kysely, this.secrets, this.ctx.siteCode);
    const created = await inTransaction(this.ctx.db.kysely, (tx) =>
      this.createInTransaction(tx, actor, body),
    );
    await this.deployments.nudgeDeployment(created.deploymentId, actor.userName);
    return this.get(actor, created.id);
  }

  /** The group, its members and its published content package, or the refusal why not. */
  private async deployableGroup(tx: Queryable, groupId: string) {
    const group = await findGroup(tx, groupId);
    if (!group) throw new NotFoundError('update group', groupId, E.UPDATE_GROUP_NOT_FOUND);
    const updateIds = (await groupMembers(tx, [group.id])).get(group.id) ?? [];
    const customUpdateIds = (await groupMembers(tx, [group.id], 'custom')).get(group.id) ?? [];
    if (updateIds.length === 0 && customUpdateIds.length === 0)
      throw new InputError(E.UPDATE_GROUP_EMPTY, `update group "${group.name}" has no updates`);
    const pkg = await findPackage(tx, approvedPackageName(group.id));
    if (!pkg || !(await currentVersionOf(tx, pkg.id)))
      throw new ConflictError(
        E.UPDATE_DEPLOYMENT_NOT_PUBLISHED,
        `update group "${group.name}" has no published approved content: publish it first ` +
          `(steward update group publish "${group.name}")`,
      );
    return { group, updateIds, customUpdateIds, pkg };
  }

  /**
   * `create` inside the caller's transaction (automatic deployment rules record their run in
   * it, ADR 0072). The site key must exist already; the caller nudges after commit.
   */
  async createInTransaction(
    tx: Queryable,
    actor: Actor,
    body: UpdateDeploymentBody,
  ): Promise<{ id: string; deploymentId: string }> {
    const { group, pkg } = await this.deployableGroup(tx, body.groupId);
    const programId = await this.installProgram(tx, pkg.id);
    const name = body.name ?? `${group.name} (updates)`;
    const shared = withSettingDefaults(UpdateDeploymentSharedOptions, body);
    const software: DeploymentBody = {
      name,
      programId,
      collectionId: body.collectionId,
      purpose: body.deadline ? 'required' : 'available',
      triggers: triggersFor(body.deadline),
      ...(body.availableAt !== undefined ? { availableAt: body.availableAt } : {}),
      ...(body.timeBase !== undefined ? { timeBase: body.timeBase } : {}),
      ...withSettingDefaults(DeploymentOptions, shared),
      // Every new revision runs again ("redeploy failed", rehearsal then for real): an
      // install is idempotent (what is installed is checked first), and the one trigger,
      // the deadline, does not recur.
      rerun: 'always',
      contentMode: 'download',
    };
    const deploymentId = await this.deployments.createInTransaction(tx, actor, software);
    const id = await this.attach(tx, actor, {
      deploymentId,
      name,
      groupId: group.id,
      options: withSettingDefaults(UpdateDeploymentOptions, body),
    });
    return { id, deploymentId };
  }

  /**
   * Makes a software deployment of a group's install program an update deployment of the
   * group's current updates. Phased rules' phase deployments come through here (ADR 0072).
   */
  async attach(
    tx: Queryable,
    actor: Actor,
    a: { deploymentId: string; name: string; groupId: string; options: UpdateDeploymentOptions },
  ): Promise<string> {
    const { group, updateIds, customUpdateIds, pkg } = await this.deployableGroup(tx, a.groupId);
    const key = await SiteRepoKey.loadOrCreate(tx, this.secrets, this.ctx.siteCode);
    const id = randomUUID();
    const at = nowIso(this.ctx);
    await repo.insertUpdateDeployment(
      tx,
      {
        id,
        name: a.name,
        group_id: group.id,
        deployment_id: a.deploymentId,
        package_id: pkg.id,
        repo_key: key.publicKey,
        options: JSON.stringify(a.options),
        created_at: at,
        created_by: actor.userName,
      },
      updateIds,
      customUpdateIds,
    );
    await writeAudit(tx, actor, at, {
      action: 'update-deployment.create',
      targetType: 'update-deployment',
      targetId: id,
      details: {
        name: a.name,
        group: group.name,
        updates: updateIds.length,
        customUpdates: customUpdateIds.length,
      },
    });
    return id;
  }

  /** The install program of a published group (made the first time it is deployed). */
  async installProgramOf(tx: Queryable, groupId: string): Promise<string> {
    const { pkg } = await this.deployableGroup(tx, groupId);
    return this.installProgram(tx, pkg.id);
  }

  /**
   * Adds a group's new updates to a deployment of it and makes every device run again (a new
   * revision after commit): the grown group's content is already published.
   */
  async addGroupUpdates(tx: Queryable, id: string, groupId: string): Promise<number> {
    const deployed = await repo.deployedUpdates(tx, [id]);
    const have = (kind: 'apt' | 'custom') =>
      new Set(deployed.filter((u) => u.kind === kind).map((u) => u.update_id));
    const [apt, custom] = [have('apt'), have('custom')];
    const members = (await groupMembers(tx, [groupId])).get(groupId) ?? [];
    const customMembers = (await groupMembers(tx, [groupId], 'custom')).get(groupId) ?? [];
    const more = members.filter((u) => !apt.has(u));
    const moreCustom = customMembers.filter((u) => !custom.has(u));
    await repo.appendDeployedUpdates(tx, id, more, apt.size);
    await repo.appendDeployedCustomUpdates(tx, id, moreCustom, custom.size);
    return more.length + moreCustom.length;
  }

  /** The group package's install program, made the first time the group is deployed. */
  private async installProgram(tx: Queryable, packageId: string): Promise<string> {
    const found = (await listProgramRows(tx, packageId)).find(
      (p) => p.name === UPDATE_INSTALL_PROGRAM,
    );
    if (found) return found.id;
    const id = randomUUID();
    const at = nowIso(this.ctx);
    await insertProgram(tx, {
      id,
      package_id: packageId,
      name: UPDATE_INSTALL_PROGRAM,
      // Never spawned: the agent installs an update deployment itself (ADR 0056). Run by hand
      // it is the installer's own command, which names what it needs.
      command_line: 'steward-agent update-install',
      working_directory: '',
      run_as: 'root',
      // What must fit in a maintenance window: an apt transaction of approved updates.
      max_run_minutes: 60,
      success_exit_codes: JSON.stringify([0]),
      reboot_exit_codes: JSON.stringify([]),
      requirements: JSON.stringify({}),
      depends_on_program_id: null,
      description: 'Installs the approved updates of this group in one apt transaction',
      disabled: 0,
      created_at: at,
      updated_at: at,
    });
    return id;
  }

  async update(
    actor: Actor,
    idOrName: string,
    patch: UpdateDeploymentPatch,
  ): Promise<UpdateDeployment> {
    authorize(actor, 'deployments:write');
    const row = await this.mustFind(this.ctx.db.kysely, idOrName);
    const own = patchedSettings(UpdateDeploymentOptions, patch);
    if (Object.keys(own).length > 0) {
      const at = nowIso(this.ctx);
      await inTransaction(this.ctx.db.kysely, async (tx) => {
        await repo.setOptions(tx, row.id, JSON.stringify({ ...optionsOf(row), ...own }));
        await writeAudit(tx, actor, at, {
          action: 'update-deployment.update',
          targetType: 'update-deployment',
          targetId: row.id,
          details: { name: row.name, changes: own },
        });
      });
    }
    // Rehearsal and rollback change what a run does: every device runs again (a new revision).
    if (own.rehearsal !== undefined || own.allowDowngrades !== undefined)
      await this.deployments.rerun(actor, row.deployment_id, {}, OWNER);
    // Other options (restart countdowns, the suppressed-restart deadline) reach the agents in
    // their assignments: they fetch them now, no new revision.
    else if (Object.keys(own).length > 0)
      await this.deployments.assignmentsChanged(actor, row.deployment_id);
    const software: UpdateDeploymentRequest = {
      ...patchedSettings(UpdateDeploymentSharedOptions, patch),
    };
    if (patch.name !== undefined) software.name = patch.name;
    if (patch.availableAt !== undefined) software.availableAt = patch.availableAt;
    if (patch.deadline !== undefined) {
      software.triggers = triggersFor(patch.deadline);
      software.purpose = patch.deadline ? 'required' : 'available';
    }
    // Always through the software deployment: it validates, audits and nudges the agents
    // (a disabled deployment leaves their assignments at once).
    await this.deployments.update(actor, row.deployment_id, software, OWNER);
    return this.get(actor, row.id);
  }

  async remove(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'deployments:write');
    const row = await this.mustFind(this.ctx.db.kysely, idOrName);
    // The update deployment goes with the software deployment it owns (foreign key cascade).
    await this.deployments.remove(actor, row.deployment_id, OWNER);
  }

  /** Removes one update; the others continue (the agents get assignments without it at once). */
  async removeUpdate(actor: Actor, idOrName: string, updateId: string): Promise<UpdateDeployment> {
    authorize(actor, 'deployments:write');
    const row = await this.mustFind(this.ctx.db.kysely, idOrName);
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      const live = (await repo.deployedUpdates(tx, [row.id])).filter((u) => u.removed_at === null);
      const target = live.find((u) => u.update_id === updateId);
      if (!target)
        throw new NotFoundError('update', updateId, E.UPDATE_DEPLOYMENT_UPDATE_NOT_FOUND);
      if (live.length === 1)
        throw new ConflictError(
          E.UPDATE_DEPLOYMENT_LAST_UPDATE,
          `it is the last update of "${row.name}": disable or delete the deployment instead`,
        );
      if (target.kind === 'custom') await repo.markCustomRemoved(tx, row.id, updateId, at);
      else await repo.markRemoved(tx, row.id, updateId, at);
      await writeAudit(tx, actor, at, {
        action: 'update-deployment.remove-update',
        targetType: 'update-deployment',
        targetId: row.id,
        details: { name: row.name, updateId },
      });
    });
    await this.deployments.nudgeDeployment(row.deployment_id, actor.userName);
    return this.get(actor, row.id);
  }

  /** Runs again on the failed devices only; the agent scans before it installs. */
  async redeployFailed(
    actor: Actor,
    idOrName: string,
  ): Promise<{ devices: number; deployment: Deployment }> {
    authorize(actor, 'deployments:write');
    const row = await this.mustFind(this.ctx.db.kysely, idOrName);
    const failed = await this.deployments.devices(actor, row.deployment_id, {
      state: 'failed',
      limit: 1,
    });
    if (failed.total === 0)
      return { devices: 0, deployment: await this.deployments.get(actor, row.deployment_id) };
    const deployment = await this.deployments.rerun(
      actor,
      row.deployment_id,
      { filter: { state: 'failed' } },
      OWNER,
    );
    return { devices: failed.total, deployment };
  }
}
