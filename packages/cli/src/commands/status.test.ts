import { describe, expect, it } from 'vitest';
import { createHarness, route, run } from '../../test/support/harness.js';
import { device, statusMessage } from '../../test/support/fixtures.js';
import { compareIds } from './status.js';

const env = { STEWARD_SERVER: 'http://site.test', STEWARD_TOKEN: 't' };

describe('status list', () => {
  it('maps filters to the query, resolving the device name', async () => {
    const h = createHarness({
      env,
      routes: [
        route('GET', '/devices/:id', () => device({ id: 'dev-7' })),
        route('GET', '/status-messages', () => ({ items: [statusMessage(1)], nextCursor: null })),
      ],
    });
    const r = await run(
      h,
      'status',
      'list',
      '--device',
      'web-01',
      '--severity',
      'error',
      '--message-id',
      '40021',
      '--since',
      '2h',
      '--component',
      'inventory-agent',
      '--limit',
      '10',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ items: [statusMessage(1)], nextCursor: null });
    expect(h.requests[1]?.query).toEqual({
      deviceId: 'dev-7',
      severity: 'error',
      messageId: '40021',
      since: '2025-06-01T10:00:00.000Z',
      component: 'inventory-agent',
      limit: '10',
    });
  });

  it('--follow prints the latest, then polls with the after cursor, until interrupted', async () => {
    const pages = [
      [statusMessage(10), statusMessage(9)],
      [statusMessage(11)],
      [],
      [statusMessage(13), statusMessage(12)],
    ];
    let call = 0;
    const h = createHarness({
      env,
      routes: [
        route('GET', '/status-messages', () => {
          const items = pages[call] ?? [];
          call += 1;
          if (call === pages.length) h.interrupt();
          return { items, nextCursor: null };
        }),
      ],
    });
    const r = await run(h, 'status', 'list', '--follow', '--json');
    expect(r.code).toBe(0);
    const ids = r.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toEqual(['9', '10', '11', '12', '13']);
    expect(h.requests.map((q) => q.query['after'])).toEqual([undefined, '10', '11', '11']);
    expect(h.requests[0]?.query['limit']).toBe('20');
  });

  it('orders numeric ids by value', () => {
    expect(['10', '9', '100'].sort(compareIds)).toEqual(['9', '10', '100']);
    expect(compareIds('01J2', '01J1')).toBe(1);
  });
});
