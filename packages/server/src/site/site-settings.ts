import {
  ops,
  settingsDefaults,
  SiteSettings,
  SiteSettingsOptions,
  type SiteInfo,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import type { App } from '../http/types.js';
import { storedSettings } from '../db/corrupt-row.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import { readSetting, writeSetting } from './repository.js';
import { inTransaction } from '../db/database.js';

const DEFAULTS: SiteSettings = settingsDefaults(SiteSettingsOptions);
const KEY = 'site_settings';

// Read on every device summary: kept in memory, refreshed in every process when it changes.
let current: SiteSettings = DEFAULTS;
/**
 * Bumped by every write here and every refresh started: a refresh applies its read only if
 * nothing newer happened meanwhile. Change events arrive after the answer (PostgreSQL delivers
 * its notifications late), so a refresh started for an older change could otherwise finish
 * after a newer write and put the older settings back for a moment.
 */
let generation = 0;

/**
 * The site's settings as this process last read them (client activity reads its five
 * thresholds, the probe port and the obsolete rules here on every device summary).
 */
export function currentSiteSettings(): SiteSettings {
  return current;
}

/** Days status messages are kept (status/retention.ts deletes older ones). */
export function statusMessageRetentionDays(): number {
  return current.statusMessageRetentionDays;
}

async function read(ctx: SiteContext): Promise<SiteSettings> {
  const value = await readSetting(ctx.db.kysely, KEY);
  return value === undefined ? DEFAULTS : storedSettings(SiteSettings, DEFAULTS, value, KEY);
}

export class SiteSettingsService {
  private unsubscribe: () => void = () => undefined;
  constructor(private readonly ctx: SiteContext) {}

  async start(): Promise<void> {
    current = await read(this.ctx);
    this.unsubscribe = this.ctx.bus.subscribe('site-settings-changed', () => {
      const started = ++generation;
      void read(this.ctx).then((s) => {
        if (started === generation) current = s;
      });
    });
  }

  stop(): void {
    this.unsubscribe();
  }

  async get(actor: Actor): Promise<SiteSettings> {
    authorize(actor, 'read');
    return read(this.ctx);
  }

  async update(actor: Actor, patch: Partial<SiteSettings>): Promise<SiteSettings> {
    authorize(actor, 'devices:write');
    const next = { ...(await read(this.ctx)), ...patch };
    const at = nowIso(this.ctx);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await writeSetting(tx, { key: KEY, value: JSON.stringify(next) });
      await writeAudit(tx, actor, at, {
        action: 'site-settings.update',
        targetType: 'site',
        targetId: this.ctx.siteCode,
        details: patch,
      });
    });
    current = next;
    generation++;
    await this.ctx.bus.publish('site-settings-changed', {});
    return next;
  }
}

/** The site's own operations: health, identity (`info` supplies it) and settings. */
export function registerSiteRoutes(
  app: App,
  service: SiteSettingsService,
  info: () => SiteInfo,
): void {
  implement(app, ops.site, {
    health: () => ({ ok: true }),
    info: () => info(),
    getSettings: (req) => service.get(actorOf(req)),
    updateSettings: (req) => service.update(actorOf(req), req.body),
  });
}
