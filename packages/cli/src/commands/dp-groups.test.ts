import { describe, expect, it } from 'vitest';
import { createHarness, route, run, type Route } from '../../test/support/harness.js';
import { dp, dpGroup, pkg } from '../../test/support/software-fixtures.js';

const env = { STEWARD_SERVER: 'http://site.test', STEWARD_TOKEN: 't' };
const site = (routes: Route[]) => createHarness({ routes, env });
const dps = [dp(), dp({ id: 'dp-2', name: 'branch-b' })];
const missing = dpGroup({
  memberIds: ['dp-1', 'dp-2'],
  membersMissingContent: [{ dpId: 'dp-2', missingPackageIds: ['pkg-1'] }],
});
const lookups: Route[] = [
  route('GET', '/distribution-points/:id', (_r, [n]) =>
    dps.find((d) => d.name === n || d.id === n),
  ),
  route('GET', '/distribution-points', () => dps),
  route('GET', '/packages', () => [pkg()]),
];

describe('dp-group', () => {
  it('show lists members missing the group content with the hint', async () => {
    const h = site([...lookups, route('GET', '/dp-groups/:id', () => missing)]);
    const r = await run(h, 'dp-group', 'show', 'Branches');
    expect(r.stdout).toMatch(/Members:\s+branch-a, branch-b/);
    expect(r.stdout).toMatch(/Packages:\s+Firefox/);
    expect(r.stdout).toContain("Members missing the group's content (1)\n  branch-b: Firefox\n");
    expect(r.stderr).toBe(
      `Adding a DP to a group does not distribute the group's packages to it: run "steward dp-group distribute-to-new-members Branches".\n`,
    );
  });

  it('add-member resolves names and warns that joining distributes nothing', async () => {
    const h = site([...lookups, route('POST', '/dp-groups/:id/members', () => missing)]);
    const r = await run(h, 'dp-group', 'add-member', 'Branches', 'branch-b');
    expect(h.requests.at(-1)?.body).toEqual({ dpIds: ['dp-2'] });
    expect(r.stdout).toBe('Added 1 distribution point to Branches.\n');
    expect(r.stderr).toMatch(/^warning: 1 new member lacks the group's 1 package\.\nAdding a DP/);
  });

  it('distribute-to-new-members says what it sent', async () => {
    const h = site([
      ...lookups,
      route('GET', '/dp-groups/:id', () => missing),
      route('POST', '/dp-groups/:id/distribute-to-new-members', () => dpGroup()),
    ]);
    const r = await run(h, 'dp-group', 'distribute-to-new-members', 'Branches');
    expect(h.requests.at(-1)?.path).toBe('/dp-groups/dpg-1/distribute-to-new-members');
    expect(r.stdout).toBe('Distributing 1 package assignment to 1 member of Branches.\n');
  });

  it('list flags groups with members missing content', async () => {
    const h = site([
      route('GET', '/dp-groups', () => [
        missing,
        dpGroup({ id: 'g2', name: 'Empty', memberIds: [], packageIds: [] }),
      ]),
    ]);
    const lines = (await run(h, 'dp-group', 'list')).stdout.split('\n');
    expect(lines[1]).toMatch(/^Branches\s+2\s+1\s+1 member$/);
    expect(lines[2]).toMatch(/^Empty\s+0\s+0\s+-$/);
  });

  it('remove-member resolves the DP', async () => {
    const h = site([...lookups, route('DELETE', '/dp-groups/:id/members/:dp', () => dpGroup())]);
    await run(h, 'dp-group', 'remove-member', 'Branches', 'branch-b');
    expect(h.requests.at(-1)?.path).toBe('/dp-groups/Branches/members/dp-2');
  });
});
