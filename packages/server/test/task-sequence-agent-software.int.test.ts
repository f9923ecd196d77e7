/**
 * Install-software steps and fact conditions in deployed task sequences run by a real agent
 * (issue 11), both databases. The sequence's programs ride along in the device's assignments;
 * the agent fetches their content from the site's DP, verifies it and runs them with the same
 * executor as software deployments (a program's data file is read from its package directory,
 * a failing program fails its step with the program's exit code and output, continue on error
 * goes on). Conditions on the machine's inventory and hardware facts (its os-release ID, its
 * architecture, an installed package, its memory) run or skip steps as the machine really is.
 * User device affinity: the administrator sets a device's primary users (API and CLI); a
 * sequence's STWPrimaryUsers variable names more when the run succeeds, and each source keeps
 * its own list.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ops,
  type TaskSequenceBody,
  type TaskSequenceDeployment,
  type TaskSequenceRun,
} from '@steward/protocol';
import {
  directCollection,
  STEWARD,
  createTestSite,
  exec,
  pgReachable,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import {
  createScriptProgram,
  distributeAndWait,
  shellScript,
} from '../../../test-support/software.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();
if (!hasPg)
  console.warn('PostgreSQL unreachable: the postgres case of install-software steps is SKIPPED');

const MINUTE = 60_000;
const START = Date.parse('2031-04-04T08:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** What the agent will read of this machine (the test runs on the agent's machine). */
const osId = /^ID=("?)([^"\n]*)\1$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[2] ?? '';
const architecture = process.arch === 'x64' ? 'amd64' : process.arch;
const hasDpkg = existsSync('/var/lib/dpkg/status');

type Item = TaskSequenceBody['steps'][number];
type Condition = NonNullable<Item['condition']>;

function factCondition(tests: Condition['tests']): Condition {
  return { type: 'block', match: 'all', tests };
}

function command(id: string, cmd: string, condition?: Condition): Item {
  return {
    type: 'step',
    kind: 'run-command',
    id,
    name: id,
    enabled: true,
    continueOnError: false,
    timeoutSeconds: 60,
    settings: { command: cmd },
    ...(condition ? { condition } : {}),
  };
}

function install(id: string, programIds: string[], continueOnError = false): Item {
  return {
    type: 'step',
    kind: 'install-software',
    id,
    name: id,
    enabled: true,
    continueOnError,
    timeoutSeconds: 120,
    settings: { programIds },
  };
}

describe.each(dialects)('install-software steps and fact conditions (%s)', (dialect) => {
  const skip = dialect === 'postgres' && !hasPg;
  let site: Site;
  let work: string;
  let out: string;
  let clockFile: string;
  let collectionId: string;
  let deviceId: string;

  const setClock = (ms: number) => writeFileSync(clockFile, iso(ms));

  beforeAll(async () => {
    if (skip) return;
    work = mkdtempSync(join(tmpdir(), 'steward-ts-software-'));
    out = join(work, 'out');
    mkdirSync(out);
    clockFile = join(work, 'clock');
    setClock(START);
    site = await createTestSite({ dialect, env: { STEWARD_TEST_CLOCK_FILE: clockFile } });
    const device = site.devices[0];
    if (!device) throw new Error('no device');
    deviceId = device.id;
    collectionId = await directCollection(site, 'Builds', deviceId);
  }, 240_000);

  afterAll(async () => {
    await site?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function ended(d: TaskSequenceDeployment, state: string): Promise<TaskSequenceRun> {
    let last = '';
    try {
      return await waitFor(
        `run of ${d.name} ${state}`,
        async () => {
          const r = await site.api.call(ops.taskSequenceDeployments.run, {
            params: { id: d.id, deviceId },
          });
          last = JSON.stringify(r);
          return r.state === state ? r : undefined;
        },
        120_000,
        250,
      );
    } catch (err) {
      throw new Error(`${String(err)}; last run ${last}`);
    }
  }

  it.skipIf(skip)(
    'runs programs from the content library and decides conditions on the machine facts',
    async () => {
      // A package whose program copies its data file (checked against the manifest on the way)
      // and records the deployment it ran for; a second program of it fails.
      const { pkg, program: tool } = await createScriptProgram(site.api, {
        packageName: 'Build tools',
        script: shellScript(
          `cat "$STEWARD_PACKAGE_DIR/tool.conf" > '${out}/tool.conf'\n` +
            `echo "$STEWARD_DEPLOYMENT_ID" > '${out}/deployment'`,
        ),
        extraFiles: [{ path: 'tool.conf', content: 'colour=green\n' }],
        program: { name: 'Install tools' },
      });
      const broken = await site.api.createProgram(pkg.name, {
        name: 'Broken',
        commandLine: 'echo cannot configure; exit 7',
        maxRunMinutes: 5,
      });
      await distributeAndWait(site.api, pkg.name, ['site-server']);

      const seq = await site.api.call(ops.taskSequences.create, {
        body: {
          name: 'Workstation build',
          kind: 'non-os',
          steps: [
            install('tools', [tool.id]),
            install('broken', [broken.id], true),
            command(
              'on-this-os',
              `touch ${out}/on-this-os`,
              factCondition([
                { type: 'fact', source: 'inventory', name: 'os.id', op: 'equals', value: osId },
                { type: 'fact', source: 'hardware', name: 'memoryMiB', op: 'at-least', value: '1' },
              ]),
            ),
            command(
              'on-sparc',
              `touch ${out}/on-sparc`,
              factCondition([
                {
                  type: 'fact',
                  source: 'hardware',
                  name: 'architecture',
                  op: 'equals',
                  value: 'sparc64',
                },
              ]),
            ),
            command(
              'this-arch',
              `touch ${out}/this-arch`,
              factCondition([
                {
                  type: 'fact',
                  source: 'hardware',
                  name: 'architecture',
                  op: 'equals',
                  value: architecture,
                },
              ]),
            ),
            command(
              'no-such-package',
              `touch ${out}/no-such-package`,
              factCondition([
                {
                  type: 'fact',
                  source: 'inventory',
                  name: 'package.steward-no-such-package',
                  op: 'exists',
                },
              ]),
            ),
            ...(hasDpkg
              ? [
                  command(
                    'has-dpkg',
                    `touch ${out}/has-dpkg`,
                    factCondition([
                      { type: 'fact', source: 'inventory', name: 'package.dpkg', op: 'exists' },
                    ]),
                  ),
                ]
              : []),
          ],
        },
      });
      const d = await site.api.call(ops.taskSequenceDeployments.create, {
        body: {
          purpose: 'required',
          deadline: iso(START + 10 * MINUTE),
          sequenceId: seq.id,
          collectionId,
        },
      });
      setClock(START + 10 * MINUTE);
      await site.api.requestDeviceAction(deviceId, 'deployments:evaluate');
      const done = await ended(d, 'succeeded');

      expect(readFileSync(join(out, 'tool.conf'), 'utf8')).toBe('colour=green\n');
      expect(readFileSync(join(out, 'deployment'), 'utf8')).toBe(`${d.id}\n`);
      const history = done.progress?.history ?? [];
      const byId = new Map(history.map((h) => [h.stepId, h]));
      expect(byId.get('tools')).toMatchObject({ status: 'succeeded', exitCode: 0 });
      expect(byId.get('broken')).toMatchObject({ status: 'failed', exitCode: 7, continued: true });
      expect(byId.get('broken')?.outputTail).toContain('cannot configure');
      expect(byId.get('broken')?.reason).toContain('Broken');
      expect(byId.get('on-this-os')?.status).toBe('succeeded');
      expect(byId.get('on-sparc')?.status).toBe('skipped');
      expect(byId.get('this-arch')?.status).toBe('succeeded');
      expect(byId.get('no-such-package')?.status).toBe('skipped');
      expect(existsSync(join(out, 'on-this-os'))).toBe(true);
      expect(existsSync(join(out, 'on-sparc'))).toBe(false);
      expect(existsSync(join(out, 'this-arch'))).toBe(true);
      expect(existsSync(join(out, 'no-such-package'))).toBe(false);
      if (hasDpkg) expect(existsSync(join(out, 'has-dpkg'))).toBe(true);
    },
    300_000,
  );

  it.skipIf(skip)(
    'keeps primary users set by the administrator and by a succeeded sequence',
    async () => {
      const set = await site.api.call(ops.primaryUsers.set, {
        params: { id: deviceId },
        body: { users: ['alice', 'CORP\\bob', 'alice'] },
      });
      expect(set.map((u) => [u.userName, u.source, u.setBy])).toEqual([
        ['CORP\\bob', 'administrator', 'admin'],
        ['alice', 'administrator', 'admin'],
      ]);
      await expect(
        site.api.call(ops.primaryUsers.set, {
          params: { id: deviceId },
          body: { users: ['a,b'] },
        }),
      ).rejects.toMatchObject({ status: 400 });

      const seq = await site.api.call(ops.taskSequences.create, {
        body: {
          name: 'Assign users',
          kind: 'non-os',
          variables: { STWPrimaryUsers: 'nobody' },
          steps: [
            {
              type: 'step',
              kind: 'set-variable',
              id: 'users',
              name: 'Name the users',
              enabled: true,
              continueOnError: false,
              settings: { name: 'STWPrimaryUsers', value: 'carol; dave,carol' },
            },
          ],
        },
      });
      const d = await site.api.call(ops.taskSequenceDeployments.create, {
        body: {
          purpose: 'required',
          deadline: iso(START + 20 * MINUTE),
          sequenceId: seq.id,
          collectionId,
        },
      });
      setClock(START + 20 * MINUTE);
      await site.api.requestDeviceAction(deviceId, 'deployments:evaluate');
      await ended(d, 'succeeded');
      const both = await waitFor('the sequence to name the primary users', async () => {
        const users = await site.api.call(ops.primaryUsers.list, { params: { id: deviceId } });
        return users.some((u) => u.source === 'task-sequence') ? users : undefined;
      });
      expect(both.map((u) => [u.userName, u.source])).toEqual([
        ['CORP\\bob', 'administrator'],
        ['alice', 'administrator'],
        ['carol', 'task-sequence'],
        ['dave', 'task-sequence'],
      ]);
      expect(both.find((u) => u.userName === 'carol')?.setBy).toBe(d.id);

      // The CLI: --clear drops the administrator's list only; the sequence's stay.
      const env = {
        STEWARD_CONFIG_DIR: mkdtempSync(join(site.dir, 'cli-')),
        STEWARD_SERVER: site.adminUrl,
        STEWARD_TOKEN: site.api.token ?? '',
      };
      const cleared = await exec(
        STEWARD,
        ['device', 'primary-users', deviceId, '--clear', '--json'],
        { env },
      );
      expect(cleared.code, cleared.stderr).toBe(0);
      const after = JSON.parse(cleared.stdout) as { userName: string }[];
      expect(after.map((u) => u.userName)).toEqual(['carol', 'dave']);
      const shown = await exec(STEWARD, ['device', 'primary-users', deviceId], { env });
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toContain('task-sequence');
      expect(shown.stdout).toContain(d.id);
    },
    300_000,
  );
});
