import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEVICE_AUTH_HEADER, type NudgeAction } from '@steward/protocol';
import { TestSite } from '../../test/test-site.js';
import type { DeviceRejectedError } from '../errors.js';
import { PushClient } from './push-client.js';

let site: TestSite;
let client: PushClient | undefined;

beforeEach(async () => {
  site = await TestSite.start();
  site.devices.set('dev-9', 'secret-key');
});
afterEach(async () => {
  await client?.stop();
  await site.close();
});

function connect(
  onNudge: (a: NudgeAction, id: string) => void,
  onFatal: (e: DeviceRejectedError) => void = () => undefined,
) {
  client = new PushClient({
    baseUrl: site.url,
    caPem: site.certs.caPem,
    headers: { [DEVICE_AUTH_HEADER]: 'dev-9.secret-key' },
    onNudge,
    onFatal,
    log: () => undefined,
  });
  client.start();
  return client;
}

describe('push channel (real WebSocket over the pinned TLS)', () => {
  it('acknowledges nudges and hands them to the agent', async () => {
    const nudges: string[] = [];
    connect((action, id) => nudges.push(`${action} ${id}`));
    await site.until(() => site.sockets.size === 1);
    const id = site.nudge('policy:fetch');
    await site.until(() => site.acks.length === 1);
    expect(site.acks).toEqual([{ requestId: id }]);
    expect(nudges).toEqual([`policy:fetch ${id}`]);
  });

  it('reconnects after the site drops the connection', async () => {
    connect(() => undefined);
    await site.until(() => site.sockets.size === 1);
    const [first] = site.sockets;
    first?.terminate();
    await site.until(
      () => site.sockets.size === 1 && first !== undefined && !site.sockets.has(first),
    );
    expect(site.sockets.size).toBe(1);
  });

  it('stops for good when the site refuses the device', async () => {
    site.revoked = true;
    const fatal = new Promise<DeviceRejectedError>((resolve) => connect(() => undefined, resolve));
    const err = await fatal;
    expect(err.code).toBe('DEVICE_REVOKED');
  });
});
