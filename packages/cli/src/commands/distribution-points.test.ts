import { describe, expect, it } from 'vitest';
import { createHarness, route, run, type Route } from '../../test/support/harness.js';
import { dp, dpContent, dpGroup } from '../../test/support/software-fixtures.js';
import { dpServerCommand } from './distribution-points.js';

const env = { STEWARD_SERVER: 'http://site.test', STEWARD_TOKEN: 't' };
const site = (routes: Route[]) => createHarness({ routes, env });
const registration = {
  distributionPoint: dp({ state: 'pending', url: null }),
  registrationToken: 'dp1.eyJ1cmwiOiJ4In0',
  expiresAt: '2025-06-02T12:00:00Z',
};

describe('dp create and token', () => {
  it('prints the token and the exact command for the DP machine', async () => {
    const h = site([route('POST', '/distribution-points', () => registration)]);
    const r = await run(
      h,
      'dp',
      'create',
      'branch-a',
      '--protected',
      '--public-url',
      'https://dp.branch-a.example:8444',
    );
    expect(h.requests[0]?.body).toEqual({ name: 'branch-a', protected: true });
    expect(r.stdout).toBe(
      [
        'Distribution point branch-a created.',
        'Registration token for branch-a (valid until 2025-06-02 12:00:00Z, shown once):',
        '',
        '  dp1.eyJ1cmwiOiJ4In0',
        '',
        'On the distribution point machine, run:',
        '',
        '  steward server --roles dp --data /var/lib/steward-dp --dp-token dp1.eyJ1cmwiOiJ4In0 --public-url https://dp.branch-a.example:8444',
        '',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
  });

  it('token renews and says to replace HOST when no URL was given; --json is the raw registration', async () => {
    const h = site([
      route('POST', '/distribution-points/:id/registration-token', () => registration),
    ]);
    const r = await run(h, 'dp', 'token', 'branch-a');
    expect(r.stdout).toContain(dpServerCommand('dp1.eyJ1cmwiOiJ4In0'));
    expect(r.stdout).toContain('--public-url https://HOST:8444');
    expect(r.stderr).toMatch(/Replace HOST/);
    const j = site([
      route('POST', '/distribution-points/:id/registration-token', () => registration),
    ]);
    expect(JSON.parse((await run(j, 'dp', 'token', 'branch-a', '--json')).stdout)).toEqual(
      registration,
    );
  });
});

describe('dp views', () => {
  it('list marks the site server and shows packages installed/targeted', async () => {
    const h = site([
      route('GET', '/distribution-points', () => [
        dp({ id: 'site', name: 'site-server', isSiteServer: true, url: 'https://site:8443' }),
        dp({ state: 'offline', packagesInstalled: 1 }),
      ]),
    ]);
    const lines = (await run(h, 'dp', 'list')).stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATE\s+PROTECTED\s+PACKAGES\s+STORED\s+LAST SEEN\s+URL$/);
    expect(lines[1]).toMatch(
      /^site-server \(site server\)\s+online\s+no\s+2\/2\s+5\.0 MB\s+1 min ago\s+https:\/\/site:8443$/,
    );
    expect(lines[2]).toMatch(/^branch-a\s+offline\s+no\s+1\/2/);
  });

  it('show names its groups; update toggles protected both ways', async () => {
    const h = site([
      route('GET', '/distribution-points/:id', () => dp({ groupIds: ['dpg-1'] })),
      route('GET', '/dp-groups', () => [dpGroup()]),
    ]);
    expect((await run(h, 'dp', 'show', 'branch-a')).stdout).toMatch(/DP groups:\s+Branches/);
    const u = site([route('PATCH', '/distribution-points/:id', () => dp())]);
    await run(u, 'dp', 'update', 'branch-a', '--no-protected');
    expect(u.requests[0]?.body).toEqual({ protected: false });
    const none = site([]);
    expect((await run(none, 'dp', 'update', 'branch-a')).code).toBe(2);
  });

  it('content lists the packages on the DP', async () => {
    const h = site([
      route('GET', '/distribution-points/:id/content', () => [
        dpContent({ state: 'distributing', bytesDone: 512, bytesTotal: 2048, message: 'pulling' }),
      ]),
    ]);
    const lines = (await run(h, 'dp', 'content', 'branch-a')).stdout.split('\n');
    expect(lines[0]).toMatch(/^PACKAGE\s+VERSION\s+STATE\s+PROGRESS\s+UPDATED\s+MESSAGE$/);
    expect(lines[1]).toMatch(
      /^Firefox\s+v1\s+distributing\s+25% of 2\.0 KB\s+2 min ago\s+pulling$/,
    );
  });
});
