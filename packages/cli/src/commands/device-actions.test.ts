import { describe, expect, it } from 'vitest';
import { createHarness, route, run } from '../../test/support/harness.js';
import { action } from '../../test/support/fixtures.js';

const env = { STEWARD_SERVER: 'http://site.test', STEWARD_TOKEN: 't' };

describe('device fetch-policy', () => {
  it('requests the action and returns at once without --wait', async () => {
    const h = createHarness({
      env,
      routes: [route('POST', '/devices/:id/actions', () => action({ state: 'delivered' }))],
    });
    const r = await run(h, 'device', 'fetch-policy', 'web-01');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Requested policy:fetch on web-01: delivered (action act-1).\n');
    expect(h.requests[0]).toMatchObject({
      method: 'POST',
      path: '/devices/web-01/actions',
      body: { action: 'policy:fetch' },
    });
  });

  it('--wait polls the device actions until completed, showing progress on stderr', async () => {
    const states = ['delivered', 'delivered', 'completed'] as const;
    let polls = 0;
    const h = createHarness({
      env,
      routes: [
        route('POST', '/devices/:id/actions', () => action()),
        route('GET', '/devices/:id/actions', () => [
          action({ id: 'other' }),
          action({ state: states[Math.min(polls++, 2)] }),
        ]),
      ],
    });
    const r = await run(h, 'device', 'fetch-policy', 'web-01', '--wait', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 'act-1', state: 'completed' });
    expect(polls).toBe(3);
    expect(
      h.requests
        .filter((q) => q.method === 'GET')
        .every((q) => q.path === '/devices/dev-1/actions'),
    ).toBe(true);
    expect(r.stderr.split('\n').map((l) => l.replace(/ \(.*\)$/, ''))).toEqual([
      'policy:fetch web-01: pending',
      'policy:fetch web-01: delivered',
      'policy:fetch web-01: completed',
      '',
    ]);
  });

  it('--wait ends with DEVICE_NOT_CONNECTED when the agent has no push channel', async () => {
    const h = createHarness({
      env,
      routes: [route('POST', '/devices/:id/actions', () => action({ state: 'not-connected' }))],
    });
    const r = await run(h, 'device', 'collect-inventory', 'web-01', '--wait');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/error DEVICE_NOT_CONNECTED: /);
  });

  it('--wait gives up after --timeout', async () => {
    const h = createHarness({
      env,
      routes: [
        route('POST', '/devices/:id/actions', () => action()),
        route('GET', '/devices/:id/actions', () => [action()]),
      ],
    });
    const r = await run(h, 'device', 'fetch-policy', 'web-01', '--wait', '--timeout', '5');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error TIMEOUT: policy:fetch is still pending after 5 s/);
  });
});
