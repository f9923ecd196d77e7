import type { AgentVersionSettings, ClientRollout } from '@steward/protocol';
import type { AgentUpgradeRow } from '../agent-versions/upgrade-repository.js';
import { latestUpgradeAttempts } from '../agent-versions/upgrade-repository.js';
import { readAgentVersionSettings } from '../agent-versions/service.js';
import { rolloutOf } from '../agent-versions/client-version.js';
import { failedChecksOf } from '../client-check/repository.js';
import {
  latestPushAttemptsOfDevices,
  type DevicePushAttemptRow,
} from '../client-push/repository.js';
import { lastMembershipChangeAt, memberIdsOf } from '../collections/membership-repository.js';
import type { Queryable } from '../db/database.js';
import { clientStatusDevices, type ClientStatusDeviceRow } from '../devices/repository.js';
import { activeAt } from './active.js';
import { readRolloutSince } from './rollout-since.js';
import {
  clientDeploymentState,
  type ClientInstallAttempt,
  type ClientDeploymentVerdict,
} from './state.js';

/** The latest install attempt of a device, from a push or from the agent's own upgrade. */
export type AttemptSource =
  | { kind: 'push'; row: DevicePushAttemptRow; attempt: ClientInstallAttempt }
  | { kind: 'upgrade'; row: AgentUpgradeRow; attempt: ClientInstallAttempt };

export interface DeviceClientState {
  device: ClientStatusDeviceRow;
  rollout: ClientRollout;
  expectedVersion: string | null;
  verdict: ClientDeploymentVerdict;
  attempt: AttemptSource | null;
}

function fromPush(row: DevicePushAttemptRow): AttemptSource {
  return {
    kind: 'push',
    row,
    attempt: {
      version: row.agent_version ?? '',
      outcome: row.outcome ?? 'running',
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      error: row.error_code === null ? null : `client push failed: ${row.error_code}`,
    },
  };
}

function fromUpgrade(row: AgentUpgradeRow): AttemptSource {
  const failed = row.state === 'failed' || row.state === 'rolled-back';
  const why = [row.error_code, row.reason].filter((x) => x !== null).join(': ');
  return {
    kind: 'upgrade',
    row,
    attempt: {
      version: row.to_version,
      outcome: row.state === 'succeeded' ? 'succeeded' : failed ? 'failed' : 'running',
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      error: failed ? `agent upgrade ${row.state}${why ? `: ${why}` : ''}` : null,
    },
  };
}

/** Push attempts and agent upgrades both install: the later started one is the latest. */
function latestOf(
  push: DevicePushAttemptRow | undefined,
  upgrade: AgentUpgradeRow | undefined,
): AttemptSource | null {
  if (push && upgrade)
    return push.started_at > upgrade.started_at ? fromPush(push) : fromUpgrade(upgrade);
  if (push) return fromPush(push);
  if (upgrade) return fromUpgrade(upgrade);
  return null;
}

async function idsOf(db: Queryable, collectionId: string | null): Promise<Set<string>> {
  if (collectionId === null) return new Set();
  return new Set((await memberIdsOf(db, collectionId).execute()).map((r) => r.device_id));
}

function later(...times: (string | null | undefined)[]): string {
  return times
    .filter((t): t is string => typeof t === 'string')
    .reduce((a, b) => (b > a ? b : a), '');
}

/**
 * Every live device of a scope (undefined: all) with its rollout and state, in set queries only
 * (a fixed number whatever the device count; upgrade attempts in chunks of 500 ids).
 */
export async function computeClientStates(
  db: Queryable,
  opts: { collectionId: string | undefined; now: Date },
): Promise<{
  settings: AgentVersionSettings;
  since: Record<ClientRollout, string | null>;
  states: DeviceClientState[];
}> {
  const { collectionId, now } = opts;
  const settings = await readAgentVersionSettings(db);
  const since = await readRolloutSince(db);
  const devices = await clientStatusDevices(db, { collectionId });
  const pre = await idsOf(db, settings.preproductionCollectionId);
  const excluded = await idsOf(db, settings.exclusionCollectionId);
  const joined =
    settings.preproductionCollectionId === null
      ? new Map<string, string>()
      : await lastMembershipChangeAt(db, settings.preproductionCollectionId);
  const pushes = await latestPushAttemptsOfDevices(db, { collectionId });
  const upgrades = await latestUpgradeAttempts(
    db,
    devices.map((d) => d.id),
  );
  const checks = await failedChecksOf(db, { collectionId });
  const isActive = activeAt(now);
  const states = devices.map((device): DeviceClientState => {
    // One definition of the rollout (agent-versions/client-version.ts); excluded devices are
    // judged against production, with the exclusion as their reason (docs/client-deployment.md).
    const deviceRollout = rolloutOf(settings, {
      preproduction: pre.has(device.id),
      excluded: excluded.has(device.id),
    });
    const isExcluded = deviceRollout === 'excluded';
    const rollout: ClientRollout = isExcluded ? 'production' : deviceRollout;
    const expectedVersion =
      rollout === 'pre-production' ? settings.preproductionVersion : settings.productionVersion;
    const attempt = latestOf(pushes.get(device.id), upgrades.get(device.id));
    const active = isActive(device);
    if (expectedVersion === null)
      return {
        device,
        rollout,
        expectedVersion,
        attempt,
        verdict: active
          ? {
              state: 'not-started',
              reason: 'no production client version is set (Administration > Client versions)',
            }
          : {
              state: 'unknown',
              reason: device.last_contact_at
                ? `no contact since ${device.last_contact_at}: its client state cannot be known`
                : 'never reported: its client state cannot be known',
            },
      };
    const verdict = clientDeploymentState({
      rollout,
      excluded: isExcluded,
      expectedVersion,
      // Joining or leaving the pre-production collection, or enrolling, restarts the window.
      expectedSince: later(since[rollout], joined.get(device.id), device.enrolled_at),
      upgradeWindowHours: settings.upgradeWindowHours,
      agentVersion: device.agent_version,
      active,
      lastContactAt: device.last_contact_at,
      latestAttempt: attempt?.attempt ?? null,
      failedChecks: checks.get(device.id) ?? null,
      // An attempt still running after this long never finishes (docs/client-deployment.md,
      // Failed): the client-version setting, longer than a push's install plus its enrolment
      // wait, and than an agent's download, verification and first report of a new version.
      attemptTimeoutMs: settings.upgradeAttemptTimeoutHours * 3600_000,
      now,
    });
    return { device, rollout, expectedVersion, attempt, verdict };
  });
  return { settings, since, states };
}
