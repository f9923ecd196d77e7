import { describe, expect, it } from 'vitest';
import { apiError, createHarness, route, run, type Route } from '../../test/support/harness.js';
import { deployment, dp, dpContent, pkg, summary } from '../../test/support/software-fixtures.js';

const env = { STEWARD_SERVER: 'http://site.test', STEWARD_TOKEN: 't' };
const site = (routes: Route[]) => createHarness({ routes, env });

describe('report', () => {
  it('deployment-summary folds states into succeeded, failed, in progress', async () => {
    const h = site([
      route('GET', '/reports/deployment-summary', () => [
        {
          ...summary({ succeeded: 7, 'reboot-pending': 1, failed: 1, running: 1 }, { overdue: 2 }),
          deploymentName: 'FF',
        },
      ]),
    ]);
    const lines = (await run(h, 'report', 'deployment-summary')).stdout.split('\n');
    expect(lines[0]).toMatch(
      /^DEPLOYMENT\s+TARGETED\s+SUCCEEDED\s+FAILED\s+IN PROGRESS\s+OVERDUE\s+SUCCESS$/,
    );
    expect(lines[1]).toMatch(/^FF\s+10\s+8\s+1\s+1\s+2\s+80%$/);
  });

  it('deployment-failures resolves a deployment name and shows the last output line', async () => {
    const h = site([
      route('GET', '/deployments/:id', () => deployment()),
      route('GET', '/reports/deployment-failures', () => [
        {
          deploymentId: 'dep-1',
          deploymentName: 'FF',
          deviceId: 'dev-1',
          hostname: 'web-02',
          exitCode: 2,
          reasonCode: 'EXIT_CODE',
          reason: null,
          outputTail: 'unpacking\nE: disk full\n\n',
          lastRunAt: '2025-06-01T11:00:00Z',
        },
      ]),
    ]);
    const r = await run(
      h,
      'report',
      'deployment-failures',
      '--deployment',
      'dep-1',
      '--limit',
      '50',
    );
    expect(h.requests.at(-1)?.query).toEqual({ deployment: 'dep-1', limit: '50' });
    expect(r.stdout.split('\n')[1]).toMatch(
      /^FF\s+web-02\s+2\s+EXIT_CODE\s+1 h ago\s+E: disk full$/,
    );
  });

  it('distribution-status filters by package and DP as typed', async () => {
    const h = site([
      route('GET', '/packages/:id', () => pkg()),
      route('GET', '/distribution-points/:id', () => dp()),
      route('GET', '/reports/distribution-status', () => [
        dpContent({ state: 'failed', message: 'hash mismatch' }),
      ]),
    ]);
    const r = await run(
      h,
      'report',
      'distribution-status',
      '--package',
      'Firefox',
      '--dp',
      'branch-a',
    );
    expect(h.requests.map((q) => [q.path, q.query])).toEqual([
      ['/reports/distribution-status', { package: 'Firefox', dp: 'branch-a' }],
    ]);
    expect(r.stdout.split('\n')[1]).toMatch(
      /^Firefox\s+branch-a\s+v1\s+failed\s+100% of 2\.0 KB\s+2 min ago\s+hash mismatch$/,
    );
  });

  it('distribution-status names the flag whose value the site found nothing for', async () => {
    const h = site([
      route('GET', '/reports/distribution-status', () =>
        apiError(404, 'DP_NOT_FOUND', 'distribution point "nowhere" does not exist'),
      ),
    ]);
    const r = await run(h, 'report', 'distribution-status', '--dp', 'nowhere');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error DP_NOT_FOUND: --dp nowhere: distribution point "nowhere" does not exist\n',
    );
  });

  it('dp-completion draws percent complete', async () => {
    const h = site([
      route('GET', '/reports/dp-completion', () => [
        {
          packageId: 'pkg-1',
          packageName: 'Firefox',
          targeted: 4,
          installed: 3,
          percentComplete: 75,
        },
      ]),
    ]);
    const r = await run(h, 'report', 'dp-completion');
    expect(r.stdout.split('\n')[1]).toMatch(/^Firefox\s+4\s+3\s+█{15}░{5} 75%$/);
  });
});
