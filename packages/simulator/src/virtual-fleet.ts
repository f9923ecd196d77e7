import { decodeEnrolmentToken } from '@steward/protocol/node';
import type { FleetModel } from './fleet-model.js';
import { inventoryBatchJson, PackageJsonCache, statusBatchJson } from './payloads.js';
import { runPhase, timed, type PhaseResult } from './phase.js';
import { PushChannels } from './push-channels.js';
import { Rng } from './rng.js';
import { LatencyRecorder, type LatencySummary } from './stats.js';
import { fetchPinnedCa, SiteConnection } from './site-connection.js';
import { VirtualAgent } from './virtual-agent.js';

export interface InventoryPhaseDetail {
  /** Devices the site asked for a full resynchronisation (should be none after full reports). */
  resyncRequested: number;
  distinctPackageSets: number;
  /** Reports whose package set was new to the site (it had to store the set). */
  newPackageSetLatencyMs: LatencySummary;
  /** Reports whose package set the site already held. */
  knownPackageSetLatencyMs: LatencySummary;
}

export interface VirtualFleetOptions {
  /** Enrolment token (one token with maxUses >= count). */
  token: string;
  count: number;
  model: FleetModel;
  osFamily?: string;
  /** Seed of the status-message stream. */
  seed?: number;
}

/**
 * Thousands of virtual agents in one process, speaking the real protocol to a real site: HTTPS
 * pinned to the site CA, enrolment, signed policy, outbox batches with increasing sequence
 * numbers, push channels answering nudges. Each method is one load phase at a chosen concurrency.
 */
export class VirtualFleet {
  readonly agents: VirtualAgent[];
  readonly push: PushChannels;
  private readonly packages = new PackageJsonCache();
  private readonly statusRng: Rng;

  private constructor(
    private readonly options: VirtualFleetOptions,
    private readonly secret: string,
    readonly site: SiteConnection,
  ) {
    this.agents = Array.from(
      { length: options.count },
      (_, i) => new VirtualAgent(i, options.model.hostname(i), site),
    );
    this.push = new PushChannels(site.base.toString(), site.caPem);
    this.statusRng = Rng.derive(options.seed ?? 1, 3);
  }

  /** Decodes the token and pins the site CA it names, as a real agent's first contact does. */
  static async connect(options: VirtualFleetOptions): Promise<VirtualFleet> {
    const decoded = decodeEnrolmentToken(options.token);
    if (!decoded.ok) throw new Error(`bad enrolment token: ${decoded.error}`);
    const caPem = await fetchPinnedCa(decoded.value.url, decoded.value.caFingerprint);
    return new VirtualFleet(
      options,
      decoded.value.secret,
      new SiteConnection(decoded.value.url, caPem),
    );
  }

  get enrolled(): VirtualAgent[] {
    return this.agents.filter((a) => a.credentials !== undefined);
  }

  private mustHaveEnrolled(): VirtualAgent[] {
    const list = this.enrolled;
    if (list.length === 0) throw new Error('no device is enrolled');
    return list;
  }

  async enrolAll(concurrency: number): Promise<PhaseResult> {
    this.site.setMaxSockets(concurrency);
    const osFamily = this.options.osFamily ?? 'debian';
    return runPhase('enrol', 'devices', this.agents.length, concurrency, async (i) => {
      const agent = this.agents[i];
      if (!agent) throw new Error(`no agent ${i}`);
      const { ms } = await timed(() => agent.enroll(this.secret, osFamily));
      return { units: 1, ms };
    });
  }

  /** One full inventory per enrolled device (first-run report: every class, every package). */
  async sendFullInventories(concurrency: number): Promise<PhaseResult & InventoryPhaseDetail> {
    this.site.setMaxSockets(concurrency);
    const agents = this.mustHaveEnrolled();
    const sets = new Set<string>();
    // Split by whether the report brings a package set the site has not seen: storing a new set
    // is the expensive path, and a fleet's drift decides how often it is taken.
    const newSet = new LatencyRecorder();
    const knownSet = new LatencyRecorder();
    const result = await runPhase(
      'inventory',
      'inventories',
      agents.length,
      concurrency,
      async (i) => {
        const agent = agents[i];
        if (!agent) throw new Error(`no agent ${i}`);
        const profile = this.options.model.device(agent.index);
        const isNew = !sets.has(profile.packageHash);
        sets.add(profile.packageHash);
        return agent.exclusive(async () => {
          const seq = agent.nextSeq(1);
          const json = inventoryBatchJson(seq, profile, new Date().toISOString(), this.packages);
          const { ms } = await timed(() => agent.sendBatch(json, seq));
          (isNew ? newSet : knownSet).record(ms);
          return { units: 1, ms };
        });
      },
    );
    return {
      ...result,
      resyncRequested: agents.filter((a) => a.resyncRequested).length,
      distinctPackageSets: sets.size,
      newPackageSetLatencyMs: newSet.summary(),
      knownPackageSetLatencyMs: knownSet.summary(),
    };
  }

  /** `total` policy requests spread round-robin over the devices, each verified. */
  async fetchPolicies(total: number, concurrency: number): Promise<PhaseResult> {
    this.site.setMaxSockets(concurrency);
    const agents = this.mustHaveEnrolled();
    return runPhase('policy', 'policies', total, concurrency, async (i) => {
      const agent = agents[i % agents.length];
      if (!agent) throw new Error(`no agent ${i}`);
      const { ms } = await timed(() => agent.fetchPolicy());
      return { units: 1, ms };
    });
  }

  /** `total` status messages in batches of `batchSize`, batch b from device b mod N. */
  async sendStatusMessages(
    total: number,
    batchSize: number,
    concurrency: number,
  ): Promise<PhaseResult> {
    this.site.setMaxSockets(concurrency);
    const agents = this.mustHaveEnrolled();
    const batches = Math.ceil(total / batchSize);
    const at = new Date().toISOString();
    return runPhase('status', 'messages', batches, concurrency, async (b) => {
      const agent = agents[b % agents.length];
      if (!agent) throw new Error(`no agent ${b}`);
      const count = Math.min(batchSize, total - b * batchSize);
      return agent.exclusive(async () => {
        const first = agent.nextSeq(count);
        const json = statusBatchJson(first, count, this.statusRng, agent.hostname, at);
        const { ms } = await timed(() => agent.sendBatch(json, first + count - 1));
        return { units: count, ms };
      });
    });
  }

  /** Opens every enrolled device's push channel; latency is connect-to-hello. */
  async connectPush(concurrency: number): Promise<PhaseResult & { open: number }> {
    const agents = this.mustHaveEnrolled();
    const result = await runPhase(
      'push-connect',
      'connections',
      agents.length,
      concurrency,
      async (i) => {
        const agent = agents[i];
        if (!agent) throw new Error(`no agent ${i}`);
        const { ms } = await timed(() => this.push.connect(agent));
        return { units: 1, ms };
      },
    );
    return { ...result, open: this.push.openCount };
  }

  async close(): Promise<void> {
    await this.push.closeAll();
    this.site.close();
  }
}
