import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, type PolicyDocument } from '@steward/protocol';
import { DEFAULT_CLIENT_SETTINGS, verifySignedPolicy } from './policy.js';

const site = generateKeyPairSync('ed25519');
const publicPem = site.publicKey.export({ type: 'spki', format: 'pem' }).toString();

const policy: PolicyDocument = {
  version: 7,
  issuedAt: '2025-01-01T00:00:00.000Z',
  siteCode: 'S01',
  settings: { ...DEFAULT_CLIENT_SETTINGS, heartbeatIntervalSeconds: 60 },
  inventoryClasses: [
    {
      name: 'appConfig',
      description: 'App',
      multiInstance: false,
      source: { kind: 'file', path: '/etc/app.conf', format: 'keyvalue' },
      properties: [{ name: 'version', type: 'version', from: 'VERSION' }],
    },
  ],
};

function signed(doc: unknown, key = site.privateKey) {
  const payload = canonicalJson(doc);
  return { payload, signature: sign(null, Buffer.from(payload, 'utf8'), key).toString('base64') };
}

describe('policy signature', () => {
  it('accepts a policy signed by the site key', () => {
    const check = verifySignedPolicy(signed(policy), publicPem, 'S01');
    expect(check).toEqual({ ok: true, policy, signed: signed(policy) });
  });

  it('refuses a tampered payload', () => {
    const good = signed(policy);
    const tampered = {
      ...good,
      payload: good.payload.replace(
        '"heartbeatIntervalSeconds":60',
        '"heartbeatIntervalSeconds":10',
      ),
    };
    expect(tampered.payload).not.toBe(good.payload);
    const check = verifySignedPolicy(tampered, publicPem, 'S01');
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.reason).toMatch(/signature does not match/);
  });

  it('refuses an unsigned policy', () => {
    const unsigned = { payload: canonicalJson(policy), signature: '' };
    const check = verifySignedPolicy(unsigned, publicPem);
    expect(check.ok ? '' : check.reason).toMatch(/not signed/);
    expect(verifySignedPolicy({ payload: canonicalJson(policy) }, publicPem).ok).toBe(false);
  });

  it('refuses a policy signed by another key', () => {
    const other = generateKeyPairSync('ed25519');
    const check = verifySignedPolicy(signed(policy, other.privateKey), publicPem);
    expect(check.ok ? '' : check.reason).toMatch(/does not match/);
  });

  it('refuses a well-signed but malformed or foreign policy', () => {
    const bad = verifySignedPolicy(signed({ version: 'x' }), publicPem);
    expect(bad.ok ? '' : bad.reason).toMatch(/policy payload is not valid/);
    const foreign = verifySignedPolicy(signed(policy), publicPem, 'S02');
    expect(foreign.ok ? '' : foreign.reason).toMatch(/for site S01/);
  });
});
