import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec, createTestSite, STEWARD, waitFor, type Site } from '../../../test-support/site.js';

interface WithId {
  id: string;
  name: string;
}

/**
 * Issue 3 from the command line, run as an administrator's script would: the real `steward`
 * binary against a real site server process with one real agent.
 */
describe('steward software distribution CLI against a real site', () => {
  let site: Site;
  let env: NodeJS.ProcessEnv;
  let work: string;
  const steward = (args: string[]) => exec(STEWARD, args, { env });
  const json = async <T = unknown>(args: string[]): Promise<T> => {
    const r = await steward([...args, '--json']);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout) as T;
  };
  /** A command that must fail: its exit code and the stable code on stderr, nothing on stdout. */
  const fails = async (args: string[], exit: number, code: RegExp) => {
    const r = await steward(args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(exit);
    expect(r.stderr).toMatch(code);
    expect(r.stdout).toBe('');
  };
  let installId = '';
  let siteDp = '';
  let deploymentId = '';

  beforeAll(async () => {
    site = await createTestSite({ withEnrolledDevices: 1 });
    work = mkdtempSync(join(tmpdir(), 'steward-cli-sw-'));
    env = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'steward-cli-')),
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: site.api.token ?? '',
      NO_COLOR: '1',
    };
  });
  afterAll(async () => {
    await site?.stop();
  });

  it('imports a folder hash-first: a second import uploads only new files', async () => {
    const src = join(work, 'tools');
    mkdirSync(join(src, 'bin'), { recursive: true });
    writeFileSync(
      join(src, 'install.sh'),
      '#!/bin/sh\necho installed > "${STEWARD_TEST_MARKER:-/dev/null}"\n',
    );
    chmodSync(join(src, 'install.sh'), 0o755);
    writeFileSync(join(src, 'bin', 'README'), 'tools\n');
    const v1 = await json<{ number: number; fileCount: number }>([
      'package',
      'import',
      'Tools',
      '--from',
      src,
      '--create',
    ]);
    expect(v1).toMatchObject({ number: 1, fileCount: 2 });
    writeFileSync(join(src, 'bin', 'README'), 'tools, v2\n');
    writeFileSync(join(src, 'bin', 'extra'), 'more\n');
    const again = await steward(['package', 'import', 'Tools', '--from', src]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('Uploaded 2 new files');
    expect(again.stdout).toMatch(/^Package Tools is now at content v2: 3 files/);
    const same = await steward(['package', 'import', 'Tools', '--from', src]);
    expect(same.stdout).toMatch(
      /^Package Tools content v2 already holds these files: no new version/,
    );
    const versions = await json<{ number: number; current: boolean }[]>([
      'package',
      'versions',
      'Tools',
    ]);
    expect(versions.map((v) => [v.number, v.current]).sort()).toEqual([
      [1, false],
      [2, true],
    ]);
    const files = await json<{ path: string; mode: number }[]>([
      'package',
      'files',
      'Tools',
      '--version',
      '1',
    ]);
    expect(files.find((f) => f.path === 'install.sh')?.mode).toBe(0o755);
    expect(
      (await json<{ fileCount: number }>(['content', 'stats'])).fileCount,
    ).toBeGreaterThanOrEqual(4);
  });

  it('imports a tar.gz archive as it is', async () => {
    const src = join(work, 'archive-src');
    mkdirSync(src);
    writeFileSync(join(src, 'a.txt'), 'a\n');
    writeFileSync(join(src, 'b.txt'), 'b\n');
    execFileSync('tar', ['-czf', join(work, 'pkg.tar.gz'), '-C', src, 'a.txt', 'b.txt']);
    const v = await json<{ number: number; fileCount: number }>([
      'package',
      'import',
      'Archived',
      '--from',
      join(work, 'pkg.tar.gz'),
      '--create',
    ]);
    expect(v).toMatchObject({ number: 1, fileCount: 2 });
  });

  it('creates programs and refuses a dependency cycle and bad flags', async () => {
    const install = await json<WithId>([
      'program',
      'create',
      'Tools',
      '--name',
      'Install',
      '--command',
      './install.sh',
      '--success-codes',
      '0',
      '--reboot-codes',
      '194',
      '--max-run-minutes',
      '5',
    ]);
    installId = install.id;
    const second = await json<WithId>([
      'program',
      'create',
      'Tools',
      '--name',
      'Second',
      '--command',
      'true',
      '--depends-on',
      'Tools/Install',
    ]);
    await fails(
      ['program', 'update', installId, '--depends-on', second.id],
      1,
      /^error PROGRAM_DEPENDENCY_CYCLE: /,
    );
    await fails(
      ['program', 'update', installId, '--depends-on', installId],
      1,
      /^error PROGRAM_DEP\w*: /,
    );
    await fails(
      ['program', 'create', 'Tools', '--name', 'Bad', '--command', 'x', '--success-codes', '0,999'],
      2,
      /^error USAGE: --success-codes/,
    );
    expect(await json<WithId[]>(['program', 'list', '--package', 'Tools'])).toHaveLength(2);
    expect(await json<{ disabled: boolean }>(['program', 'disable', second.id])).toMatchObject({
      disabled: true,
    });
    expect(await json<{ disabled: boolean }>(['program', 'enable', 'Tools/Second'])).toMatchObject({
      disabled: false,
    });
  });

  it('distributes to the site server DP and waits until it is installed', async () => {
    const dps = await json<(WithId & { isSiteServer: boolean })[]>(['dp', 'list']);
    siteDp = dps.find((d) => d.isSiteServer)?.name ?? '';
    expect(siteDp).not.toBe('');
    expect((await steward(['package', 'distribute', 'Tools', '--dp', siteDp])).code).toBe(0);
    const status = await json<{ targeted: number; installed: number }>([
      'package',
      'status',
      'Tools',
      '--wait',
      '--timeout',
      '120',
    ]);
    expect(status.targeted).toBeGreaterThanOrEqual(1);
    expect(status.installed).toBe(status.targeted);
    const human = await steward(['package', 'status', 'Tools']);
    expect(human.stdout).toMatch(
      new RegExp(`^Tools \\(content v2\\): 1 of 1 distribution point installed \\(100%\\)`),
    );
  });

  it('creates a DP with its registration command; a DP group flags members missing content', async () => {
    const created = await steward(['dp', 'create', 'branch-a', '--description', 'branch office']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(
      /steward server --roles dp --data \S+ --dp-token dp1\.\S+ --public-url https:\/\/HOST:8444/,
    );
    expect(await json(['dp', 'show', 'branch-a'])).toMatchObject({
      state: 'pending',
      isSiteServer: false,
    });
    await json(['dp-group', 'create', 'Branches', '--dp', siteDp]);
    await json(['package', 'distribute', 'Tools', '--dp-group', 'Branches']);
    const added = await steward(['dp-group', 'add-member', 'Branches', 'branch-a']);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toContain('distribute-to-new-members Branches');
    const shown = await steward(['dp-group', 'show', 'Branches']);
    expect(shown.stdout).toMatch(
      /Members missing the group's content \(1\)\n {2}branch-a: Tools\n/,
    );
    await json(['dp-group', 'distribute-to-new-members', 'Branches']);
    const status = await json<{ distributionPoints: { dpName: string }[] }>([
      'package',
      'status',
      'Tools',
    ]);
    expect(status.distributionPoints.map((d) => d.dpName)).toContain('branch-a');
    const renewed = await json<{ registrationToken: string }>(['dp', 'token', 'branch-a']);
    expect(renewed.registrationToken).toMatch(/^dp1\./);
  });

  it('places a client by boundary and resolves its DPs', async () => {
    const group = await json<WithId>([
      'boundary-group',
      'create',
      'Loopback',
      '--dp',
      siteDp,
      '--slow',
    ]);
    await json(['boundary', 'create', 'lo', '--subnet', '127.0.0.0/8', '--group', 'Loopback']);
    await fails(
      ['boundary', 'create', 'bad', '--subnet', '127.0.0.0/40'],
      2,
      /^error USAGE: --subnet/,
    );
    const resolved = await json<{
      boundaryGroupIds: string[];
      slow: boolean;
      locations: { tier: string }[];
    }>(['boundary-group', 'resolve', '--ip', '127.0.0.1', '--package', 'Tools']);
    expect(resolved.boundaryGroupIds).toEqual([group.id]);
    expect(resolved.slow).toBe(true);
    expect(resolved.locations[0]?.tier).toBe('local');
    expect((await json<WithId[]>(['boundary', 'list'])).map((b) => b.name)).toContain('lo');
    // Fast again: the deployment below runs on this machine's agent, which is in this group.
    expect(await json(['boundary-group', 'update', 'Loopback', '--no-slow'])).toMatchObject({
      slow: false,
    });
  });

  it('deploys a program to a collection and follows it per device', async () => {
    await fails(
      [
        'deployment',
        'create',
        '--program',
        installId,
        '--collection',
        'No such',
        '--purpose',
        'required',
        '--asap',
      ],
      1,
      /^error \w*NOT_FOUND: --collection No such/,
    );
    await fails(
      [
        'deployment',
        'create',
        '--program',
        installId,
        '--collection',
        'All Systems',
        '--purpose',
        'required',
        '--at',
        '2020-01-01T00:00',
      ],
      1,
      /^error SCHEDULE_IN_PAST: /,
    );
    await fails(
      [
        'deployment',
        'create',
        '--program',
        installId,
        '--collection',
        'All Systems',
        '--purpose',
        'required',
      ],
      2,
      /^error USAGE: a required deployment needs/,
    );
    expect(await json<unknown[]>(['deployment', 'list'])).toHaveLength(0);
    const d = await json<WithId & { triggers: unknown[] }>([
      'deployment',
      'create',
      '--program',
      'Tools/Install',
      '--collection',
      'All Systems',
      '--purpose',
      'required',
      '--asap',
      '--rerun',
      'if-failed',
      '--name',
      'Tools everywhere',
    ]);
    deploymentId = d.id;
    expect(d.triggers).toEqual([{ type: 'asap' }]);
    expect(await json(['deployment', 'show', 'Tools everywhere'])).toMatchObject({
      id: d.id,
      rerun: 'if-failed',
    });
    const summary = await json<{ targeted: number }>(['deployment', 'status', d.id]);
    expect(summary.targeted).toBe(1);
    const devices = await json<{ items: { hostname: string }[]; total: number }>([
      'deployment',
      'devices',
      d.id,
    ]);
    expect(devices.total).toBe(1);
    expect(devices.items[0]?.hostname).toBe(site.devices[0]?.name);
    const chart = await steward(['deployment', 'status', d.id]);
    expect(chart.stdout).toMatch(/^Tools everywhere\n {2}targeted /);
    expect(await json(['deployment', 'assign', d.id, '--at', '2099-01-01T00:00'])).toMatchObject({
      extraAssignments: ['2099-01-01T00:00'],
    });
    expect(await json(['deployment', 'disable', d.id])).toMatchObject({ enabled: false });
    expect(await json(['deployment', 'enable', d.id])).toMatchObject({ enabled: true });
  });

  it('the agent runs the program and the watch ends once nothing is waiting or running', async () => {
    let seen = '';
    await waitFor(
      'the deployment to succeed on the device',
      async () => {
        const r = await steward(['deployment', 'devices', deploymentId, '--json']);
        seen = r.stdout;
        const rows = JSON.parse(r.stdout) as { items: { state: string }[] };
        return rows.items[0]?.state === 'succeeded';
      },
      90_000,
      1000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}; last device rows: ${seen}`);
    });
    const watch = await steward(['deployment', 'status', deploymentId, '--watch']);
    expect(watch.code).toBe(0);
    expect(watch.stderr).toBe('No device is waiting or running.\n');
    const rows = await json<{ items: { state: string; exitCode: number }[] }>([
      'deployment',
      'devices',
      deploymentId,
      '--state',
      'succeeded',
    ]);
    expect(rows.items[0]).toMatchObject({ state: 'succeeded', exitCode: 0 });
    const rerun = await json<{ revision: number }>(['deployment', 'rerun', deploymentId]);
    expect(rerun.revision).toBe(2);
  });

  it('keeps maintenance windows on collections and refuses a window of 0 minutes', async () => {
    await fails(
      [
        'maintenance-window',
        'create',
        'All Systems',
        '--name',
        'Zero',
        '--start',
        '2099-01-01T22:00',
        '--duration',
        '0',
      ],
      2,
      /^error USAGE: --duration must be between 5 minutes and 1440 minutes; got 0/,
    );
    const w = await json<WithId & { durationMinutes: number }>([
      'maintenance-window',
      'create',
      'All Systems',
      '--name',
      'Nightly',
      '--start',
      '2099-01-01T22:00',
      '--duration',
      '2h',
      '--recur',
      'weekly:1:mon,wed',
      '--local-time',
    ]);
    expect(w.durationMinutes).toBe(120);
    const list = await json<WithId[]>([
      'maintenance-window',
      'list',
      '--collection',
      'All Systems',
    ]);
    expect(list.map((x) => x.name)).toEqual(['Nightly']);
    expect(await json(['maintenance-window', 'update', 'Nightly', '--disabled'])).toMatchObject({
      enabled: false,
    });
    expect((await steward(['maintenance-window', 'delete', 'Nightly'])).code).toBe(0);
    expect(await json<unknown[]>(['maintenance-window', 'list'])).toHaveLength(0);
  });

  it('creates a phased deployment, halts it with a reason and resumes it', async () => {
    await json(['collection', 'create', 'Pilot', '--query', 'os.family = "debian"']);
    const p = await json<WithId & { phases: unknown[] }>([
      'phased-deployment',
      'create',
      '--name',
      'Tools rollout',
      '--program',
      'Tools/Second',
      '--phase',
      'Pilot:50%:0',
      '--phase',
      'All Systems:100%:10',
      '--halt-on-failure',
      '20',
    ]);
    expect(p.phases).toHaveLength(2);
    expect(
      await json(['phased-deployment', 'halt', p.id, '--reason', 'checking logs']),
    ).toMatchObject({
      state: 'halted',
      haltReason: 'checking logs',
    });
    const shown = await steward(['phased-deployment', 'show', 'Tools rollout']);
    expect(shown.stdout).toContain('Halted: checking logs');
    expect(shown.stdout).toMatch(/ 1 {2}Pilot /);
    expect(await json(['phased-deployment', 'resume', p.id])).toMatchObject({
      state: expect.not.stringMatching(/halted/),
    });
  });

  it('prints the reports', async () => {
    const summary = await json<{ deploymentName: string }[]>(['report', 'deployment-summary']);
    expect(summary.map((s) => s.deploymentName)).toContain('Tools everywhere');
    expect(
      Array.isArray(await json(['report', 'deployment-failures', '--deployment', deploymentId])),
    ).toBe(true);
    const dist = await json<{ packageName: string; dpName: string }[]>([
      'report',
      'distribution-status',
      '--package',
      'Tools',
    ]);
    expect(dist.map((r) => r.dpName).sort()).toEqual(['branch-a', siteDp].sort());
    const completion = await json<{ packageName: string; targeted: number }[]>([
      'report',
      'dp-completion',
    ]);
    expect(completion.find((r) => r.packageName === 'Tools')?.targeted).toBe(2);
    const table = await steward(['report', 'dp-completion']);
    expect(table.stdout).toMatch(/^PACKAGE\s+TARGETED\s+INSTALLED\s+COMPLETE\n/);
  });
});
