import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../users/password.js';
import { effectivePxe } from '../distribution/dp-process/pxe-controller.js';
import { dpPxeDefaults } from '@steward/protocol';
import { PxeActivityLog } from './activity.js';
import type { PxeBootDecision, PxeClientId, PxeDecider } from './boot-decision.js';
import { PxeHttpServer, scriptPath } from './pxe-http.js';

/** Decisions by MAC, as the site's would come for a required and an available deployment. */
class Decisions implements PxeDecider {
  constructor(private readonly byMac: Record<string, PxeBootDecision>) {}
  decide(client: PxeClientId): Promise<PxeBootDecision> {
    return Promise.resolve(this.byMac[client.mac] ?? { action: 'exit', reason: 'nothing' });
  }
}

const REQUIRED = '52:54:00:0e:00:01';
const AVAILABLE = '52:54:00:0e:00:02';
const AVAILABLE_WITH_PASSWORD = '52:54:00:0e:00:03';

describe('the DP-wide PXE password', () => {
  let server: PxeHttpServer;
  let base = '';
  const activity = new PxeActivityLog();
  beforeAll(async () => {
    const [dpHash, deploymentHash] = await Promise.all([
      hashPassword('network-secret'),
      hashPassword('deployment-secret'),
    ]);
    const boot = { action: 'boot', image: 'default-amd64' } as const;
    server = new PxeHttpServer({
      listenAddress: '127.0.0.1',
      port: 0,
      baseUrl: () => base,
      decider: new Decisions({
        [REQUIRED]: { ...boot, required: true, reason: 'required deployment' },
        [AVAILABLE]: { ...boot, required: false, reason: 'available deployment' },
        [AVAILABLE_WITH_PASSWORD]: {
          ...boot,
          required: false,
          reason: 'available deployment',
          passwordHash: deploymentHash,
        },
      }),
      images: {
        files: () => ({ kernel: '/dev/null', initrd: '/dev/null', cmdline: 'console=ttyS0' }),
      },
      activity,
      passwordHash: dpHash,
    });
    base = `http://127.0.0.1:${String(await server.start())}`;
  });
  afterAll(() => server.stop());

  const script = async (mac: string, query = '') => {
    const res = await fetch(`${base}${scriptPath(mac, undefined)}${query}`);
    expect(res.status).toBe(200);
    return res.text();
  };

  it('is asked before a required deployment boots, with no key to press, and never shown', async () => {
    const ask = await script(REQUIRED);
    expect(ask).toContain('read stwdppw');
    expect(ask).toContain('&dppassword=${stwdppw:uristring} || goto next');
    expect(ask).not.toContain('prompt');
    expect(ask).not.toContain('/kernel');
    expect(ask).not.toContain('network-secret');
    expect(await script(REQUIRED, '&dppassword=wrong')).toMatch(/wrong PXE password.*\nexit\n$/s);
    const booted = await script(REQUIRED, '&dppassword=network-secret');
    expect(booted).toContain('/pxe/v1/images/default-amd64/kernel');
    expect(booted).not.toContain('prompt');
    expect(activity.recent().some((e) => e.detail.startsWith('asks the PXE password of'))).toBe(
      true,
    );
  });

  it('follows F12 for an available deployment, which then boots without a second key', async () => {
    const ask = await script(AVAILABLE);
    expect(ask).toMatch(/prompt --key 0x197e .*press F12 to start/);
    expect(ask).toContain('read stwdppw');
    const booted = await script(AVAILABLE, '&dppassword=network-secret');
    expect(booted).toContain('/pxe/v1/images/default-amd64/kernel');
    expect(booted).not.toContain('prompt');
  });

  it('comes before an available deployment’s own password, which carries it on', async () => {
    expect(await script(AVAILABLE_WITH_PASSWORD)).toContain('read stwdppw');
    const second = await script(AVAILABLE_WITH_PASSWORD, '&dppassword=network-secret');
    expect(second).toContain('read stwpw');
    expect(second).not.toContain('prompt');
    expect(second).toContain('&dppassword=${stwdppw:uristring}&password=${stwpw:uristring}');
    expect(
      await script(AVAILABLE_WITH_PASSWORD, '&dppassword=network-secret&password=wrong'),
    ).toMatch(/wrong PXE password/);
    expect(
      await script(AVAILABLE_WITH_PASSWORD, '&dppassword=wrong&password=deployment-secret'),
    ).toMatch(/wrong PXE password/);
    expect(
      await script(
        AVAILABLE_WITH_PASSWORD,
        '&dppassword=network-secret&password=deployment-secret',
      ),
    ).toContain('/pxe/v1/images/default-amd64/kernel');
  });

  it('reaches the DP from the site’s settings', () => {
    const site = {
      ...dpPxeDefaults(),
      enabled: true,
      serverAddress: '10.0.0.2',
      ranges: null,
      passwordHash: 'scrypt$hash',
    };
    const { passwordHash: _, ranges: __, ...local } = site;
    expect(effectivePxe(local, site)).toMatchObject({ passwordHash: 'scrypt$hash' });
    expect(effectivePxe(local, undefined)).toMatchObject({ passwordHash: null });
  });
});
