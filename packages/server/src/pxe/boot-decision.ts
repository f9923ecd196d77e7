/**
 * What a machine that PXE-boots is offered: the seam between the PXE responder and OS
 * deployment. Today a stub decision table (the DP setting "boot image to offer" plus per-machine
 * entries); the task-sequence and boot-image work (osd-ts, osd-boot) will answer the same
 * question from required and available PXE deployments. ADR 0067.
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
