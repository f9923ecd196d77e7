import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import {
  agentOps,
  ConflictError,
  ErrorCode,
  type DpMulticastAssigned,
  type MulticastJoinResponse,
  type MulticastSession,
} from '@steward/protocol';
import type { Clock } from '../../context.js';
import type { ContentStore } from '../../content/content-store.js';
import { contentFileNotFound } from '../../content/serve-file.js';
import type { SiteClient } from './site-client.js';

/** udp-sender's block size, passed explicitly so retransmitted bytes can be counted. */
export const UDPCAST_BLOCK_BYTES = 1456;
/** A sender no receiver ever reached is stopped this long after its start timeout. */
const NO_RECEIVER_GRACE_MS = 30_000;
/** Ended sessions kept on the DP until the site has them. */
const ENDED_KEPT = 100;

interface Session extends MulticastSession {
  child?: ChildProcess;
  /** The last line udp-sender wrote (a failure's reason). */
  lastLine: string;
  reported: boolean;
}

function ipv4Number(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function ipv4Text(n: number): string {
  return [24, 16, 8, 0].map((s) => String((n >>> s) & 255)).join('.');
}

/** `bytes=  1 544 816  re-xmits=0000012`: the file position and the blocks sent again. */
export function parseSenderProgress(line: string): { bytes: number; rexmits: number } | undefined {
  const m = /bytes=\s*([\d ]+?)\s+re-xmits=\s*(\d+)/.exec(line);
  if (!m?.[1] || !m[2]) return undefined;
  return { bytes: Number(m[1].replaceAll(' ', '')), rexmits: Number(m[2]) };
}

/** The udp-sender arguments of a session. */
export function senderArgs(o: {
  file: string;
  address: string;
  port: number;
  interfaceAddress: string | undefined;
  settings: DpMulticastAssigned;
}): string[] {
  const args = [
    '--file',
    o.file,
    '--portbase',
    String(o.port),
    '--mcast-rdv-address',
    o.address,
    '--mcast-data-address',
    o.address,
    '--min-receivers',
    String(o.settings.minClients),
    '--max-wait',
    String(o.settings.startTimeoutSeconds),
    '--blocksize',
    String(UDPCAST_BLOCK_BYTES),
    '--nokbd',
  ];
  if (o.interfaceAddress !== undefined) args.push('--interface', o.interfaceAddress);
  if (o.settings.maxRateMbps > 0) args.push('--max-bitrate', `${o.settings.maxRateMbps}m`);
  return args;
}

/**
 * Multicast sessions of a DP (issue 11, ADR 0088): a client that asks for a content file joins
 * the file's waiting session or starts one, a `udp-sender` (Debian's udpcast) that waits for
 * the minimum clients or the start timeout and sends the file once to every receiver. A
 * session already sending refuses newcomers (they download by HTTP). Sessions are reported to
 * the site on every change of state and after each assignments poll.
 */
export class DpMulticastController {
  private settings: DpMulticastAssigned | undefined;
  private readonly sessions = new Map<string, Session>();
  private reports: Promise<void> = Promise.resolve();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly o: {
      store: ContentStore;
      log: Logger;
      clock: Clock;
      site: SiteClient;
      /** `udp-sender` (tests may name another path). */
      senderCommand?: string;
    },
  ) {}

  /** The site's settings from the assignments poll; running sessions keep theirs. */
  apply(settings: DpMulticastAssigned | undefined): void {
    if (JSON.stringify(settings) !== JSON.stringify(this.settings))
      this.o.log.info({ multicast: settings ?? null }, 'multicast settings applied');
    this.settings = settings;
  }

  /** Joins the file's waiting session or starts one; `localAddress`: where the client reached us. */
  async join(sha256: string, localAddress: string | undefined): Promise<MulticastJoinResponse> {
    const settings = this.settings;
    if (!settings?.enabled)
      throw new ConflictError(
        ErrorCode.MULTICAST_UNAVAILABLE,
        'this distribution point offers no multicast: download by HTTP',
      );
    const size = await stat(this.o.store.pathOf(sha256)).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined || !(await this.o.store.has(sha256))) throw contentFileNotFound(sha256);
    const live = [...this.sessions.values()].filter(
      (s) => s.sha256 === sha256 && (s.state === 'waiting' || s.state === 'sending'),
    );
    const waiting = live.find((s) => s.state === 'waiting');
    if (waiting) {
      waiting.clients++;
      this.changed(waiting);
      return this.answer(waiting, settings);
    }
    if (live.length > 0)
      throw new ConflictError(
        ErrorCode.MULTICAST_SESSION_STARTED,
        `the multicast session of ${sha256} is already sending: download by HTTP`,
      );
    const slot = this.freeSlot(settings);
    if (!slot)
      throw new ConflictError(
        ErrorCode.MULTICAST_UNAVAILABLE,
        'every multicast address or port of this distribution point is in use: download by HTTP',
      );
    const session = this.start(sha256, size, slot, localAddress?.replace(/^::ffff:/, ''), settings);
    return this.answer(session, settings);
  }

  private answer(s: Session, settings: DpMulticastAssigned): MulticastJoinResponse {
    return {
      sessionId: s.id,
      address: s.address,
      port: s.port,
      fileBytes: s.fileBytes,
      startTimeoutSeconds: settings.startTimeoutSeconds,
    };
  }

  /** The first address and port pair (port base and the next one) no live session uses. */
  private freeSlot(settings: DpMulticastAssigned): { address: string; port: number } | undefined {
    const live = [...this.sessions.values()].filter(
      (s) => s.state === 'waiting' || s.state === 'sending',
    );
    const first = ipv4Number(settings.addressFirst);
    const addresses = ipv4Number(settings.addressLast) - first + 1;
    const ports = Math.floor((settings.portLast - settings.portFirst) / 2) + 1;
    for (let k = 0; k < Math.min(addresses, ports); k++) {
      const address = ipv4Text(first + k);
      const port = settings.portFirst + 2 * k;
      if (!live.some((s) => s.address === address || s.port === port)) return { address, port };
    }
    return undefined;
  }

  private start(
    sha256: string,
    size: number,
    slot: { address: string; port: number },
    interfaceAddress: string | undefined,
    settings: DpMulticastAssigned,
  ): Session {
    const session: Session = {
      id: randomBytes(8).toString('hex'),
      sha256,
      fileBytes: size,
      address: slot.address,
      port: slot.port,
      state: 'waiting',
      clients: 1,
      receivers: 0,
      bytesSent: 0,
      createdAt: this.o.clock.now().toISOString(),
      startedAt: null,
      endedAt: null,
      detail: '',
      lastLine: '',
      reported: false,
    };
    this.sessions.set(session.id, session);
    const args = senderArgs({
      file: this.o.store.pathOf(sha256),
      ...slot,
      interfaceAddress,
      settings,
    });
    this.o.log.info({ session: session.id, sha256, args }, 'multicast session starting');
    const child = spawn(this.o.senderCommand ?? 'udp-sender', args, {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    session.child = child;
    let buffered = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      buffered += text;
      const lines = buffered.split(/[\r\n]/);
      buffered = lines.pop() ?? '';
      for (const line of lines) this.senderLine(session, line.trim());
    });
    child.on('error', (err) => this.end(session, 'failed', `udp-sender: ${err.message}`));
    child.on('close', (code, signal) => {
      if (buffered.trim()) this.senderLine(session, buffered.trim());
      if (session.state === 'failed' || session.state === 'finished') return;
      const complete = code === 0 && session.detail === 'transfer complete';
      if (complete) this.end(session, 'finished', 'transfer complete');
      else
        this.end(
          session,
          'failed',
          `udp-sender ended (${signal ?? `exit ${String(code)}`}): ${session.lastLine}`.slice(
            0,
            500,
          ),
        );
    });
    // udp-sender waits for ever when no receiver ever connects: stop it and say so.
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (session.state !== 'waiting') return;
        this.end(session, 'failed', 'no receiver connected before the start timeout');
        child.kill('SIGTERM');
      },
      settings.startTimeoutSeconds * 1000 + NO_RECEIVER_GRACE_MS,
    );
    this.timers.add(timer);
    this.changed(session);
    return session;
  }

  private senderLine(s: Session, line: string): void {
    if (line === '') return;
    s.lastLine = line.slice(0, 300);
    const progress = parseSenderProgress(line);
    if (progress) {
      s.bytesSent = progress.bytes + progress.rexmits * UDPCAST_BLOCK_BYTES;
      return;
    }
    if (line.startsWith('New connection from')) {
      s.receivers++;
      this.changed(s);
    } else if (line.startsWith('Starting transfer')) {
      s.state = 'sending';
      s.startedAt = this.o.clock.now().toISOString();
      this.o.log.info({ session: s.id, receivers: s.receivers }, 'multicast session sending');
      this.changed(s);
    } else if (line.startsWith('Transfer complete')) s.detail = 'transfer complete';
  }

  private end(s: Session, state: 'finished' | 'failed', detail: string): void {
    if (s.state === 'finished' || s.state === 'failed') return;
    s.state = state;
    s.detail = detail.slice(0, 500);
    s.endedAt = this.o.clock.now().toISOString();
    delete s.child;
    this.o.log.info(
      { session: s.id, state, receivers: s.receivers, bytesSent: s.bytesSent, detail },
      'multicast session ended',
    );
    this.changed(s);
    const ended = [...this.sessions.values()].filter((x) => x.endedAt !== null);
    for (const old of ended.slice(0, Math.max(0, ended.length - ENDED_KEPT)))
      if (old.reported) this.sessions.delete(old.id);
  }

  private changed(s: Session): void {
    s.reported = false;
    void this.report();
  }

  /** Sends every session the site does not have as it is now (one report at a time). */
  report(): Promise<void> {
    this.reports = this.reports.then(() => this.send());
    return this.reports;
  }

  private async send(): Promise<void> {
    const batch = [...this.sessions.values()].filter((s) => !s.reported).slice(0, 200);
    if (batch.length === 0) return;
    const snapshot = batch.map((s) => {
      const { child: _, lastLine: __, reported: ___, ...shown } = s;
      return shown;
    });
    try {
      await this.o.site.call(agentOps.dpMulticast.report, { body: { sessions: snapshot } });
      batch.forEach((s, i) => {
        const sent = snapshot[i];
        if (sent && sent.state === s.state && sent.clients === s.clients) s.reported = true;
      });
    } catch (err) {
      this.o.log.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'multicast sessions not reported',
      );
    }
  }

  /** Stops every sender (the DP is stopping). */
  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.sessions.values()) {
      if (!s.child) continue;
      s.child.kill('SIGTERM');
      this.end(s, 'failed', 'the distribution point stopped');
    }
    await this.reports;
  }
}
