/**
 * What the PXE responder did, kept in memory on the DP: the most recent requests (which stage,
 * answered or ignored and why) and counters, including packets dropped as malformed. The DP
 * has no database; the log is bounded so a flood of requests cannot grow it.
 */

export type PxeStage = 'dhcp' | 'proxy' | 'tftp' | 'script' | 'boot-file';

export interface PxeActivity {
  at: string;
  stage: PxeStage;
  /** Lower-case colon MAC, or the client's address where a stage has no MAC (TFTP). */
  client: string;
  uuid?: string | undefined;
  firmware?: string | undefined;
  /** The client's IPv4 address where the stage has one (TFTP, HTTP): the real DHCP server's lease. */
  address?: string | undefined;
  answered: boolean;
  /** Why it was ignored, or what was answered (the boot file, the script's decision). */
  detail: string;
}

export interface PxeCounters {
  received: number;
  answered: number;
  ignored: number;
  malformed: number;
}

export class PxeActivityLog {
  private readonly entries: PxeActivity[] = [];
  readonly counters: PxeCounters = { received: 0, answered: 0, ignored: 0, malformed: 0 };

  constructor(
    private readonly limit = 500,
    private readonly now: () => Date = () => new Date(),
    private readonly onRecord?: (entry: PxeActivity) => void,
  ) {}

  record(entry: Omit<PxeActivity, 'at'>): void {
    const full = { at: this.now().toISOString(), ...entry };
    this.counters.received += 1;
    if (entry.answered) this.counters.answered += 1;
    else this.counters.ignored += 1;
    this.entries.push(full);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    this.onRecord?.(full);
  }

  malformed(): void {
    this.counters.received += 1;
    this.counters.malformed += 1;
  }

  /** Newest first, optionally for one client. */
  recent(client?: string): PxeActivity[] {
    const all = client ? this.entries.filter((e) => e.client === client) : this.entries;
    return [...all].reverse();
  }
}
