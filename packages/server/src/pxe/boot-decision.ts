/**
 * What a machine that PXE-boots is offered: the seam between the PXE responder and OS
 * deployment. The site answers from the machine's PXE-enabled task-sequence deployments
 * (`SiteDecider`, ADR 0076); the DP's own table (the setting "boot image to offer" plus
 * per-machine entries, ADR 0067) answers when the site has nothing or cannot be reached.
 */

export interface PxeClientId {
  /** Lower-case colon MAC. */
  mac: string;
  /** SMBIOS UUID, lower-case with dashes. */
  uuid?: string | undefined;
  /** The client's IPv4 address, where the stage has one (HTTP: the real DHCP server's lease). */
  address?: string | undefined;
}

export type PxeBootDecision =
  | {
      action: 'boot';
      /** The boot image to chain-load (a name the BootImageSource resolves). */
      image: string;
      /** Required: boot without asking. Available: boot only when someone presses a key. */
      required: boolean;
      /** Why (the deployment that asked for it), shown in the activity log. */
      reason: string;
      /** Available deployments with a PXE password: its scrypt hash (ADR 0076). */
      passwordHash?: string | null | undefined;
    }
  | { action: 'exit'; reason: string };

export interface PxeDecider {
  decide(client: PxeClientId): Promise<PxeBootDecision>;
}

/** One machine's entry in the stub table: by MAC or by SMBIOS UUID. */
export interface PxeMachineEntry {
  mac?: string | undefined;
  uuid?: string | undefined;
  image: string;
  required: boolean;
  reason?: string | undefined;
}

export function normaliseMac(mac: string): string | undefined {
  const hex = mac.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length !== 12 || !/^[0-9a-f:-]+$/i.test(mac)) return undefined;
  return hex.match(/../g)?.join(':');
}

/**
 * The stub decision table: a machine listed (by MAC or UUID) gets its entry; any other machine
 * gets the DP's "boot image to offer" as an available deployment when one is set, else exit.
 */
export class PxeDecisionTable implements PxeDecider {
  constructor(
    private readonly entries: readonly PxeMachineEntry[],
    private readonly offer: string | undefined,
  ) {}

  decide(client: PxeClientId): Promise<PxeBootDecision> {
    const entry = this.entries.find(
      (e) =>
        (e.mac !== undefined && normaliseMac(e.mac) === client.mac) ||
        (e.uuid !== undefined && client.uuid !== undefined && e.uuid.toLowerCase() === client.uuid),
    );
    if (entry)
      return Promise.resolve({
        action: 'boot',
        image: entry.image,
        required: entry.required,
        reason:
          entry.reason ?? (entry.required ? 'required PXE deployment' : 'available PXE deployment'),
      });
    if (this.offer)
      return Promise.resolve({
        action: 'boot',
        image: this.offer,
        required: false,
        reason: 'the boot image this DP offers',
      });
    return Promise.resolve({ action: 'exit', reason: 'nothing to run for this machine' });
  }
}

/**
 * Asks the site first (the machine's required, then available, PXE deployment); when the site
 * has nothing for the machine or cannot be reached, the DP's own table answers, so a DP keeps
 * its configured behaviour while the site is down.
 */
export class SiteDecider implements PxeDecider {
  constructor(
    private readonly ask: (client: PxeClientId) => Promise<PxeBootDecision>,
    private readonly fallback: PxeDecider,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  async decide(client: PxeClientId): Promise<PxeBootDecision> {
    try {
      const answer = await this.ask(client);
      if (answer.action === 'boot') return answer;
      const local = await this.fallback.decide(client);
      return local.action === 'boot' ? local : answer;
    } catch (err) {
      this.onError(err);
      return this.fallback.decide(client);
    }
  }
}

/** Machines whose decision a DP holds at once; beyond it the oldest is forgotten first. */
const SETTLED_MAX = 10_000;

/**
 * The site's answer for one machine, reused for a settle time (PXE_DECISION_SETTLE_SECONDS):
 * keyed by the machine's identity (MAC and SMBIOS UUID), the only input of the site's decision.
 * A PXE password is never part of what is kept: the answer holds the deployment's password
 * hash, and the DP checks each request's password against it, so a password accepted once is
 * not reused for another attempt. `siteCalls` counts the questions that reached the site.
 */
export class SettledDecisions {
  private readonly kept = new Map<string, { decision: PxeBootDecision; until: number }>();
  siteCalls = 0;

  constructor(
    private readonly ask: (client: PxeClientId) => Promise<PxeBootDecision>,
    private readonly settleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async decide(client: PxeClientId): Promise<PxeBootDecision> {
    const key = `${client.mac}\u0000${client.uuid ?? ''}`;
    const at = this.now();
    const hit = this.kept.get(key);
    if (hit && hit.until > at) return hit.decision;
    this.kept.delete(key);
    this.siteCalls++;
    const decision = await this.ask(client);
    for (const [k, v] of this.kept)
      if (v.until <= at || this.kept.size >= SETTLED_MAX) this.kept.delete(k);
    this.kept.set(key, { decision, until: this.now() + this.settleMs });
    return decision;
  }
}
