import {
  agentOps,
  pathOf,
  type AgentVersionSettings,
  type ClientRollout,
  type ClientVersionTarget,
} from '@steward/protocol';
import { currentMembers } from '../collections/membership-repository.js';
import type { Queryable } from '../db/database.js';
import * as repo from './repository.js';

/** The rollout a device follows, or `excluded` (no automatic upgrade at all, ADR 0027). */
export type DeviceRollout = ClientRollout | 'excluded';

/**
 * Whether a device's rollout depends on its collections: with neither an exclusion collection
 * nor a pre-production version and collection, every device follows production and the policy
 * needs no per-device lookup.
 */
export function rolloutByMembership(s: AgentVersionSettings): boolean {
  return (
    s.exclusionCollectionId !== null ||
    (s.preproductionVersion !== null && s.preproductionCollectionId !== null)
  );
}

/**
 * The rules of docs/client-deployment.md ("Which version a device should run"): the exclusion
 * collection wins (no target), then pre-production membership when a pre-production version is
 * set, else production.
 */
export function rolloutOf(
  s: AgentVersionSettings,
  member: { preproduction: boolean; excluded: boolean },
): DeviceRollout {
  if (s.exclusionCollectionId !== null && member.excluded) return 'excluded';
  if (
    s.preproductionVersion !== null &&
    s.preproductionCollectionId !== null &&
    member.preproduction
  )
    return 'pre-production';
  return 'production';
}

/** The rollout of each of these devices (one membership query per configured collection). */
export async function deviceRollouts(
  db: Queryable,
  s: AgentVersionSettings,
  deviceIds: readonly string[],
): Promise<Map<string, DeviceRollout>> {
  const membersOf = async (collectionId: string | null) =>
    collectionId === null ? new Set<string>() : currentMembers(db, { collectionId, deviceIds });
  const excluded = await membersOf(s.exclusionCollectionId);
  const preproduction =
    s.preproductionVersion === null
      ? new Set<string>()
      : await membersOf(s.preproductionCollectionId);
  return new Map(
    deviceIds.map((id) => [
      id,
      rolloutOf(s, { excluded: excluded.has(id), preproduction: preproduction.has(id) }),
    ]),
  );
}

/** The version a rollout targets; null when excluded or nothing is set. */
export function targetVersionOf(s: AgentVersionSettings, rollout: DeviceRollout): string | null {
  switch (rollout) {
    case 'excluded':
      return null;
    case 'pre-production':
      return s.preproductionVersion;
    case 'production':
      return s.productionVersion;
  }
}

/** At most this many other versions' .debs ride along for rollback (packages stay <= 16). */
const ROLLBACK_DEBS = 8;
const MAX_PACKAGES = 16;

/**
 * The client-version target of a rollout, as it goes into the signed policy: the version and
 * the packages an agent can upgrade from (the tarball, the single executables and the .deb),
 * each with its hash and size and the install route it is downloaded from. For agents installed
 * from the .deb it also carries the .debs of the most recently registered other versions (ADR
 * 0036): the agent rolls back by reinstalling the .deb of the version it runs, verified against
 * this signed list before the upgrade starts. Agents tell them apart by name
 * (`steward-agent_<version>-<revision>_all.deb`, build-deb.sh); older agents ignore the .debs.
 */
export async function clientVersionTarget(
  db: Queryable,
  s: AgentVersionSettings,
  rollout: DeviceRollout,
): Promise<ClientVersionTarget | null> {
  const version = targetVersionOf(s, rollout);
  if (version === null || rollout === 'excluded') return null;
  const others = (await repo.listVersionRows(db))
    .map((r) => r.version)
    .filter((v) => v !== version)
    .slice(0, ROLLBACK_DEBS);
  const files = await repo.filesOf(db, [version, ...others]);
  const own = (files.get(version) ?? []).map(repo.toFile);
  const rollbackDebs = others
    .flatMap((v) => (files.get(v) ?? []).map(repo.toFile).filter((f) => f.kind === 'deb'))
    .slice(0, Math.max(0, MAX_PACKAGES - own.length));
  const packages = [...own, ...rollbackDebs].map((f) => ({
    ...f,
    path: pathOf(agentOps.install.package, { name: f.name }),
  }));
  return {
    rollout,
    version,
    packages,
    upgradeWindowHours: s.upgradeWindowHours,
    reportInSeconds: s.upgradeReportInSeconds,
  };
}
