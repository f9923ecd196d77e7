import {
  AgentVersionSettings,
  AgentVersionSettingsOptions,
  ConflictError,
  ErrorCode,
  InputError,
  NotFoundError,
  settingsDefaults,
  type AgentPackageFile,
  type AgentPackageManifest,
  type AgentVersion,
  type AgentVersionPromotion,
  type AgentUpgradeAttempt,
  type AgentUpgradeState,
  type DeviceUpgradeStatus,
  type UpdateAgentVersionSettings,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { recordRolloutChange } from '../client-deployment/rollout-since.js';
import { existingCollectionIds } from '../collections/repository.js';
import { inTransaction, type Queryable } from '../db/database.js';
import { storedSettings } from '../db/corrupt-row.js';
import { storedSizes } from '../content/stored-files-repository.js';
import { readSetting, readSettingLocked, writeSetting } from '../site/repository.js';
import { raiseSiteStatus } from '../status/site-status.js';
import * as repo from './repository.js';
import { bumpPolicyVersion } from '../agent-api/policy.js';
import { findDeviceByIdOrName } from '../devices/repository.js';
import { deviceRollouts, targetVersionOf } from './client-version.js';
import { listUpgradeAttempts, type AgentUpgradeListRow } from './upgrade-repository.js';
import { createVersionPackage } from './content.js';

const SETTINGS_KEY = 'agent_version_settings';

export const AGENT_VERSION_DEFAULTS: AgentVersionSettings = {
  ...settingsDefaults(AgentVersionSettingsOptions),
  productionVersion: null,
  preproductionVersion: null,
  preproductionCollectionId: null,
  exclusionCollectionId: null,
};

function parseSettings(value: string | undefined): AgentVersionSettings {
  return value === undefined
    ? AGENT_VERSION_DEFAULTS
    : storedSettings(AgentVersionSettings, AGENT_VERSION_DEFAULTS, value, SETTINGS_KEY);
}

/** The client-version settings as stored (defaults when never set). */
export async function readAgentVersionSettings(db: Queryable): Promise<AgentVersionSettings> {
  return parseSettings(await readSetting(db, SETTINGS_KEY));
}

function notAvailable(what: string): NotFoundError {
  return new NotFoundError('agent package', what, ErrorCode.AGENT_PACKAGE_NOT_AVAILABLE);
}

/**
 * The production version's manifest as the install script reads it: valid JSON with one file
 * per line, so `grep` and `sed` can pick a package without a JSON parser. Public (no actor).
 */
export async function productionManifestText(db: Queryable): Promise<string> {
  const { productionVersion } = await readAgentVersionSettings(db);
  if (productionVersion === null) throw notAvailable('production version');
  const files = (await repo.filesOf(db, [productionVersion])).get(productionVersion) ?? [];
  if (files.length === 0) throw notAvailable(productionVersion);
  const head = JSON.stringify({ name: 'steward-agent', version: productionVersion });
  const lines = files.map((f) => JSON.stringify(repo.toFile(f)));
  return `${head.slice(0, -1)},"files":[\n${lines.join(',\n')}\n]}\n`;
}

/** The stored file behind a package file name of a registered version. Public (no actor). */
export async function installFileSha256(db: Queryable, name: string): Promise<string> {
  const file = await repo.findFileByName(db, name);
  if (!file) throw notAvailable(name);
  return file.sha256;
}

function toAttempt(r: AgentUpgradeListRow): AgentUpgradeAttempt {
  return {
    deviceId: r.device_id,
    deviceName: r.device_name,
    attemptId: r.attempt_id,
    fromVersion: r.from_version,
    toVersion: r.to_version,
    rollout: r.rollout,
    state: r.state,
    scheduledFor: r.scheduled_for,
    startedAt: r.started_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
    errorCode: r.error_code,
    reason: r.reason,
    receivedAt: r.received_at,
  };
}

function roleOf(version: string, s: AgentVersionSettings): AgentVersion['role'] {
  if (s.productionVersion === version) return 'production';
  if (s.preproductionVersion === version) return 'preproduction';
  return null;
}

/** A manifest names each file once, holds a tarball (what install-agent.sh installs from), and one SEA per arch. */
function checkManifest(m: AgentPackageManifest): void {
  const names = new Set<string>();
  const kinds = new Set<string>();
  for (const f of m.files) {
    if (names.has(f.name))
      throw new InputError(ErrorCode.AGENT_PACKAGE_MANIFEST_INVALID, `"${f.name}" is listed twice`);
    names.add(f.name);
    const key = `${f.kind}/${f.arch}`;
    if (kinds.has(key))
      throw new InputError(
        ErrorCode.AGENT_PACKAGE_MANIFEST_INVALID,
        `two ${f.kind} packages for ${f.arch}`,
      );
    kinds.add(key);
  }
  if (!m.files.some((f) => f.kind === 'tarball'))
    throw new InputError(
      ErrorCode.AGENT_PACKAGE_MANIFEST_INVALID,
      'the manifest has no tarball (install-agent.sh installs from it)',
    );
}

/** Every file in the content library with the size the manifest says; else nothing is registered. */
async function checkStored(tx: Queryable, files: readonly AgentPackageFile[]): Promise<void> {
  const sizes = await storedSizes(
    tx,
    files.map((f) => f.sha256),
  );
  const missing = files.filter((f) => !sizes.has(f.sha256)).map((f) => f.sha256);
  if (missing.length > 0)
    throw new ConflictError(
      ErrorCode.CONTENT_MISSING,
      `${missing.length} file(s) are not in the content library; upload them first`,
      { missing },
    );
  const wrong = files.find((f) => sizes.get(f.sha256) !== f.size);
  if (wrong)
    throw new InputError(
      ErrorCode.CONTENT_SIZE_MISMATCH,
      `"${wrong.name}" says ${wrong.size} bytes but ${wrong.sha256} has ${sizes.get(wrong.sha256) ?? 0}`,
    );
}

/**
 * Agent versions as content (issue 9): registering a version whose packages are already in the
 * content library, the production / pre-production settings, and "Promote pre-production
 * client". Each settings change and promotion raises the policy version: the client-version
 * target travels in each device's signed policy (ADR 0027, client-version.ts).
 */
export class AgentVersionService {
  constructor(private readonly ctx: SiteContext) {}

  private get db() {
    return this.ctx.db.kysely;
  }

  private async load(db: Queryable, rows: repo.AgentVersionRow[]): Promise<AgentVersion[]> {
    const settings = await readAgentVersionSettings(db);
    const files = await repo.filesOf(
      db,
      rows.map((r) => r.version),
    );
    return rows.map((r) => ({
      version: r.version,
      createdAt: r.created_at,
      createdBy: r.created_by,
      sizeBytes: Number(r.size_bytes),
      files: (files.get(r.version) ?? []).map(repo.toFile),
      packageId: r.package_id,
      role: roleOf(r.version, settings),
    }));
  }

  async list(actor: Actor): Promise<AgentVersion[]> {
    authorize(actor, 'read');
    return this.load(this.db, await repo.listVersionRows(this.db));
  }

  async get(actor: Actor, version: string): Promise<AgentVersion> {
    authorize(actor, 'read');
    const row = await repo.findVersionRow(this.db, version);
    if (!row) throw new NotFoundError('agent version', version, ErrorCode.AGENT_VERSION_NOT_FOUND);
    const [found] = await this.load(this.db, [row]);
    if (!found)
      throw new NotFoundError('agent version', version, ErrorCode.AGENT_VERSION_NOT_FOUND);
    return found;
  }

  /** Registers a version from its manifest, in one transaction with its audit row and status message. */
  async register(actor: Actor, manifest: AgentPackageManifest): Promise<AgentVersion> {
    authorize(actor, 'software:write');
    checkManifest(manifest);
    const at = nowIso(this.ctx);
    const sizeBytes = manifest.files.reduce((sum, f) => sum + f.size, 0);
    await inTransaction(this.db, async (tx) => {
      await checkStored(tx, manifest.files);
      const row = {
        version: manifest.version,
        created_at: at,
        created_by: actor.userName,
        size_bytes: sizeBytes,
      };
      if (!(await repo.insertVersion(tx, row, manifest.files)))
        throw new ConflictError(
          ErrorCode.AGENT_VERSION_EXISTS,
          `agent version ${manifest.version} is registered already`,
        );
      // Its packages are content like any package's, ready to distribute to DPs (ADR 0042).
      await createVersionPackage(tx, {
        version: manifest.version,
        files: manifest.files,
        at,
        createdBy: actor.userName,
      });
      await writeAudit(tx, actor, at, {
        action: 'agent-version.register',
        targetType: 'agent-version',
        targetId: manifest.version,
        details: { files: manifest.files },
      });
      await raiseSiteStatus(
        this.ctx,
        {
          message: 'AGENT_VERSION_REGISTERED',
          insertionStrings: [
            manifest.version,
            actor.userName,
            String(manifest.files.length),
            String(sizeBytes),
          ],
        },
        tx,
      );
    });
    await this.ctx.bus.publish('status-ingested', { count: 1 });
    return this.get(actor, manifest.version);
  }

  async getSettings(actor: Actor): Promise<AgentVersionSettings> {
    authorize(actor, 'read');
    return readAgentVersionSettings(this.db);
  }

  /** Versions named must be registered and collections must exist; audited with a status message. */
  async updateSettings(
    actor: Actor,
    patch: UpdateAgentVersionSettings,
  ): Promise<AgentVersionSettings> {
    authorize(actor, 'agent-versions:manage');
    const at = nowIso(this.ctx);
    let policyVersion = 0;
    const next = await inTransaction(this.db, async (tx) => {
      const current = parseSettings(
        await readSettingLocked(tx, { key: SETTINGS_KEY, dialect: this.ctx.db.dialect }),
      );
      const merged: AgentVersionSettings = { ...current, ...patch };
      for (const v of [patch.productionVersion, patch.preproductionVersion]) {
        if (typeof v === 'string' && !(await repo.findVersionRow(tx, v)))
          throw new NotFoundError('agent version', v, ErrorCode.AGENT_VERSION_NOT_FOUND);
      }
      const ids = [patch.preproductionCollectionId, patch.exclusionCollectionId].filter(
        (id): id is string => typeof id === 'string',
      );
      // An empty `in ()` is a syntax error on PostgreSQL: ask only when a collection is named.
      const found = ids.length > 0 ? await existingCollectionIds(tx, { ids }) : new Set<string>();
      const absent = ids.find((id) => !found.has(id));
      if (absent !== undefined)
        throw new NotFoundError('collection', absent, ErrorCode.COLLECTION_NOT_FOUND);
      await writeSetting(tx, { key: SETTINGS_KEY, value: JSON.stringify(merged) });
      await recordRolloutChange(tx, { before: current, after: merged, at });
      // Every device's client-version target may change (ADR 0027): a new policy version.
      policyVersion = await bumpPolicyVersion(tx);
      await writeAudit(tx, actor, at, {
        action: 'agent-version-settings.update',
        targetType: 'site',
        targetId: this.ctx.siteCode,
        details: patch,
      });
      await raiseSiteStatus(
        this.ctx,
        {
          message: 'AGENT_VERSION_SETTINGS_CHANGED',
          insertionStrings: [
            actor.userName,
            merged.productionVersion ?? 'none',
            merged.preproductionVersion ?? 'none',
          ],
        },
        tx,
      );
      return merged;
    });
    await this.ctx.bus.publish('policy-changed', { version: policyVersion });
    await this.ctx.bus.publish('status-ingested', { count: 1 });
    return next;
  }

  /**
   * Promote pre-production client: the pre-production version becomes production, in one
   * transaction (the settings row locked) with its audit row and status message. Pre-production
   * stays set, now equal to production, so pre-production devices keep their version.
   */
  async promote(actor: Actor): Promise<AgentVersionPromotion> {
    authorize(actor, 'agent-versions:manage');
    const at = nowIso(this.ctx);
    let policyVersion = 0;
    const result = await inTransaction(this.db, async (tx) => {
      const current = parseSettings(
        await readSettingLocked(tx, { key: SETTINGS_KEY, dialect: this.ctx.db.dialect }),
      );
      const version = current.preproductionVersion;
      if (version === null || version === current.productionVersion)
        throw new ConflictError(
          ErrorCode.AGENT_VERSION_NO_PREPRODUCTION,
          version === null
            ? 'there is no pre-production client version to promote'
            : `pre-production version ${version} is production already`,
        );
      const next: AgentVersionSettings = { ...current, productionVersion: version };
      await writeSetting(tx, { key: SETTINGS_KEY, value: JSON.stringify(next) });
      await recordRolloutChange(tx, { before: current, after: next, at });
      // Production devices now target the promoted version: a new policy version.
      policyVersion = await bumpPolicyVersion(tx);
      await writeAudit(tx, actor, at, {
        action: 'agent-version.promote',
        targetType: 'agent-version',
        targetId: version,
        details: { previousProductionVersion: current.productionVersion },
      });
      await raiseSiteStatus(
        this.ctx,
        {
          message: 'AGENT_VERSION_PROMOTED',
          insertionStrings: [
            version,
            actor.userName,
            current.productionVersion ?? 'none',
            String(current.upgradeWindowHours),
          ],
        },
        tx,
      );
      return { settings: next, previousProductionVersion: current.productionVersion };
    });
    await this.ctx.bus.publish('policy-changed', { version: policyVersion });
    await this.ctx.bus.publish('status-ingested', { count: 1 });
    return result;
  }

  /** Upgrade attempts across the site, latest first (`steward agent-version upgrades`). */
  async upgrades(
    actor: Actor,
    q: { state?: AgentUpgradeState | undefined; limit?: number | undefined },
  ): Promise<AgentUpgradeAttempt[]> {
    authorize(actor, 'read');
    const rows = await listUpgradeAttempts(this.db, {
      ...(q.state === undefined ? {} : { state: q.state }),
      limit: q.limit ?? 100,
    });
    return rows.map(toAttempt);
  }

  /** A device's rollout, target version and latest attempts (device page, `device upgrade-status`). */
  async deviceUpgradeStatus(actor: Actor, idOrName: string): Promise<DeviceUpgradeStatus> {
    authorize(actor, 'read');
    const device = await findDeviceByIdOrName(this.ctx, idOrName);
    if (!device) throw new NotFoundError('device', idOrName);
    const settings = await readAgentVersionSettings(this.db);
    const rollout = (await deviceRollouts(this.db, settings, [device.id])).get(device.id);
    const attempts = await listUpgradeAttempts(this.db, { deviceId: device.id, limit: 20 });
    return {
      deviceId: device.id,
      deviceName: device.name,
      agentVersion: device.agent_version,
      rollout: rollout ?? 'production',
      targetVersion: targetVersionOf(settings, rollout ?? 'production'),
      attempts: attempts.map(toAttempt),
    };
  }
}
