import {
  ConflictError,
  patchedSettings,
  type ErrorCode,
  type SettingsDeclaration,
  type SettingValues,
} from '@steward/protocol';
import { authorize, nowIso, type Actor, type SiteContext } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { inTransaction, type Queryable } from '../db/database.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { mustFindDp } from './dp-service.js';

/** A role's stored settings of one DP (the declared defaults when it has none). */
export interface StoredDpRole<D extends SettingsDeclaration> {
  values: SettingValues<D>;
  updatedAt: string | null;
  updatedBy: string | null;
}

/**
 * A role of a standalone DP whose settings are declared once (ADR 0016) and kept in a table of
 * their own (multicast, ADR 0088; state migration point, ADR 0096): how it reads and writes
 * them, and what it says when changed.
 */
export interface DpRole<D extends SettingsDeclaration> {
  declaration: D;
  read(db: Queryable, dpId: string): Promise<StoredDpRole<D>>;
  write(
    db: Queryable,
    dpId: string,
    values: SettingValues<D>,
    by: { at: string; user: string },
  ): Promise<void>;
  /** What one field's schema cannot check (ranges); throws InputError. */
  check?: (values: SettingValues<D>) => void;
  /** Whether the role is on, for the status message. */
  enabled(values: SettingValues<D>): boolean;
  /** The site server's own DP has no such role. */
  siteServer: { code: ErrorCode; message: string };
  auditAction: string;
  status: 'DP_MULTICAST_SETTINGS_CHANGED' | 'DP_STATE_MIGRATION_CHANGED';
}

export type DpRoleView<D extends SettingsDeclaration> = SettingValues<D> & {
  dpId: string;
  updatedAt: string | null;
  updatedBy: string | null;
};

async function view<D extends SettingsDeclaration>(
  db: Queryable,
  role: DpRole<D>,
  dpId: string,
): Promise<DpRoleView<D>> {
  const stored = await role.read(db, dpId);
  return { dpId, ...stored.values, updatedAt: stored.updatedAt, updatedBy: stored.updatedBy };
}

/** A DP's role settings (`read`). */
export async function getDpRole<D extends SettingsDeclaration>(
  ctx: SiteContext,
  actor: Actor,
  idOrName: string,
  role: DpRole<D>,
): Promise<DpRoleView<D>> {
  authorize(actor, 'read');
  const dp = await mustFindDp(ctx.db.kysely, idOrName);
  return view(ctx.db.kysely, role, dp.id);
}

/**
 * Changes the fields given of a DP's role (`software:write`); the change, its audit entry and
 * its status message are one transaction. The DP applies it at its next poll.
 */
export async function updateDpRole<D extends SettingsDeclaration>(
  ctx: SiteContext,
  actor: Actor,
  idOrName: string,
  patch: Partial<SettingValues<D>>,
  role: DpRole<D>,
): Promise<DpRoleView<D>> {
  authorize(actor, 'software:write');
  const db = ctx.db.kysely;
  const dp = await mustFindDp(db, idOrName);
  if (dp.is_site_server === 1)
    throw new ConflictError(role.siteServer.code, role.siteServer.message);
  const at = nowIso(ctx);
  await inTransaction(db, async (tx) => {
    const stored = await role.read(tx, dp.id);
    const next = { ...stored.values, ...patchedSettings(role.declaration, patch) };
    role.check?.(next);
    await role.write(tx, dp.id, next, { at, user: actor.userName });
    await writeAudit(tx, actor, at, {
      action: role.auditAction,
      targetType: 'distribution-point',
      targetId: dp.id,
      details: { name: dp.name, ...patch },
    });
    await raiseSiteStatus(
      ctx,
      {
        message: role.status,
        insertionStrings: [
          actor.userName,
          dp.name,
          role.enabled(next) ? 'enabled' : 'disabled',
          Object.keys(patch).join(', ') || 'nothing',
        ],
        attributes: { dpId: dp.id },
      },
      tx,
    );
  });
  await ctx.bus.publish('status-ingested', { count: 1 });
  return view(db, role, dp.id);
}
