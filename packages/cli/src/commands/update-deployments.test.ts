import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { UpdateDeployment, type UpdateDeploymentDevice } from '@steward/protocol';
import { createHarness, route, run } from '../../test/support/harness.js';

const env = { STEWARD_SERVER: 'http://site.test', STEWARD_TOKEN: 't' };

const devices: UpdateDeploymentDevice[] = [
  {
    deviceId: 'd-1',
    hostname: 'web-01',
    state: 'reboot-pending',
    reasonCode: 'RESTART_PENDING',
    reason: 'restart suppressed on servers; mandatory from 2031-07-02T06:00:00.000Z',
    lastRunAt: '2031-07-01T22:05:00.000Z',
    outputTail: 'installed hello-upd=2.0-1',
    restart: {
      reboot: true,
      services: ['nginx.service'],
      packages: ['hello-upd'],
      source: 'needrestart',
    },
    siteState: null,
    siteReason: null,
    lastContactAt: '2031-07-01T22:06:00.000Z',
    updates: [{ updateId: 'u-hello', state: 'installed' }],
  },
  {
    deviceId: 'd-2',
    hostname: 'db-01',
    state: 'received',
    reasonCode: null,
    reason: null,
    lastRunAt: null,
    outputTail: null,
    restart: null,
    siteState: 'offline',
    siteReason: 'no push channel and no contact for 3 hours',
    lastContactAt: '2031-07-01T19:00:00.000Z',
    updates: [{ updateId: 'u-hello', state: 'offline' }],
  },
];

describe('update deployment devices', () => {
  it("lists each device's state, the site's view and the reason; --json prints the page", async () => {
    const site = () =>
      createHarness({
        env,
        routes: [
          route('GET', '/update-deployments/:id/devices', () => ({
            items: devices,
            total: 2,
            limit: 50,
            offset: 0,
          })),
        ],
      });
    let h = site();
    const table = await run(h, 'update', 'deployment', 'devices', 'December security');
    expect(table.code, table.stderr).toBe(0);
    expect(h.requests.at(-1)?.path).toBe('/update-deployments/December%20security/devices');
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^DEVICE\s+STATE\s+SITE\s+UPDATES\s+RESTART\s+REASON$/);
    expect(lines[1]).toMatch(
      /^web-01\s+reboot-pending\s+-\s+u-hello installed\s+reboot; restart nginx.service \(needrestart\)\s+restart suppressed/,
    );
    expect(lines[2]).toMatch(/^db-01\s+received\s+offline\s+u-hello offline\s+-\s+no push channel/);

    h = site();
    const json = await run(h, 'update', 'deployment', 'devices', 'ud-1', '--limit', '5', '--json');
    expect(json.code, json.stderr).toBe(0);
    expect(h.requests.at(-1)?.query).toEqual({ limit: '5' });
    expect(JSON.parse(json.stdout)).toMatchObject({
      total: 2,
      items: [{ hostname: 'web-01' }, {}],
    });
    expect((await run(h, 'update', 'deployment', 'devices', 'ud-1', '--limit', '0')).code).not.toBe(
      0,
    );
  });
});

describe('update deployment deploy-updates', () => {
  it('deploys chosen updates in one step with the schedule and option flags; --json prints it', async () => {
    // A well-formed deployment (the client checks answers against the schema).
    const made: UpdateDeployment = {
      ...Value.Create(UpdateDeployment),
      id: 'ud-9',
      name: 'Web hotfix',
    };
    const h = createHarness({
      env,
      routes: [route('POST', '/update-deployments/selection', () => made)],
    });
    const r = await run(
      h,
      'update',
      'deployment',
      'deploy-updates',
      'u-web',
      'u-lib',
      '--collection',
      'c-web',
      '--name',
      'Web hotfix',
      '--deadline',
      '2031-07-01T22:00',
      '--rehearsal',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(h.requests.at(-1)?.body).toMatchObject({
      updateIds: ['u-web', 'u-lib'],
      collectionId: 'c-web',
      name: 'Web hotfix',
      deadline: '2031-07-01T22:00',
      rehearsal: true,
    });
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 'ud-9', name: 'Web hotfix' });
    // No update named: a usage error, nothing sent.
    const before = h.requests.length;
    expect(
      (await run(h, 'update', 'deployment', 'deploy-updates', '--collection', 'c')).code,
    ).not.toBe(0);
    expect(h.requests.length).toBe(before);
  });
});
