import type { Insertable } from 'kysely';
import { guessOsFromBanner, type DiscoverySettings } from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { nowIso } from '../context.js';
import { inTransaction } from '../db/database.js';
import type { DiscoveredMachineTable } from '../db/tables/index.js';
import { enrolledDeviceAddresses } from '../devices/repository.js';
import { raiseSiteStatus } from '../status/site-status.js';
import {
  neighbourTable,
  pingAvailable,
  probeIcmp,
  probeTcp,
  RateLimiter,
  reverseNames,
} from './probes.js';
import {
  addressesFoundBy,
  finishSweep,
  recordSweepProgress,
  setMachineMacs,
  upsertMachines,
} from './repository.js';
import { addressesOf, addressKey, type Ipv4Range } from './targets.js';

/** What a sweep probes, decided (and validated) by the service before it starts. */
export interface SweepPlan {
  id: string;
  ranges: readonly Ipv4Range[];
  ports: readonly number[];
  icmp: boolean;
  settings: DiscoverySettings;
}

/** Found machines and progress are written at most this often (and every FLUSH_MACHINES found). */
const FLUSH_MS = 1000;
const FLUSH_MACHINES = 64;

interface DeviceIndex {
  byAddress: Map<string, string>;
  byName: Map<string, string>;
}

async function deviceIndex(ctx: SiteContext): Promise<DeviceIndex> {
  const byAddress = new Map<string, string>();
  const byName = new Map<string, string>();
  for (const d of await enrolledDeviceAddresses(ctx.db.kysely)) {
    for (const a of d.addresses) byAddress.set(a, d.id);
    byName.set(d.name.toLowerCase(), d.id);
  }
  return { byAddress, byName };
}

/** The device a machine is: same address, else a DNS name equal to its host name (or short name). */
function linkedDevice(
  index: DeviceIndex,
  address: string,
  names: readonly string[],
): { deviceId: string | null; name: string | null } {
  const byAddress = index.byAddress.get(address);
  for (const n of names) {
    const full = n.toLowerCase().replace(/\.$/, '');
    const id = index.byName.get(full) ?? index.byName.get(full.split('.')[0] ?? full);
    if (id !== undefined) return { deviceId: byAddress ?? id, name: n };
  }
  return { deviceId: byAddress ?? null, name: names[0] ?? null };
}

/** Probes one address; the machine's row when anything answered, else undefined. */
async function probeAddress(
  address: string,
  plan: SweepPlan & { icmp: boolean },
  limiter: RateLimiter,
  index: DeviceIndex,
  signal: AbortSignal,
): Promise<Omit<Insertable<DiscoveredMachineTable>, 'first_seen_at' | 'last_seen_at'> | undefined> {
  const timeoutMs = plan.settings.probeTimeoutMs;
  const tcp = Promise.all(
    plan.ports.map(async (port) => {
      await limiter.take(signal);
      if (signal.aborted) return { port, answer: { open: false as const } };
      return {
        port,
        answer: await probeTcp(address, port, { timeoutMs, readBanner: port === 22 }),
      };
    }),
  );
  const icmp = plan.icmp
    ? limiter.take(signal).then(() => (signal.aborted ? false : probeIcmp(address, timeoutMs)))
    : Promise.resolve(false);
  const [answers, pingable] = await Promise.all([tcp, icmp]);
  const open = answers.filter((a) => a.answer.open).map((a) => a.port);
  if (!pingable && open.length === 0) return undefined;
  const ssh = answers.find((a) => a.port === 22 && a.answer.open)?.answer;
  const banner = ssh?.open ? ssh.banner : null;
  const names = await reverseNames(address, { timeoutMs, lookup: plan.settings.nameLookup });
  const link = linkedDevice(index, address, names);
  return {
    address,
    address_key: addressKey(address),
    mac: null,
    dns_name: link.name,
    open_ports: open.sort((a, b) => a - b).join(','),
    pingable: pingable ? 1 : 0,
    ssh_banner: banner,
    os_guess: guessOsFromBanner(banner),
    last_sweep_id: plan.id,
    device_id: link.deviceId,
  };
}

/**
 * Runs a sweep to its end in this process: `concurrency` workers take addresses in order, every
 * probe waits for the rate limiter, found machines and progress are written in batches (each
 * batch one transaction), and a cancel written by any process is read at every batch. Never
 * throws: a failure ends the sweep as failed, with a status message.
 */
export async function runSweep(
  ctx: SiteContext,
  plan: SweepPlan,
  signal: AbortSignal,
  onCancel: () => void,
): Promise<void> {
  let done = 0;
  let found = 0;
  // Set inside the flush closure: an object, so the compiler does not narrow it to null.
  const cancel: { by: string | null } = { by: null };
  try {
    const icmp = plan.icmp && (await pingAvailable());
    if (plan.icmp && !icmp)
      ctx.log.warn({ sweep: plan.id }, 'ping (iputils-ping) is missing: sweeping with TCP only');
    const index = await deviceIndex(ctx);
    const limiter = new RateLimiter(plan.settings.probesPerSecond);
    const addresses = addressesOf(plan.ranges);
    let pending: Omit<Insertable<DiscoveredMachineTable>, 'first_seen_at' | 'last_seen_at'>[] = [];
    let lastFlush = Date.now();
    let flushing: Promise<void> = Promise.resolve();
    const flush = (): Promise<void> => {
      const batch = pending;
      pending = [];
      lastFlush = Date.now();
      const progress = { done, found };
      flushing = flushing.then(async () => {
        const at = nowIso(ctx);
        const answer = await inTransaction(ctx.db.kysely, async (tx) => {
          await upsertMachines(
            tx,
            batch.map((m) => ({ ...m, first_seen_at: at, last_seen_at: at })),
          );
          return recordSweepProgress(tx, plan.id, { ...progress, at });
        });
        if (answer.cancelRequestedBy !== null && cancel.by === null) {
          cancel.by = answer.cancelRequestedBy;
          onCancel();
        }
      });
      return flushing;
    };
    // A function, not the property: the compiler would narrow `signal.aborted` across awaits.
    const stopped = (): boolean => signal.aborted;
    const worker = async (): Promise<void> => {
      for (;;) {
        if (stopped()) return;
        const next = addresses.next();
        if (next.done === true) return;
        const machine = await probeAddress(next.value, { ...plan, icmp }, limiter, index, signal);
        if (stopped()) return;
        done++;
        if (machine) {
          found++;
          pending.push(machine);
        }
        if (pending.length >= FLUSH_MACHINES || Date.now() - lastFlush >= FLUSH_MS) await flush();
      }
    };
    await Promise.all(
      Array.from({ length: Math.max(1, plan.settings.concurrency) }, () => worker()),
    );
    await flush();
    // The probes filled the neighbour table for addresses on a local link.
    const neighbours = await neighbourTable();
    const macs = new Map<string, string>();
    for (const a of await addressesFoundBy(ctx.db.kysely, plan.id)) {
      const mac = neighbours.get(a);
      if (mac !== undefined) macs.set(a, mac);
    }
    const at = nowIso(ctx);
    const by = cancel.by ?? (signal.aborted ? 'system' : null);
    await inTransaction(ctx.db.kysely, async (tx) => {
      await setMachineMacs(tx, plan.id, macs);
      const ended = await finishSweep(tx, plan.id, {
        state: by === null ? 'completed' : 'cancelled',
        at,
        done,
        found,
        error: by === null ? null : `cancelled by ${by}`,
      });
      if (!ended) return;
      if (by === null)
        await raiseSiteStatus(
          ctx,
          {
            message: 'DISCOVERY_SWEEP_COMPLETED',
            insertionStrings: [plan.id, String(done), String(found)],
          },
          tx,
        );
      else
        await raiseSiteStatus(
          ctx,
          {
            message: 'DISCOVERY_SWEEP_CANCELLED',
            insertionStrings: [plan.id, by, String(done), String(found)],
          },
          tx,
        );
    });
    await ctx.bus.publish('status-ingested', { count: 1 });
  } catch (err) {
    ctx.log.error({ err, sweep: plan.id }, 'network discovery sweep failed');
    const reason = err instanceof Error ? err.message : String(err);
    try {
      await inTransaction(ctx.db.kysely, async (tx) => {
        const ended = await finishSweep(tx, plan.id, {
          state: 'failed',
          at: nowIso(ctx),
          done,
          found,
          error: reason,
        });
        if (ended)
          await raiseSiteStatus(
            ctx,
            {
              message: 'DISCOVERY_SWEEP_FAILED',
              insertionStrings: [plan.id, String(done), reason],
            },
            tx,
          );
      });
    } catch (inner) {
      ctx.log.error({ err: inner, sweep: plan.id }, 'could not record the failed sweep');
    }
  }
}
