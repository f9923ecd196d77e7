import {
  ACTIVE_PUSH_STATES,
  ErrorCode,
  NotFoundError,
  type ClientFailureChart,
  type ClientFailureReportQuery,
  type ClientFailureRow,
  type ClientFailuresQuery,
  type ClientRollout,
  type ClientStateCounts,
  type ClientStatusByCollectionRow,
  type ClientStatusDevice,
  type ClientStatusDevicePage,
  type ClientStatusDevicesQuery,
  type ClientStatusQuery,
  type ClientStatusSummary,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize } from '../context.js';
import { pushAttemptLogs, pushInFlight } from '../client-push/repository.js';
import { findCollection, listCollectionRows } from '../collections/repository.js';
import { memberships } from '../collections/membership-repository.js';
import { DEFAULT_BUCKETS } from './buckets.js';
import { computeClientStates, type DeviceClientState } from './compute.js';
import { failureChart, failureRows } from './failures.js';

const ALL_SYSTEMS = 'all-systems';

function emptyCounts(): ClientStateCounts {
  return {
    'not-started': 0,
    'in-progress': 0,
    compliant: 0,
    noncompliant: 0,
    failed: 0,
    unknown: 0,
  };
}

function countStates(states: readonly DeviceClientState[]): ClientStateCounts {
  const counts = emptyCounts();
  for (const s of states) counts[s.verdict.state]++;
  return counts;
}

function toDevice(s: DeviceClientState, logs: ReadonlyMap<string, string>): ClientStatusDevice {
  const a = s.attempt;
  return {
    deviceId: s.device.id,
    name: s.device.name,
    state: s.verdict.state,
    reason: s.verdict.reason,
    agentVersion: s.device.agent_version,
    lastContactAt: s.device.last_contact_at,
    attempt:
      a === null
        ? null
        : {
            kind: a.kind,
            id: a.kind === 'push' ? a.row.target_id : a.row.attempt_id,
            version: a.attempt.version === '' ? null : a.attempt.version,
            outcome: a.attempt.outcome,
            startedAt: a.attempt.startedAt,
            finishedAt: a.attempt.finishedAt,
            errorCode: a.row.error_code,
            log:
              a.kind === 'push'
                ? (logs.get(a.row.id) ?? '').split('\n').filter(Boolean)
                : [a.attempt.error ?? `agent upgrade ${a.row.state}`],
          },
  };
}

/**
 * Monitoring > Client status (issue 9): the production and pre-production client deployment
 * dashboards, the failure chart and the two reports. States follow docs/client-deployment.md
 * through `clientDeploymentState`; every request computes its scope in set queries.
 */
export class ClientStatusService {
  constructor(private readonly ctx: SiteContext) {}

  private get db() {
    return this.ctx.db.kysely;
  }

  /** A collection by id or name; All Systems when none is named. */
  private async scope(ref: string | undefined): Promise<{ id: string; name: string }> {
    const row = await findCollection(this.db, ref ?? ALL_SYSTEMS);
    if (!row)
      throw new NotFoundError('collection', ref ?? ALL_SYSTEMS, ErrorCode.COLLECTION_NOT_FOUND);
    return { id: row.id, name: row.name };
  }

  private async statesOf(collectionId: string, rollout: ClientRollout) {
    const now = this.ctx.clock.now();
    const computed = await computeClientStates(this.db, {
      // All Systems is every live device, even before the first collection evaluation.
      collectionId: collectionId === ALL_SYSTEMS ? undefined : collectionId,
      now,
    });
    return { ...computed, now, states: computed.states.filter((s) => s.rollout === rollout) };
  }

  async summary(actor: Actor, q: ClientStatusQuery): Promise<ClientStatusSummary> {
    authorize(actor, 'read');
    const rollout = q.rollout ?? 'production';
    const scope = await this.scope(q.collection);
    const { settings, since, states, now } = await this.statesOf(scope.id, rollout);
    return {
      rollout,
      collectionId: scope.id,
      collectionName: scope.name,
      expectedVersion:
        rollout === 'production' ? settings.productionVersion : settings.preproductionVersion,
      expectedSince: since[rollout],
      upgradeWindowHours: settings.upgradeWindowHours,
      total: states.length,
      counts: countStates(states),
      pushRunning: await pushInFlight(this.db, ['queued', ...ACTIVE_PUSH_STATES]),
      computedAt: now.toISOString(),
    };
  }

  async devices(actor: Actor, q: ClientStatusDevicesQuery): Promise<ClientStatusDevicePage> {
    authorize(actor, 'read');
    const scope = await this.scope(q.collection);
    const { states } = await this.statesOf(scope.id, q.rollout ?? 'production');
    const matching =
      q.state === undefined ? states : states.filter((s) => s.verdict.state === q.state);
    const offset = q.offset ?? 0;
    const page = matching.slice(offset, offset + (q.limit ?? 50));
    const pushIds = page.flatMap((s) => (s.attempt?.kind === 'push' ? [s.attempt.row.id] : []));
    const logs = await pushAttemptLogs(this.db, pushIds);
    return { items: page.map((s) => toDevice(s, logs)), total: matching.length };
  }

  async failures(actor: Actor, q: ClientFailuresQuery): Promise<ClientFailureChart> {
    authorize(actor, 'read');
    const period = q.period ?? 'day';
    return failureChart(this.db, {
      period,
      buckets: q.buckets ?? DEFAULT_BUCKETS[period],
      now: this.ctx.clock.now(),
    });
  }

  /** Report: one row per collection, for one rollout, from one computation of every device. */
  async byCollection(
    actor: Actor,
    q: { rollout?: ClientRollout | undefined },
  ): Promise<ClientStatusByCollectionRow[]> {
    authorize(actor, 'read');
    const { states } = await this.statesOf(ALL_SYSTEMS, q.rollout ?? 'production');
    const byDevice = new Map(states.map((s) => [s.device.id, s]));
    const collections = await listCollectionRows(this.db);
    const members = await memberships(this.db).execute();
    const grouped = new Map<string, DeviceClientState[]>();
    for (const m of members) {
      const s = byDevice.get(m.device_id);
      if (!s) continue;
      const list = grouped.get(m.collection_id);
      if (list) list.push(s);
      else grouped.set(m.collection_id, [s]);
    }
    return collections.map((c) => {
      const of = c.id === ALL_SYSTEMS ? states : (grouped.get(c.id) ?? []);
      const counts = countStates(of);
      return {
        collectionId: c.id,
        collectionName: c.name,
        total: of.length,
        counts,
        compliantPercent:
          of.length === 0 ? 100 : Math.round((counts.compliant / of.length) * 1000) / 10,
      };
    });
  }

  /** Report: failed client deployments over a period (the last 30 days by default). */
  async failureReport(actor: Actor, q: ClientFailureReportQuery): Promise<ClientFailureRow[]> {
    authorize(actor, 'read');
    const now = this.ctx.clock.now();
    // Stored times are UTC ISO strings compared as text: an offset given is normalised to Z.
    const to = q.to === undefined ? now : new Date(q.to);
    const from = q.from === undefined ? new Date(to.getTime() - 30 * 86400_000) : new Date(q.from);
    return failureRows(this.db, { from: from.toISOString(), to: to.toISOString() });
  }
}
