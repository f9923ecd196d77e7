import { sign } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import {
  ClientSettings,
  ClientSettingsOptions,
  DEFAULT_SOFTWARE_SCAN_PATHS,
  canonicalJson,
  settingsDefaults,
  type PolicyDocument,
  type SignedPolicy,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { settingOrInit, type SiteKeys } from '../site/site-keys.js';
import { readSetting, writeSetting } from '../site/repository.js';
import { loadCustomClasses } from '../inventory/classes.js';
import { writeAudit } from '../audit/audit.js';
import { storedSettings } from '../db/corrupt-row.js';
import { type Queryable, inTransaction } from '../db/database.js';

/** What a site without stored client settings delivers: the declared defaults (ADR 0016). */
export const DEFAULT_CLIENT_SETTINGS: Static<typeof ClientSettings> = {
  ...settingsDefaults(ClientSettingsOptions),
  softwareScanPaths: DEFAULT_SOFTWARE_SCAN_PATHS,
};

/** Raises the policy version in the caller's transaction; agents refetch on the next nudge or poll. */
export async function bumpPolicyVersion(tx: Queryable): Promise<number> {
  const next = Number((await readSetting(tx, 'policy_version')) ?? '1') + 1;
  await writeSetting(tx, { key: 'policy_version', value: String(next) });
  return next;
}

/**
 * Builds and signs the policy agents fetch. One document per policy version, signed once and
 * cached: a policy request costs no database work until something changes.
 */
export class PolicyService {
  private cached: { version: number; signed: SignedPolicy } | undefined;
  private unsubscribe: () => void;

  constructor(
    private readonly ctx: SiteContext,
    private readonly keys: SiteKeys,
  ) {
    this.unsubscribe = ctx.bus.subscribe('policy-changed', () => {
      this.cached = undefined;
    });
  }

  stop(): void {
    this.unsubscribe();
  }

  async currentVersion(): Promise<number> {
    return Number(await settingOrInit(this.ctx.db.kysely, 'policy_version', () => '1'));
  }

  async signedPolicy(): Promise<{ version: number; signed: SignedPolicy }> {
    if (this.cached) return this.cached;
    const version = await this.currentVersion();
    const doc: PolicyDocument = {
      version,
      issuedAt: nowIso(this.ctx),
      siteCode: this.keys.siteCode,
      settings: await this.readSettings(),
      inventoryClasses: await loadCustomClasses(this.ctx),
    };
    const payload = canonicalJson(doc);
    const signature = sign(null, Buffer.from(payload, 'utf8'), this.keys.policySigningKey).toString(
      'base64',
    );
    this.cached = { version, signed: { payload, signature } };
    return this.cached;
  }

  private async readSettings(): Promise<Static<typeof ClientSettings>> {
    const raw = await settingOrInit(this.ctx.db.kysely, 'client_settings', () =>
      JSON.stringify(DEFAULT_CLIENT_SETTINGS),
    );
    return storedSettings(ClientSettings, DEFAULT_CLIENT_SETTINGS, raw, 'client_settings');
  }

  async getSettings(actor: Actor): Promise<Static<typeof ClientSettings>> {
    authorize(actor, 'read');
    return this.readSettings();
  }

  async updateSettings(
    actor: Actor,
    patch: Partial<Static<typeof ClientSettings>>,
  ): Promise<Static<typeof ClientSettings>> {
    authorize(actor, 'devices:write');
    const next = { ...(await this.readSettings()), ...patch };
    const at = nowIso(this.ctx);
    let version = 0;
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await writeSetting(tx, { key: 'client_settings', value: JSON.stringify(next) });
      version = await bumpPolicyVersion(tx);
      await writeAudit(tx, actor, at, {
        action: 'client-settings.update',
        targetType: 'client-settings',
        targetId: 'site',
        details: patch,
      });
    });
    await this.ctx.bus.publish('policy-changed', { version });
    return next;
  }
}
