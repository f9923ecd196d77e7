import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import {
  ClientSettingsOptions,
  pickSettings,
  withSettingDefaults,
  type ClientSettings,
  ConflictError,
  ErrorCode,
  NotFoundError,
  type ClientSettingsObject,
  type ClientSettingsSubset,
  type CreateClientSettingsObjectRequest,
  type ResultantClientSettings,
  type UpdateClientSettingsObjectRequest,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { findCollection } from '../collections/repository.js';
import { findDeviceByIdOrName, type PushTarget } from '../devices/repository.js';
import { writeSetting } from '../site/repository.js';
import { onlineDevicesToNudge, requestActions } from '../devices/client-notification.js';
import type { PushHub } from '../push/push-hub.js';
import { bumpPolicyVersion, type PolicyService } from '../agent-api/policy.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { type Queryable, type Tx, inTransaction } from '../db/database.js';
import { resolveClientSettings } from './resultant.js';
import * as repo from './repository.js';

/**
 * The site's client settings and the client settings objects assigned to collections (ADR
 * 0025). Every change that can alter a device's resultant settings raises the policy version in
 * its transaction, then nudges the devices concerned to fetch policy at once: the members of the
 * collections concerned, or every online device for the site's own settings.
 */
export class ClientSettingsService {
  constructor(
    private readonly ctx: SiteContext,
    private readonly push: PushHub,
    private readonly policy: PolicyService,
  ) {}

  private async toObjects(
    db: Queryable,
    rows: readonly repo.ClientSettingsObjectRow[],
  ): Promise<ClientSettingsObject[]> {
    const assignments = await repo.assignmentsOf(
      db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      priority: r.priority,
      settings: repo.subsetOf(r),
      collections: assignments
        .filter((a) => a.object_id === r.id)
        .map((a) => ({ id: a.collection_id, name: a.collection_name })),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  async list(actor: Actor): Promise<ClientSettingsObject[]> {
    authorize(actor, 'read');
    const db = this.ctx.db.kysely;
    return this.toObjects(db, await repo.listObjectRows(db));
  }

  async get(actor: Actor, idOrName: string): Promise<ClientSettingsObject> {
    authorize(actor, 'read');
    const db = this.ctx.db.kysely;
    const [object] = await this.toObjects(db, [await mustFind(db, idOrName)]);
    if (!object) throw notFound(idOrName);
    return object;
  }

  async create(
    actor: Actor,
    body: CreateClientSettingsObjectRequest,
  ): Promise<ClientSettingsObject> {
    authorize(actor, 'devices:write');
    const id = randomUUID();
    const at = nowIso(this.ctx);
    const fields = {
      name: body.name.trim(),
      description: body.description ?? '',
      priority: body.priority,
      settings: body.settings,
    };
    await this.unique(async () =>
      inTransaction(this.ctx.db.kysely, async (tx) => {
        await refuseTaken(tx, fields);
        await repo.insertObject(tx, {
          id,
          ...fields,
          settings: JSON.stringify(fields.settings),
          created_at: at,
          updated_at: at,
        });
        await writeAudit(tx, actor, at, {
          action: 'client-settings-object.create',
          targetType: 'client-settings-object',
          targetId: id,
          details: fields,
        });
      }),
    );
    // Assigned to no collection yet: no device's policy changed.
    return this.get(actor, id);
  }

  async update(
    actor: Actor,
    idOrName: string,
    patch: UpdateClientSettingsObjectRequest,
  ): Promise<ClientSettingsObject> {
    authorize(actor, 'devices:write');
    const at = nowIso(this.ctx);
    const { id, collections } = await this.unique(() =>
      this.changing(async (tx) => {
        const row = await mustFind(tx, idOrName);
        const next = {
          name: patch.name?.trim() ?? row.name,
          description: patch.description ?? row.description,
          priority: patch.priority ?? row.priority,
          settings: patch.settings ?? repo.subsetOf(row),
        };
        await refuseTaken(tx, { ...next, exceptId: row.id });
        await repo.updateObject(tx, {
          id: row.id,
          ...next,
          settings: JSON.stringify(next.settings),
          updatedAt: at,
        });
        await writeAudit(tx, actor, at, {
          action: 'client-settings-object.update',
          targetType: 'client-settings-object',
          targetId: row.id,
          details: { name: row.name, changes: patch },
        });
        return { id: row.id, collections: await collectionIdsOf(tx, row.id) };
      }),
    );
    await this.nudge(collections, actor);
    return this.get(actor, id);
  }

  async remove(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'devices:write');
    const at = nowIso(this.ctx);
    const { collections } = await this.changing(async (tx) => {
      const row = await mustFind(tx, idOrName);
      const collections = await collectionIdsOf(tx, row.id);
      await repo.deleteObject(tx, row.id);
      await writeAudit(tx, actor, at, {
        action: 'client-settings-object.delete',
        targetType: 'client-settings-object',
        targetId: row.id,
        details: { name: row.name, collections },
      });
      return { collections };
    });
    await this.nudge(collections, actor);
  }

  /** Assigns an object to a collection (idempotent). */
  async assign(
    actor: Actor,
    idOrName: string,
    collectionIdOrName: string,
  ): Promise<ClientSettingsObject> {
    return this.assignment(actor, idOrName, collectionIdOrName, true);
  }

  /** Removes an object from a collection (idempotent). */
  async unassign(
    actor: Actor,
    idOrName: string,
    collectionIdOrName: string,
  ): Promise<ClientSettingsObject> {
    return this.assignment(actor, idOrName, collectionIdOrName, false);
  }

  private async assignment(
    actor: Actor,
    idOrName: string,
    collectionIdOrName: string,
    assign: boolean,
  ): Promise<ClientSettingsObject> {
    authorize(actor, 'devices:write');
    const at = nowIso(this.ctx);
    const { id, collections } = await this.changing(async (tx) => {
      const row = await mustFind(tx, idOrName);
      const c = await findCollection(tx, collectionIdOrName);
      if (!c)
        throw new NotFoundError('collection', collectionIdOrName, ErrorCode.COLLECTION_NOT_FOUND);
      if (assign) await repo.insertAssignment(tx, { objectId: row.id, collectionId: c.id, at });
      else await repo.deleteAssignment(tx, { objectId: row.id, collectionId: c.id });
      await writeAudit(tx, actor, at, {
        action: assign ? 'client-settings-object.assign' : 'client-settings-object.unassign',
        targetType: 'client-settings-object',
        targetId: row.id,
        details: { name: row.name, collection: c.name },
      });
      return { id: row.id, collections: [c.id] };
    });
    await this.nudge(collections, actor);
    return this.get(actor, id);
  }

  /**
   * Changes the site's client settings (what every device gets unless an object overrides a
   * value) and nudges every online device to fetch policy at once; an offline device gets the
   * new version at its next policy fetch.
   */
  async updateSiteSettings(
    actor: Actor,
    patch: Partial<Static<typeof ClientSettings>>,
  ): Promise<Static<typeof ClientSettings>> {
    authorize(actor, 'devices:write');
    const next = { ...(await this.policy.siteSettings()), ...patch };
    const at = nowIso(this.ctx);
    await this.changing(async (tx) => {
      await writeSetting(tx, { key: 'client_settings', value: JSON.stringify(next) });
      await writeAudit(tx, actor, at, {
        action: 'client-settings.update',
        targetType: 'client-settings',
        targetId: 'site',
        details: patch,
      });
    });
    await this.nudgeOnline(actor);
    return next;
  }

  /** A device's resultant client settings, value by value with its source. */
  async resultant(actor: Actor, deviceIdOrName: string): Promise<ResultantClientSettings> {
    authorize(actor, 'read');
    const device = await findDeviceByIdOrName(this.ctx, deviceIdOrName);
    if (!device) throw new NotFoundError('device', deviceIdOrName, ErrorCode.DEVICE_NOT_FOUND);
    const site = await this.policy.siteSettings();
    const { settings, values } = resolveClientSettings(
      site,
      await this.policy.sourcesOf(device.id),
    );
    return {
      deviceId: device.id,
      deviceName: device.name,
      policyVersion: await this.policy.currentVersion(),
      devicePolicyVersion: device.policy_version,
      settings: pickSettings(
        ClientSettingsOptions,
        withSettingDefaults(ClientSettingsOptions, settings),
      ),
      values,
    };
  }

  /**
   * Runs a change that can alter resultant settings: the policy version rises in the same
   * transaction, every process drops its cached policies afterwards.
   */
  private async changing<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    let version = 0;
    const result = await inTransaction(this.ctx.db.kysely, async (tx) => {
      const r = await work(tx);
      version = await bumpPolicyVersion(tx);
      return r;
    });
    this.policy.drop();
    await this.ctx.bus.publish('policy-changed', { version });
    return result;
  }

  /**
   * Online members of these collections fetch policy now (offline ones get it on reconnect):
   * the same selection as a site-wide change, scoped to the collections.
   */
  private async nudge(collectionIds: readonly string[], actor: Actor): Promise<void> {
    if (collectionIds.length === 0) return;
    await this.requestFetch(
      await onlineDevicesToNudge(this.ctx, this.push, { collectionIds }),
      actor,
    );
  }

  /** Every online device fetches policy now (a site-wide change). */
  private async nudgeOnline(actor: Actor): Promise<void> {
    await this.requestFetch(await onlineDevicesToNudge(this.ctx, this.push), actor);
  }

  private async requestFetch(devices: readonly PushTarget[], actor: Actor): Promise<void> {
    await requestActions(this.ctx, this.push, devices, {
      action: 'policy:fetch',
      requestedBy: actor.userName,
      now: this.ctx.clock.now(),
    });
  }

  /** Maps a unique violation lost to a concurrent writer onto the codes the pre-check gives. */
  private async unique<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ConflictError(
          ErrorCode.CLIENT_SETTINGS_NAME_TAKEN,
          'another client settings object took this name or priority meanwhile',
        );
      throw err;
    }
  }
}

function notFound(idOrName: string): NotFoundError {
  return new NotFoundError('client settings object', idOrName, ErrorCode.CLIENT_SETTINGS_NOT_FOUND);
}

async function mustFind(db: Queryable, idOrName: string): Promise<repo.ClientSettingsObjectRow> {
  const row = await repo.findObjectRow(db, idOrName);
  if (!row) throw notFound(idOrName);
  return row;
}

async function collectionIdsOf(db: Queryable, objectId: string): Promise<string[]> {
  return (await repo.assignmentsOf(db, [objectId])).map((a) => a.collection_id);
}

async function refuseTaken(
  db: Queryable,
  o: { name: string; priority: number; settings: ClientSettingsSubset; exceptId?: string },
): Promise<void> {
  const taken = await repo.takenBy(db, {
    name: o.name,
    priority: o.priority,
    ...(o.exceptId === undefined ? {} : { exceptId: o.exceptId }),
  });
  if (taken.name)
    throw new ConflictError(
      ErrorCode.CLIENT_SETTINGS_NAME_TAKEN,
      `a client settings object named "${o.name}" exists`,
    );
  if (taken.priority)
    throw new ConflictError(
      ErrorCode.CLIENT_SETTINGS_PRIORITY_TAKEN,
      `another client settings object has priority ${o.priority}; priorities are unique`,
    );
}
