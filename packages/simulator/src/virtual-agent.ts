import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { agentOps, DEVICE_AUTH_HEADER, type ReportAck } from '@steward/protocol';
import { policyVersion } from './parse.js';
import type { SiteConnection } from './site-connection.js';

export const SIMULATOR_AGENT_VERSION = '0.1.0-sim';

export interface DeviceCredentials {
  deviceId: string;
  deviceKey: string;
  siteCode: string;
  signingKey: KeyObject;
}

// Every device of a site receives the same signing key: parse the PEM once, not 10,000 times.
const keyCache = new Map<string, KeyObject>();
function signingKey(pem: string): KeyObject {
  let key = keyCache.get(pem);
  if (!key) {
    key = createPublicKey(pem);
    keyCache.set(pem, key);
  }
  return key;
}

export class PolicyRefusedError extends Error {}
export class ReportNotAcknowledgedError extends Error {}

/**
 * One virtual device: its credentials, its outbox sequence and its last policy version. Holds no
 * inventory (that is recomputed from the fleet model when needed), so ten thousand of them cost
 * a few megabytes.
 */
export class VirtualAgent {
  credentials: DeviceCredentials | undefined;
  /** Last sequence number used in the outbox (strictly increasing per device). */
  seq = 0;
  ackSeq = 0;
  policyVersion: number | undefined;
  resyncRequested = false;
  private outbox: Promise<unknown> = Promise.resolve();

  constructor(
    readonly index: number,
    readonly hostname: string,
    private readonly site: SiteConnection,
  ) {}

  get authHeaders(): Record<string, string> {
    const c = this.mustBeEnrolled();
    return { [DEVICE_AUTH_HEADER]: `${c.deviceId}.${c.deviceKey}` };
  }

  get deviceId(): string {
    return this.mustBeEnrolled().deviceId;
  }

  async enroll(secret: string, osFamily: string): Promise<void> {
    const res = await this.site.call(
      agentOps.device.enroll,
      {
        body: { secret, hostname: this.hostname, osFamily, agentVersion: SIMULATOR_AGENT_VERSION },
      },
      {},
    );
    this.credentials = {
      deviceId: res.deviceId,
      deviceKey: res.deviceKey,
      siteCode: res.siteCode,
      signingKey: signingKey(res.policySigningKey),
    };
  }

  /** Fetches the policy and verifies its Ed25519 signature with the key from enrolment, as the agent does. */
  async fetchPolicy(): Promise<number> {
    const c = this.mustBeEnrolled();
    const signed = await this.site.call(agentOps.device.policy, {}, this.authHeaders);
    const signature = Buffer.from(signed.signature, 'base64');
    if (
      signature.length !== 64 ||
      !verify(null, Buffer.from(signed.payload, 'utf8'), c.signingKey, signature)
    ) {
      throw new PolicyRefusedError('the policy signature does not match the site signing key');
    }
    this.policyVersion = policyVersion(signed.payload);
    return this.policyVersion;
  }

  /**
   * Runs `fn` when the device's previous batch is done: a real outbox sends one batch at a time,
   * and two batches of one device in flight could be stored out of order.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.outbox.then(fn, fn);
    this.outbox = run.catch(() => undefined);
    return run;
  }

  /** Reserves `count` sequence numbers for the next batch; returns the first. */
  nextSeq(count: number): number {
    const first = this.seq + 1;
    this.seq += count;
    return first;
  }

  /** Sends a serialised ReportBatch whose last item has `lastSeq`; the server must acknowledge it. */
  async sendBatch(json: string, lastSeq: number): Promise<ReportAck> {
    const ack = await this.site.callWithText(agentOps.device.reports, json, this.authHeaders);
    if (ack.ackSeq < lastSeq)
      throw new ReportNotAcknowledgedError(
        `sent up to seq ${lastSeq}, the site acknowledged ${ack.ackSeq}`,
      );
    this.ackSeq = ack.ackSeq;
    this.resyncRequested = ack.inventoryResync;
    return ack;
  }

  private mustBeEnrolled(): DeviceCredentials {
    if (!this.credentials) throw new Error(`device ${this.hostname} is not enrolled`);
    return this.credentials;
  }
}
