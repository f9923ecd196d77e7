import { sign } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import {
  ClientSettings,
  ClientSettingsOptions,
  DEFAULT_SOFTWARE_SCAN_PATHS,
  canonicalJson,
  settingsDefaults,
  type AgentVersionSettings,
  type ClientVersionTarget,
  type PolicyDocument,
  type SignedPolicy,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { settingOrInit, type SiteKeys } from '../site/site-keys.js';
import { readSetting, writeSetting } from '../site/repository.js';
import { loadCustomClasses } from '../inventory/classes.js';
import { storedSettings } from '../db/corrupt-row.js';
import type { Queryable } from '../db/database.js';
import { anyAssignment, sourcesForDevice, subsetOf } from '../client-settings/repository.js';
import { resolveClientSettings, type SettingsSource } from '../client-settings/resultant.js';
import { readAgentVersionSettings } from '../agent-versions/service.js';
import {
  clientVersionTarget,
  deviceRollouts,
  rolloutByMembership,
  type DeviceRollout,
} from '../agent-versions/client-version.js';

/** What a site without stored client settings delivers: the declared defaults (ADR 0016). */
export const DEFAULT_CLIENT_SETTINGS: Static<typeof ClientSettings> = {
  ...settingsDefaults(ClientSettingsOptions),
  softwareScanPaths: DEFAULT_SOFTWARE_SCAN_PATHS,
};

/** The document key of the site's settings alone (no client settings object applies). */
const SITE_KEY = '';

/** A document's cache key: its resultant settings and its client-version rollout (ADR 0027). */
function documentKey(settingsKey: string, rollout: DeviceRollout): string {
  return `${rollout}\u0000${settingsKey}`;
}
const SITE_DOCUMENT = documentKey(SITE_KEY, 'production');

/** The site's client settings as a new site stores them (created at start). */
export function clientSettingsRow(): { key: string; value: string } {
  return { key: 'client_settings', value: JSON.stringify(DEFAULT_CLIENT_SETTINGS) };
}

/** The policy version of a new site (created at start; raised by bumpPolicyVersion). */
export const POLICY_VERSION_ROW = { key: 'policy_version', value: '1' } as const;

/** Raises the policy version in the caller's transaction; agents refetch on the next nudge or poll. */
export async function bumpPolicyVersion(tx: Queryable): Promise<number> {
  const key = POLICY_VERSION_ROW.key;
  const next = Number((await readSetting(tx, key)) ?? POLICY_VERSION_ROW.value) + 1;
  await writeSetting(tx, { key, value: String(next) });
  return next;
}

/**
 * Builds and signs the policy agents fetch. One document per policy version, signed once and
 * cached: a policy request costs no database work until something changes.
 */
export class PolicyService {
  /** The policy version the caches below belong to; any other version empties them. */
  private cachedVersion: number | undefined;
  /** Signed documents by canonical settings: devices with the same resultant share one. */
  private documents = new Map<string, SignedPolicy>();
  /** Each device's resultant settings key this version; undefined until its first fetch. */
  private deviceKeys = new Map<string, string>();
  /** Whether any client settings object is assigned (none: one document for every device). */
  private assigned: boolean | undefined;
  /** Whether the client-version rollout depends on collections (exclusion or pre-production). */
  private byMembership: boolean | undefined;
  /** Raised by every change, so a document built across a change is not cached. */
  private generation = 0;
  private unsubscribe: () => void;

  constructor(
    private readonly ctx: SiteContext,
    private readonly keys: SiteKeys,
  ) {
    this.unsubscribe = ctx.bus.subscribe('policy-changed', () => this.drop());
  }

  /** Forgets every cached document (also called directly by this process after a change). */
  drop(): void {
    this.generation++;
    this.cachedVersion = undefined;
    this.documents.clear();
    this.deviceKeys.clear();
    this.assigned = undefined;
    this.byMembership = undefined;
  }

  stop(): void {
    this.unsubscribe();
  }

  async currentVersion(): Promise<number> {
    const { key, value } = POLICY_VERSION_ROW;
    return Number(await settingOrInit(this.ctx.db.kysely, key, () => value));
  }

  /**
   * The signed policy of one device: the site's settings with the client settings objects of
   * its collections merged in (ADR 0025). One document per policy version and resultant
   * settings, signed once and cached; a device's key is cached too, so a repeated request
   * costs no database work until something changes.
   */
  async signedPolicy(deviceId?: string): Promise<{ version: number; signed: SignedPolicy }> {
    const generation = this.generation;
    if (this.cachedVersion !== undefined) {
      // With no client settings object assigned and no rollout by collection, every device gets
      // the site's document: no per-device lookup, so a fleet's first fetches after a change
      // cost no database work.
      const key =
        deviceId === undefined || (this.assigned === false && this.byMembership === false)
          ? SITE_DOCUMENT
          : this.deviceKeys.get(deviceId);
      const hit = key === undefined ? undefined : this.documents.get(key);
      if (hit) return { version: this.cachedVersion, signed: hit };
    }
    const db = this.ctx.db.kysely;
    const version = await this.currentVersion();
    const site = await this.readSettings();
    const assigned = this.assigned ?? (await anyAssignment(db));
    const versions = await readAgentVersionSettings(db);
    const byMembership = rolloutByMembership(versions);
    const sources = deviceId !== undefined && assigned ? await this.sourcesOf(deviceId) : [];
    const settings = sources.length > 0 ? resolveClientSettings(site, sources).settings : site;
    const rollout =
      deviceId !== undefined && byMembership
        ? ((await deviceRollouts(db, versions, [deviceId])).get(deviceId) ?? 'production')
        : 'production';
    const key = documentKey(sources.length > 0 ? canonicalJson(settings) : SITE_KEY, rollout);
    const signed =
      (this.cachedVersion === version ? this.documents.get(key) : undefined) ??
      (await this.sign(version, settings, await this.targetOf(versions, rollout)));
    if (generation === this.generation) {
      if (this.cachedVersion !== version) {
        this.documents.clear();
        this.deviceKeys.clear();
        this.cachedVersion = version;
      }
      this.assigned = assigned;
      this.byMembership = byMembership;
      this.documents.set(key, signed);
      if (deviceId !== undefined) this.deviceKeys.set(deviceId, key);
    }
    return { version, signed };
  }

  private targetOf(
    versions: AgentVersionSettings,
    rollout: DeviceRollout,
  ): Promise<ClientVersionTarget | null> {
    return clientVersionTarget(this.ctx.db.kysely, versions, rollout);
  }

  /** The client settings objects reaching a device, checked against the declarations. */
  async sourcesOf(deviceId: string, db: Queryable = this.ctx.db.kysely): Promise<SettingsSource[]> {
    return (await sourcesForDevice(db, deviceId)).map((r) => ({
      objectId: r.object_id,
      objectName: r.object_name,
      priority: r.priority,
      collectionId: r.collection_id,
      collectionName: r.collection_name,
      settings: subsetOf({ id: r.object_id, settings: r.settings }),
    }));
  }

  private async sign(
    version: number,
    settings: Static<typeof ClientSettings>,
    clientVersion: ClientVersionTarget | null,
  ): Promise<SignedPolicy> {
    const doc: PolicyDocument = {
      version,
      issuedAt: nowIso(this.ctx),
      siteCode: this.keys.siteCode,
      settings,
      inventoryClasses: await loadCustomClasses(this.ctx),
      clientVersion,
    };
    const payload = canonicalJson(doc);
    const signature = sign(null, Buffer.from(payload, 'utf8'), this.keys.policySigningKey).toString(
      'base64',
    );
    return { payload, signature };
  }

  /** The site's own client settings (the defaults every object overrides value by value). */
  siteSettings(): Promise<Static<typeof ClientSettings>> {
    return this.readSettings();
  }

  private async readSettings(): Promise<Static<typeof ClientSettings>> {
    const { key, value } = clientSettingsRow();
    const raw = await settingOrInit(this.ctx.db.kysely, key, () => value);
    return storedSettings(ClientSettings, DEFAULT_CLIENT_SETTINGS, raw, 'client_settings');
  }

  async getSettings(actor: Actor): Promise<Static<typeof ClientSettings>> {
    authorize(actor, 'read');
    return this.readSettings();
  }
}
