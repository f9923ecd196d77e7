import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import {
  ConflictError,
  DEFAULT_DISCOVERY_PORTS,
  DiscoverySettings,
  DiscoverySettingsOptions,
  ErrorCode,
  InputError,
  NotFoundError,
  settingsDefaults,
  type DiscoveredMachine,
  type ListDiscoveredQuery,
  type ListSweepsQuery,
  type StartSweepRequest,
  type Sweep,
  type SweepTrigger,
  type UpdateDiscoverySettingsRequest,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso, SYSTEM_ACTOR } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { parseJsonColumn, storedSettings } from '../db/corrupt-row.js';
import { inTransaction, type Queryable } from '../db/database.js';
import { loadBoundaries } from '../distribution/boundary-repository.js';
import { readSetting, writeSetting } from '../site/repository.js';
import { raiseSiteStatus } from '../status/site-status.js';
import {
  countRunningSweeps,
  finishSweep,
  findSweep,
  insertSweep,
  lastScheduledSweepAt,
  listMachines,
  listSweeps,
  requestSweepCancel,
  staleRunningSweeps,
  type MachineWithDevice,
  type SweepRow,
} from './repository.js';
import { runSweep } from './sweep-runner.js';
import {
  addressCount,
  mergeRanges,
  parseRange,
  parseSubnet,
  rangesOfBoundaries,
  type Ipv4Range,
} from './targets.js';

const E = ErrorCode;
const SETTINGS_KEY = 'discovery_settings';
const DEFAULTS: DiscoverySettings = settingsDefaults(DiscoverySettingsOptions);
/** A running sweep whose progress has not moved for this long lost its process. */
const STALE_MS = 5 * 60_000;

function numbers(text: string): number[] {
  return text === '' ? [] : text.split(',').map(Number);
}

const TARGETS = Type.Array(Type.String());
const PORTS = Type.Array(Type.Integer({ minimum: 1, maximum: 65535 }));

function toSweep(r: SweepRow): Sweep {
  return {
    id: r.id,
    state: r.state,
    trigger: r.trigger,
    // A corrupt row is an error naming it, never a sweep silently shown with no targets.
    targets: parseJsonColumn(TARGETS, r.targets, {
      table: 'discovery_sweep',
      id: r.id,
      column: 'targets',
    }),
    ports: parseJsonColumn(PORTS, r.ports, { table: 'discovery_sweep', id: r.id, column: 'ports' }),
    icmp: r.icmp === 1,
    total: r.total,
    done: r.done,
    found: r.found,
    requestedBy: r.requested_by,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
  };
}

export function toMachine(r: MachineWithDevice): DiscoveredMachine {
  return {
    address: r.address,
    mac: r.mac,
    dnsName: r.dns_name,
    openPorts: numbers(r.open_ports),
    pingable: r.pingable === 1,
    sshBanner: r.ssh_banner,
    osGuess: r.os_guess,
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
    lastSweepId: r.last_sweep_id,
    deviceId: r.device_name === null ? null : r.device_id,
    deviceName: r.device_name,
  };
}

/**
 * Network discovery (ADR 0022): sweeps of IPv4 subnets and ranges for machines, with or without
 * an agent. A sweep is a job in the process that started it; its progress, results and a cancel
 * live in the database, so any process can show or cancel it.
 */
export class DiscoveryService {
  private readonly runs = new Map<string, { abort: AbortController; done: Promise<void> }>();

  /**
   * @param afterSweep called when a sweep of this process ends (automatic site-wide push looks
   * at what it found); its failure is logged, never the sweep's.
   */
  constructor(
    private readonly ctx: SiteContext,
    private readonly afterSweep?: () => Promise<void>,
  ) {}

  private async readSettings(db: Queryable = this.ctx.db.kysely): Promise<DiscoverySettings> {
    const text = await readSetting(db, SETTINGS_KEY);
    return text === undefined
      ? DEFAULTS
      : storedSettings(DiscoverySettings, DEFAULTS, text, SETTINGS_KEY);
  }

  async getSettings(actor: Actor): Promise<DiscoverySettings> {
    authorize(actor, 'read');
    return this.readSettings();
  }

  async updateSettings(
    actor: Actor,
    patch: UpdateDiscoverySettingsRequest,
  ): Promise<DiscoverySettings> {
    authorize(actor, 'devices:write');
    const at = nowIso(this.ctx);
    return inTransaction(this.ctx.db.kysely, async (tx) => {
      const next = { ...(await this.readSettings(tx)), ...patch };
      await writeSetting(tx, { key: SETTINGS_KEY, value: JSON.stringify(next) });
      await writeAudit(tx, actor, at, {
        action: 'discovery-settings.update',
        targetType: 'site',
        targetId: this.ctx.siteCode,
        details: patch,
      });
      return next;
    });
  }

  /** The request's targets, or the site's IPv4 boundaries when it names none. */
  private async targets(req: StartSweepRequest): Promise<Ipv4Range[]> {
    const given = [
      ...(req.subnets ?? []).map((s) => parseSubnet(s)),
      ...(req.ranges ?? []).map((r) => parseRange(r)),
    ];
    if (given.length > 0)
      return given.map((p) => {
        if (!p.ok) throw new InputError(E.DISCOVERY_INVALID_TARGET, p.error);
        return p.range;
      });
    const fromBoundaries = rangesOfBoundaries(await loadBoundaries(this.ctx.db.kysely));
    if (fromBoundaries.length === 0)
      throw new InputError(
        E.DISCOVERY_NO_TARGETS,
        'give subnets or ranges to sweep: the site has no IPv4 boundaries to default to',
      );
    return fromBoundaries;
  }

  /** Validates, records and starts a sweep; it runs on in the background. */
  async startSweep(
    actor: Actor,
    req: StartSweepRequest,
    trigger: SweepTrigger = 'on-demand',
  ): Promise<Sweep> {
    authorize(actor, 'devices:write');
    const settings = await this.readSettings();
    const ranges = mergeRanges(await this.targets(req));
    const total = addressCount(ranges);
    if (total > settings.maxAddressesPerSweep)
      throw new InputError(
        E.DISCOVERY_TOO_MANY_ADDRESSES,
        `the sweep covers ${total} addresses; at most ${settings.maxAddressesPerSweep} are allowed per sweep (setting maxAddressesPerSweep)`,
        { addresses: total, limit: settings.maxAddressesPerSweep },
      );
    const ports = [...(req.ports ?? DEFAULT_DISCOVERY_PORTS)].sort((a, b) => a - b);
    const icmp = req.icmp ?? true;
    const id = randomUUID();
    const at = nowIso(this.ctx);
    const targets = ranges.map((r) => r.text);
    await inTransaction(this.ctx.db.kysely, async (tx) => {
      await insertSweep(tx, {
        id,
        state: 'running',
        trigger,
        targets: JSON.stringify(targets),
        ports: JSON.stringify(ports),
        icmp: icmp ? 1 : 0,
        total,
        requested_by: actor.userName,
        started_at: at,
        progress_at: at,
      });
      await writeAudit(tx, actor, at, {
        action: 'discovery-sweep.start',
        targetType: 'discovery-sweep',
        targetId: id,
        details: { targets, ports, icmp, total, trigger },
      });
      await raiseSiteStatus(
        this.ctx,
        {
          message: 'DISCOVERY_SWEEP_STARTED',
          insertionStrings: [id, actor.userName, trigger, String(total), targets.join(', ')],
        },
        tx,
      );
    });
    await this.ctx.bus.publish('status-ingested', { count: 1 });
    const abort = new AbortController();
    const done = runSweep(this.ctx, { id, ranges, ports, icmp, settings }, abort.signal, () =>
      abort.abort(),
    )
      .then(() => this.afterSweep?.())
      .catch((err: unknown) => this.ctx.log.error({ err, sweep: id }, 'after the sweep'))
      .finally(() => this.runs.delete(id));
    this.runs.set(id, { abort, done });
    return this.mustGetSweep(id);
  }

  private async mustGetSweep(id: string): Promise<Sweep> {
    const row = await findSweep(this.ctx.db.kysely, id);
    if (!row) throw new NotFoundError('sweep', id, E.DISCOVERY_SWEEP_NOT_FOUND);
    return toSweep(row);
  }

  async getSweep(actor: Actor, id: string): Promise<Sweep> {
    authorize(actor, 'read');
    return this.mustGetSweep(id);
  }

  async listSweeps(actor: Actor, q: ListSweepsQuery): Promise<{ items: Sweep[]; total: number }> {
    authorize(actor, 'read');
    const { rows, total } = await listSweeps(this.ctx.db.kysely, {
      offset: q.offset ?? 0,
      limit: q.limit ?? 20,
    });
    return { items: rows.map(toSweep), total };
  }

  /** Asks the sweep to stop; the process running it ends it at its next batch. */
  async cancelSweep(actor: Actor, id: string): Promise<Sweep> {
    authorize(actor, 'devices:write');
    await this.mustGetSweep(id);
    const at = nowIso(this.ctx);
    const asked = await inTransaction(this.ctx.db.kysely, async (tx) => {
      if (!(await requestSweepCancel(tx, id, actor.userName))) return false;
      await writeAudit(tx, actor, at, {
        action: 'discovery-sweep.cancel',
        targetType: 'discovery-sweep',
        targetId: id,
        details: {},
      });
      return true;
    });
    if (!asked)
      throw new ConflictError(E.DISCOVERY_SWEEP_FINISHED, `sweep ${id} has already ended`);
    const local = this.runs.get(id);
    if (local) {
      local.abort.abort();
      await local.done;
    }
    return this.mustGetSweep(id);
  }

  async listMachines(
    actor: Actor,
    q: ListDiscoveredQuery,
  ): Promise<{ items: DiscoveredMachine[]; total: number }> {
    authorize(actor, 'read');
    const { rows, total } = await listMachines(this.ctx.db.kysely, {
      search: q.search,
      hasAgent: q.hasAgent,
      offset: q.offset ?? 0,
      limit: q.limit ?? 500,
    });
    return { items: rows.map(toMachine), total };
  }

  /**
   * The scheduler's job: ends sweeps whose process died, then starts the scheduled sweep of
   * the site's boundaries when the schedule is on and its interval has passed.
   */
  async runScheduled(): Promise<void> {
    const now = this.ctx.clock.now();
    const stale = await staleRunningSweeps(
      this.ctx.db.kysely,
      new Date(now.getTime() - STALE_MS).toISOString(),
    );
    for (const s of stale) {
      if (this.runs.has(s.id)) continue;
      await inTransaction(this.ctx.db.kysely, async (tx) => {
        const reason = 'the server process running it stopped';
        if (
          await finishSweep(tx, s.id, {
            state: 'failed',
            at: now.toISOString(),
            done: s.done,
            found: s.found,
            error: reason,
          })
        )
          await raiseSiteStatus(
            this.ctx,
            {
              message: 'DISCOVERY_SWEEP_FAILED',
              insertionStrings: [s.id, String(s.done), reason],
            },
            tx,
          );
      });
    }
    const settings = await this.readSettings();
    if (!settings.scheduleEnabled) return;
    if ((await countRunningSweeps(this.ctx.db.kysely)) > 0) return;
    const last = await lastScheduledSweepAt(this.ctx.db.kysely);
    if (
      last !== undefined &&
      now.getTime() - Date.parse(last) < settings.scheduleIntervalSeconds * 1000
    )
      return;
    try {
      await this.startSweep(SYSTEM_ACTOR, {}, 'schedule');
    } catch (err) {
      // No boundaries, or boundaries larger than a sweep may be: said in the log, retried later.
      this.ctx.log.warn({ err }, 'scheduled network discovery not started');
    }
  }

  /** Stops the sweeps running in this process (they end as cancelled by the system). */
  async stop(): Promise<void> {
    const runs = [...this.runs.values()];
    for (const r of runs) r.abort.abort();
    await Promise.all(runs.map((r) => r.done));
  }
}
