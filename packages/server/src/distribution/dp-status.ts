import type { DpStatusItem } from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { findVersion, type VersionRef } from '../content/repository.js';
import { findTarget, updateTarget } from './content-status-repository.js';
import { type Queryable, inTransaction } from '../db/database.js';

interface TargetRow {
  state: DpStatusItem['state'];
  installed_version_id: string | null;
  version_id: string;
  validate_requested_at: string | null;
}

type Milestone =
  | { message: 'DISTRIBUTION_STARTED' | 'DISTRIBUTED_TO_DP' }
  | { message: 'DP_INSTALL_FAILED' | 'DP_VALIDATED'; detail: string };

/**
 * Which status messages a reported state raises, given the row's state before it.
 * DISTRIBUTION_STARTED marks the start of a version's distribution and so is raised when
 * the row leaves `pending` (it is reset to pending only when a new version or a new target
 * arrives: once per version); DISTRIBUTED_TO_DP when the version becomes installed;
 * DP_INSTALL_FAILED on entering `failed`; DP_VALIDATED for every validation result.
 */
export function milestonesOf(row: TargetRow, item: DpStatusItem): Milestone[] {
  const out: Milestone[] = [];
  const started = row.state === 'pending' && item.state !== 'pending';
  switch (item.state) {
    case 'pending':
    case 'removing':
      break;
    case 'distributing':
      if (started) out.push({ message: 'DISTRIBUTION_STARTED' });
      break;
    case 'installed':
      if (started) out.push({ message: 'DISTRIBUTION_STARTED' });
      if (row.state !== 'installed' || row.installed_version_id !== row.version_id)
        out.push({ message: 'DISTRIBUTED_TO_DP' });
      break;
    case 'failed':
      if (started) out.push({ message: 'DISTRIBUTION_STARTED' });
      if (row.state !== 'failed')
        out.push({ message: 'DP_INSTALL_FAILED', detail: item.message ?? 'unknown error' });
      break;
    case 'validation-failed':
      break;
  }
  if (item.validatedAt !== undefined) {
    const bad = item.badFiles ?? [];
    out.push({
      message: 'DP_VALIDATED',
      detail:
        item.state === 'validation-failed'
          ? `${bad.length} file(s) missing or damaged${bad.length ? `: ${bad.slice(0, 5).join(', ')}` : ''}`
          : 'every file has its hash',
    });
  }
  return out;
}

/** Bigint columns: a fractional count would fail the report on PostgreSQL (at every retry). */
export function wholeBytes(value: number): number {
  return Math.min(Math.floor(value), Number.MAX_SAFE_INTEGER);
}

function nextValues(row: TargetRow, item: DpStatusItem, version: VersionRef, at: string) {
  const installedVersion =
    item.state === 'installed'
      ? version.id
      : item.state === 'validation-failed'
        ? // A DP whose copy failed validation must not be offered to clients until repaired.
          null
        : row.installed_version_id;
  return {
    state: item.state === 'removing' ? row.state : item.state,
    installed_version_id: installedVersion,
    bytes_done: wholeBytes(item.bytesDone),
    bytes_total: wholeBytes(item.bytesTotal),
    message: item.message ?? null,
    updated_at: at,
    ...(item.validatedAt !== undefined
      ? { validated_at: item.validatedAt, validate_requested_at: null }
      : {}),
  };
}

/**
 * Applies one DP's report of one package version: the dp_package row and the status messages
 * of the transition, in one transaction. Reports about a version the DP is no longer asked to
 * hold (a newer one arrived meanwhile) or about a package no longer targeted change nothing.
 */
export async function applyDpStatusItem(
  ctx: SiteContext,
  dp: { id: string; name: string },
  item: DpStatusItem,
): Promise<boolean> {
  const version = await findVersion(ctx.db.kysely, item.packageVersionId);
  if (!version) return false;
  const at = ctx.clock.now().toISOString();
  const raised = await inTransaction(ctx.db.kysely, async (tx: Queryable) => {
    const target = { dpId: dp.id, packageId: version.package_id };
    const row = await findTarget(tx, target);
    if (!row || row.version_id !== version.id) return 0;
    await updateTarget(tx, { ...target, values: nextValues(row, item, version, at) });
    const milestones = milestonesOf(row, item);
    for (const m of milestones) {
      const attributes = {
        packageId: version.package_id,
        distributionPoint: dp.id,
        packageVersionId: version.id,
        versionNumber: String(version.number),
      };
      const status =
        'detail' in m
          ? {
              message: m.message,
              insertionStrings: [row.package_name, dp.name, m.detail] as const,
              attributes,
            }
          : {
              message: m.message,
              insertionStrings: [row.package_name, dp.name] as const,
              attributes,
            };
      await raiseSiteStatus(ctx, status, tx);
    }
    return milestones.length;
  });
  if (raised > 0) await ctx.bus.publish('status-ingested', { count: raised });
  return true;
}
