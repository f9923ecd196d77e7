import {
  ErrorCode,
  NotAllowedError,
  type AgentUpgradeLocations,
  type ContentLocation,
} from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { findPackage } from '../content/repository.js';
import type { ContentLocationService } from '../distribution/location-service.js';
import { clientVersionTarget, deviceRollouts } from './client-version.js';
import * as repo from './repository.js';
import { readAgentVersionSettings } from './service.js';

/** Tiers an agent upgrade may use without the fallback setting: the client's own groups' DPs. */
function ownTier(tier: ContentLocation['tier']): boolean {
  switch (tier) {
    case 'local':
    case 'default':
      return true;
    case 'neighbour':
    case 'fallback':
      return false;
  }
}

/**
 * Where a device downloads one package of its client-version target (ADR 0042). Only a file of
 * the device's own signed target (the target version's packages and the rollback .debs) is
 * answered (else CONTENT_NOT_ENTITLED); the locations are the content-location rules for the
 * agent version's package, less the neighbour and fallback tiers when the site's
 * `upgradeAllowFallback` is off; the token names that package version only.
 */
export async function agentUpgradeLocations(
  ctx: SiteContext,
  locations: ContentLocationService,
  q: { deviceId: string; sha256: string; remoteAddress: string },
): Promise<AgentUpgradeLocations> {
  const db = ctx.db.kysely;
  const settings = await readAgentVersionSettings(db);
  const rollout = (await deviceRollouts(db, settings, [q.deviceId])).get(q.deviceId);
  const target = rollout === undefined ? null : await clientVersionTarget(db, settings, rollout);
  if (!target?.packages.some((p) => p.sha256 === q.sha256))
    throw new NotAllowedError(
      `file ${q.sha256} is not a package of this device's client-version target`,
      ErrorCode.CONTENT_NOT_ENTITLED,
    );
  const versions = await repo.versionsWithFile(db, q.sha256);
  const version = versions.includes(target.version) ? target.version : versions[0];
  const row = version === undefined ? undefined : await repo.findVersionRow(db, version);
  const siteFallback = settings.upgradeAllowFallback;
  const pkg = row?.package_id ? await findPackage(db, row.package_id) : undefined;
  if (!row || !pkg?.current_version_id)
    return { version: row?.version ?? target.version, content: null, siteFallback };
  const found = await locations.forEntitledDevice(
    q.deviceId,
    pkg.current_version_id,
    q.remoteAddress,
  );
  return {
    version: row.version,
    content: {
      ...found,
      locations: siteFallback ? found.locations : found.locations.filter((l) => ownTier(l.tier)),
    },
    siteFallback,
  };
}
