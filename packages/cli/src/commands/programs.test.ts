import { describe, expect, it } from 'vitest';
import { apiError, createHarness, route, run, type Route } from '../../test/support/harness.js';
import { program } from '../../test/support/software-fixtures.js';

const env = { STEWARD_SERVER: 'http://site.test', STEWARD_TOKEN: 't' };
const site = (routes: Route[]) => createHarness({ routes, env });

const programs = [
  program(),
  program({ id: 'prog-2', name: 'Prereq', packageName: 'Runtime', packageId: 'pkg-2' }),
  program({ id: 'prog-3', name: 'Install', packageName: 'Thunderbird', packageId: 'pkg-3' }),
];
const lookups: Route[] = [
  route('GET', '/programs/:id', (_r, [id]) => {
    const p = programs.find((x) => x.id === id);
    return p ?? apiError(404, 'PROGRAM_NOT_FOUND', `no program ${id ?? ''}`);
  }),
  route('GET', '/programs', () => programs),
];

describe('program create', () => {
  it('sends every flag as the API body', async () => {
    const h = site([...lookups, route('POST', '/packages/:id/programs', () => program())]);
    const r = await run(
      h,
      'program',
      'create',
      'Firefox',
      '--name',
      'Install',
      '--command',
      './install.sh --quiet',
      '--working-dir',
      'bin',
      '--run-as',
      'user',
      '--max-run-minutes',
      '30',
      '--success-codes',
      '0,1',
      '--reboot-codes',
      '194',
      '--os-family',
      'debian,ubuntu',
      '--min-os-version',
      '12',
      '--arch',
      'x86_64',
      '--arch',
      'aarch64',
      '--min-disk-mb',
      '500',
      '--min-memory-mb',
      '1024',
      '--depends-on',
      'Runtime/Prereq',
      '--description',
      'installs it',
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Program Firefox/Install created (id prog-1).\n');
    const post = h.requests.find((q) => q.method === 'POST');
    expect(post?.path).toBe('/packages/Firefox/programs');
    expect(post?.body).toEqual({
      name: 'Install',
      commandLine: './install.sh --quiet',
      workingDirectory: 'bin',
      runAs: 'user',
      maxRunMinutes: 30,
      successExitCodes: [0, 1],
      rebootExitCodes: [194],
      requirements: {
        osFamilies: ['debian', 'ubuntu'],
        minOsVersion: '12',
        architectures: ['x86_64', 'aarch64'],
        minFreeDiskMb: 500,
        minMemoryMb: 1024,
      },
      dependsOnProgramId: 'prog-2',
      description: 'installs it',
    });
  });

  it('checks codes and required flags before any request', async () => {
    const base = ['program', 'create', 'Firefox', '--name', 'I', '--command', 'x'];
    const cases: [string[], string][] = [
      [
        [...base, '--success-codes', '0,3010'],
        '--success-codes must be between 0 and 255, got 3010',
      ],
      [
        [...base, '--reboot-codes', 'reboot'],
        '--reboot-codes must be exit codes separated by commas (e.g. 0,3010); got "reboot"',
      ],
      [
        [...base, '--success-codes', '0', '--reboot-codes', '0'],
        'exit code 0 cannot be both a success and a reboot code',
      ],
      [[...base, '--success-codes', 'none'], '--success-codes needs at least one exit code'],
      [[...base, '--run-as', 'admin'], '--run-as must be one of root, user; got "admin"'],
      [[...base, '--max-run-minutes', '0'], '--max-run-minutes must be between 1 and 1440, got 0'],
      [['program', 'create', 'Firefox', '--name', 'I'], '--command is required'],
    ];
    for (const [argv, message] of cases) {
      const h = site(lookups);
      expect(await run(h, ...argv)).toMatchObject({ code: 2, stderr: `error USAGE: ${message}\n` });
      expect(h.requests).toHaveLength(0);
    }
  });

  it('an ambiguous program name asks for an id', async () => {
    const h = site(lookups);
    const r = await run(h, 'program', 'show', 'Install');
    expect(r.stderr).toBe(
      'error AMBIGUOUS: <program> Install: 2 programs have that name; use an id (prog-1, prog-3)\n',
    );
  });
});

describe('program update, show, disable', () => {
  it('merges requirement flags into the existing ones and clears the dependency', async () => {
    programs[0] = program({
      requirements: { osFamilies: ['debian'], minMemoryMb: 512 },
      dependsOnProgramId: 'prog-2',
    });
    const h = site([...lookups, route('PATCH', '/programs/:id', () => program())]);
    expect(
      (await run(h, 'program', 'update', 'prog-1', '--min-memory-mb', '2048', '--no-depends-on'))
        .code,
    ).toBe(0);
    expect(h.requests.find((q) => q.method === 'PATCH')?.body).toEqual({
      requirements: { osFamilies: ['debian'], minMemoryMb: 2048 },
      dependsOnProgramId: null,
    });
    programs[0] = program();
  });

  it('passes PROGRAM_DEPENDENCY_CYCLE through with its code', async () => {
    const h = site([
      ...lookups,
      route('PATCH', '/programs/:id', () =>
        apiError(
          409,
          'PROGRAM_DEPENDENCY_CYCLE',
          'Runtime/Prereq already depends on Firefox/Install',
        ),
      ),
    ]);
    const r = await run(h, 'program', 'update', 'Runtime/Prereq', '--depends-on', 'prog-1');
    expect(r).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'error PROGRAM_DEPENDENCY_CYCLE: Runtime/Prereq already depends on Firefox/Install\n',
    });
  });

  it('show names the dependency; disable posts to /disable', async () => {
    programs[0] = program({
      dependsOnProgramId: 'prog-2',
      requirements: { architectures: ['x86_64'] },
    });
    const h = site(lookups);
    const r = await run(h, 'program', 'show', 'prog-1');
    expect(r.stdout).toMatch(/Runs first:\s+Runtime\/Prereq \(prog-2\)/);
    expect(r.stdout).toMatch(/Requirements:\s+arch x86_64/);
    programs[0] = program();
    const d = site([
      ...lookups,
      route('POST', '/programs/:id/disable', () => program({ disabled: true })),
    ]);
    const dr = await run(d, 'program', 'disable', 'prog-1');
    expect(dr.stdout).toMatch(/^Program Firefox\/Install disabled: running agents stop it now/);
    expect(d.requests.at(-1)?.path).toBe('/programs/prog-1/disable');
  });

  it('list shows disabled programs', async () => {
    const h = site([route('GET', '/programs', () => [program({ disabled: true })])]);
    const r = await run(h, 'program', 'list', '--package', 'Firefox');
    expect(h.requests[0]?.query).toEqual({ package: 'Firefox' });
    expect(r.stdout.split('\n')[1]).toMatch(
      /^prog-1\s+Install\s+Firefox\s+root\s+120 min\s+disabled\s+\.\/install\.sh$/,
    );
  });
});
