import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import {
  dpPxeDefaults,
  type DpPxeAssigned,
  type DpPxeSettings,
  type PxeActivityEntry,
} from '@steward/protocol';
import type { PxeBootDecision, PxeClientId, PxeDecider } from '../../pxe/boot-decision.js';
import type { PxeActivity } from '../../pxe/activity.js';
import type { RunningPxe } from '../../pxe/pxe-services.js';
import { clientAddressKey } from '../ip-address.js';
import { startDpPxe, type DpPxePorts } from './pxe.js';
import type { SiteClient } from './site-client.js';

/** Entries a report carries at most (the site's DpPxeActivityReport bound). */
const REPORT_MAX = 500;
/** Entries kept for the site while it cannot be reached: the newest, as the DP log is bounded. */
const PENDING_MAX = 5000;

/** What the DP runs: the local file's machine part with the site's settings over it. */
export interface EffectivePxe {
  settings: DpPxeSettings;
  ranges: DpPxeAssigned['ranges'];
  /** The DP-wide PXE password's scrypt hash (site settings), asked before any boot. */
  passwordHash: string | null;
}

/**
 * The settings in force: the site's (ADR 0079) over the DP's own pxe.json (ADR 0068), which
 * keeps what only the DP knows (its first-stage folder, boot image files and the stub machine
 * table) and, until the site sets one, the address it answers as. Undefined: PXE stays off
 * (nothing enables it, or it is enabled with no address to answer as).
 */
export function effectivePxe(
  local: DpPxeSettings | undefined,
  site: DpPxeAssigned | undefined,
): EffectivePxe | { error: string } | undefined {
  if (!site)
    return local?.enabled ? { settings: local, ranges: null, passwordHash: null } : undefined;
  if (!site.enabled) return undefined;
  const base = local ?? { ...dpPxeDefaults(), serverAddress: '' };
  const serverAddress = site.serverAddress ?? base.serverAddress;
  if (!serverAddress)
    return { error: 'PXE is enabled on the site but no server address is set (site or pxe.json)' };
  const { ranges, passwordHash, serverAddress: _, ...options } = site;
  return { settings: { ...base, ...options, serverAddress }, ranges, passwordHash };
}

/** Whether an address lies in one of the ranges (32-hex keys, IPv4 mapped into IPv6). */
export function inRanges(
  address: string | undefined,
  ranges: readonly { startKey: string; endKey: string }[],
): boolean {
  const key = address !== undefined ? clientAddressKey(address) : undefined;
  return key !== undefined && ranges.some((r) => r.startKey <= key && key <= r.endKey);
}

/**
 * Answers only clients in the DP's PXE boundary groups (ADR 0079). The script stage is the
 * first where the client has an address (its lease from the network's DHCP server); a client
 * outside is told to boot its next device, so another DP (or none) serves it.
 */
export class BoundaryDecider implements PxeDecider {
  constructor(
    private readonly inner: PxeDecider,
    private readonly ranges: readonly { startKey: string; endKey: string }[],
  ) {}

  decide(client: PxeClientId): Promise<PxeBootDecision> {
    if (!inRanges(client.address, this.ranges))
      return Promise.resolve({
        action: 'exit',
        reason: `${client.address ?? 'the client'} is outside the boundary groups this DP answers PXE for`,
      });
    return this.inner.decide(client);
  }
}

/**
 * The DP's PXE responder kept in line with the site: each assignments poll hands it the site's
 * settings; a change restarts the listeners with the new ones (no DP restart), and the requests
 * they see queue up for the site's activity view.
 */
export class DpPxeController {
  private running: RunningPxe | undefined;
  private current: EffectivePxe | undefined;
  private lastError: string | undefined;
  private pending: PxeActivityEntry[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly opts: {
      dataDir: string;
      log: Logger;
      local: DpPxeSettings | undefined;
      ports?: DpPxePorts | undefined;
      /** The site, which decides from its PXE deployments (ADR 0076). */
      site?: SiteClient | undefined;
    },
  ) {}

  /** Applies the site's settings (undefined: the site has none, the local file rules). */
  apply(site: DpPxeAssigned | undefined): Promise<void> {
    // One change at a time: a slow stop must not let two responders bind the same ports.
    this.chain = this.chain.catch(() => undefined).then(() => this.applyNow(site));
    return this.chain;
  }

  private async applyNow(site: DpPxeAssigned | undefined): Promise<void> {
    const next = effectivePxe(this.opts.local, site);
    if (next && 'error' in next) {
      if (this.lastError !== next.error)
        this.opts.log.warn({ reason: next.error }, 'PXE not started');
      this.lastError = next.error;
      await this.stopRunning();
      return;
    }
    this.lastError = undefined;
    if (isDeepStrictEqual(next, this.current)) return;
    await this.stopRunning();
    if (!next) return;
    // `current` only once it runs: a start that failed (a port taken) is tried again next poll.
    this.running = await startDpPxe(next.settings, this.opts.dataDir, this.opts.log, {
      ports: this.opts.ports,
      site: this.opts.site,
      wrap: next.ranges ? (d) => new BoundaryDecider(d, next.ranges ?? []) : undefined,
      passwordHash: next.passwordHash,
      onActivity: (e) => this.queue(e),
    });
    this.current = next;
    this.opts.log.info({ enabled: true, fromSite: site !== undefined }, 'PXE settings applied');
  }

  private async stopRunning(): Promise<void> {
    const r = this.running;
    this.running = undefined;
    this.current = undefined;
    await r?.stop();
  }

  private queue(e: PxeActivity): void {
    this.pending.push({
      at: e.at,
      stage: e.stage,
      client: e.client.slice(0, 64),
      ...(e.uuid !== undefined ? { uuid: e.uuid.slice(0, 36) } : {}),
      ...(e.firmware !== undefined ? { firmware: e.firmware.slice(0, 32) } : {}),
      ...(e.address !== undefined ? { address: e.address.slice(0, 64) } : {}),
      answered: e.answered,
      detail: e.detail.slice(0, 500),
    });
    if (this.pending.length > PENDING_MAX)
      this.pending.splice(0, this.pending.length - PENDING_MAX);
  }

  /** The next batch for the site; `sent` drops it once the site has it. */
  nextReport(): { entries: PxeActivityEntry[]; sent(): void } | undefined {
    if (this.pending.length === 0) return undefined;
    const entries = this.pending.slice(0, REPORT_MAX);
    return {
      entries,
      sent: () => {
        // Entries queued meanwhile stay; only the batch sent goes.
        const last = entries[entries.length - 1];
        const at = last ? this.pending.indexOf(last) : -1;
        if (at >= 0) this.pending.splice(0, at + 1);
      },
    };
  }

  /** The ports in use (tests, the DP log). */
  ports(): RunningPxe['ports'] | undefined {
    return this.running?.ports;
  }

  async stop(): Promise<void> {
    await this.chain.catch(() => undefined);
    await this.stopRunning();
  }
}
