import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentOps } from '@steward/protocol';
import { fetchPinnedCa } from '@steward/protocol/node';
import { makeCerts, TestSite } from '../../test/test-site.js';
import { DeviceRejectedError, HttpStatusError, UnreachableError } from '../errors.js';
import { classifyError, HttpsClient } from './https-client.js';

let site: TestSite;
beforeAll(async () => {
  site = await TestSite.start();
});
afterAll(async () => {
  await site.close();
});

describe('site CA pinning (real TLS)', () => {
  it('finds the CA named by the token fingerprint in the presented chain', async () => {
    const pem = await fetchPinnedCa(site.url, site.certs.caFingerprint);
    expect(pem.replace(/\s+/g, '')).toBe(site.certs.caPem.replace(/\s+/g, ''));
  });

  it('refuses a server that does not present the pinned CA', async () => {
    await expect(fetchPinnedCa(site.url, 'ab'.repeat(32))).rejects.toMatchObject({
      code: 'CA_FINGERPRINT_MISMATCH',
    });
  });

  it('trusts only the pinned CA and ignores the certificate host name', async () => {
    // The server certificate names "steward-test-site"; we connect by 127.0.0.1.
    const pinned = new HttpsClient({ baseUrl: site.url, caPem: site.certs.caPem });
    // An answer from the site (here: who are you?) means the TLS handshake was accepted.
    await expect(pinned.call(agentOps.device.policy, {})).rejects.toMatchObject({
      code: 'DEVICE_UNKNOWN',
    });
    pinned.close();
    const otherCa = makeCerts().caPem;
    const wrong = new HttpsClient({ baseUrl: site.url, caPem: otherCa });
    await expect(wrong.call(agentOps.device.policy, {})).rejects.toBeInstanceOf(UnreachableError);
    await expect(wrong.call(agentOps.device.policy, {})).rejects.toThrow(/certificate/);
    wrong.close();
  });
});

describe('error classification', () => {
  it('maps site answers onto agent errors', () => {
    expect(
      classifyError('GET', '/p', {
        status: 403,
        text: '{"code":"DEVICE_REVOKED","message":"revoked"}',
      }),
    ).toBeInstanceOf(DeviceRejectedError);
    expect(
      classifyError('GET', '/p', {
        status: 401,
        text: '{"code":"DEVICE_UNKNOWN","message":"who?"}',
      }),
    ).toBeInstanceOf(DeviceRejectedError);
    expect(classifyError('GET', '/p', { status: 503, text: '<html>' })).toBeInstanceOf(
      UnreachableError,
    );
    const e = classifyError('POST', '/e', {
      status: 400,
      text: '{"code":"TOKEN_EXPIRED","message":"expired"}',
    });
    expect(e).toBeInstanceOf(HttpStatusError);
    expect(e.code).toBe('TOKEN_EXPIRED');
  });
});
