/**
 * Task sequences (issue 11, ADR 0069) on a real server, SQLite and PostgreSQL: saved as versions
 * (a save never changes an older version), steps checked beyond their schema (unique ids,
 * references that exist in the library), collection and device variables, refusals with codes
 * and nothing written, the CLI with --json, and the status message of every save.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ops, sequenceItems, type TaskSequenceBody } from '@steward/protocol';
import { createScriptProgram, shellScript } from '../../../test-support/software.js';
import {
  STEWARD,
  createTestSite,
  exec,
  pgReachable,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(err)}`);
  return err;
}

const base = { enabled: true, continueOnError: false };

function body(programId: string, extra: Partial<TaskSequenceBody> = {}): TaskSequenceBody {
  return {
    name: 'Web server build',
    kind: 'non-os',
    variables: { Role: 'web' },
    steps: sequenceItems([
      {
        type: 'step',
        kind: 'set-variable',
        id: 'set',
        name: 'Set role',
        ...base,
        settings: { name: 'Tier', value: 'front' },
      },
      {
        type: 'group',
        id: 'web',
        name: 'Web only',
        ...base,
        condition: {
          type: 'block',
          match: 'all',
          tests: [{ type: 'variable', name: 'Role', op: 'equals', value: 'web' }],
        },
        children: [
          {
            type: 'step',
            kind: 'install-software',
            id: 'nginx',
            name: 'Install',
            ...base,
            settings: { programIds: [programId] },
          },
          {
            type: 'step',
            kind: 'run-command',
            id: 'hello',
            name: 'Hello',
            ...base,
            continueOnError: true,
            timeoutSeconds: 60,
            settings: { command: 'echo %Tier%' },
          },
        ],
      },
      {
        type: 'step',
        kind: 'restart-computer',
        id: 'reboot',
        name: 'Restart',
        ...base,
        settings: { into: 'full-os' },
      },
    ]),
    ...extra,
  };
}

describe.each(dialects)('task sequences (%s)', (dialect) => {
  let site: Site;
  let dir: string;
  let programId: string;
  let deviceId: string;
  const skip = dialect === 'postgres' && !hasPg;

  beforeAll(async () => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), 'steward-ts-'));
    site = await createTestSite({ dialect, withEnrolledDevices: 1 });
    const { program } = await createScriptProgram(site.api, {
      packageName: 'ts-web',
      script: shellScript('true'),
    });
    programId = program.id;
    deviceId = site.devices[0]?.id ?? '';
  }, 120_000);
  afterAll(async () => {
    if (skip) return;
    await site.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(skip)(
    'saves versions: an edit makes a new one and the old one is kept whole',
    async () => {
      const v1 = await site.api.call(ops.taskSequences.create, { body: body(programId) });
      expect(v1).toMatchObject({
        version: 1,
        stepCount: 4,
        kind: 'non-os',
        variables: { Role: 'web' },
      });
      const edited = body(programId);
      edited.steps = edited.steps.slice(0, 1);
      const v2 = await site.api.call(ops.taskSequences.update, {
        params: { id: v1.id },
        body: edited,
      });
      expect(v2).toMatchObject({ id: v1.id, version: 2, stepCount: 1 });
      const old = await site.api.call(ops.taskSequences.version, {
        params: { id: v1.id, version: 1 },
      });
      expect(old.steps).toEqual(v1.steps);
      const versions = await site.api.call(ops.taskSequences.versions, {
        params: { id: 'Web server build' },
      });
      expect(versions.map((v) => [v.version, v.stepCount])).toEqual([
        [2, 1],
        [1, 4],
      ]);
      const list = await site.api.call(ops.taskSequences.list, {
        query: { search: 'server', kind: 'non-os' },
      });
      expect(list.items.map((s) => [s.name, s.version, s.stepCount])).toEqual([
        ['Web server build', 2, 1],
      ]);
      expect(
        (await site.api.call(ops.taskSequences.list, { query: { kind: 'install-os' } })).total,
      ).toBe(0);
      const status = await site.api.call(ops.status.listMessages, { query: { messageId: 52400 } });
      expect(status.items.map((m) => m.insertionStrings[2]).sort()).toEqual(['1', '2']);
    },
  );

  it.skipIf(skip)('refuses what the schema cannot catch, with codes, writing nothing', async () => {
    const before = (await site.api.call(ops.taskSequences.list, {})).total;
    const dupIds = body(programId, { name: 'dup' });
    dupIds.steps.push({
      type: 'step',
      kind: 'run-command',
      id: 'set',
      name: 'again',
      ...base,
      settings: { command: 'true' },
    });
    expect((await refusal(site.api.call(ops.taskSequences.create, { body: dupIds }))).code).toBe(
      'TASK_SEQUENCE_INVALID',
    );
    const missing = await refusal(
      site.api.call(ops.taskSequences.create, {
        body: body('no-such-program', { name: 'missing' }),
      }),
    );
    expect(missing.code).toBe('TASK_SEQUENCE_REFERENCE_NOT_FOUND');
    expect(missing.message).toContain('program no-such-program');
    const badSettings = await refusal(
      site.api.call(ops.taskSequences.create, {
        body: {
          name: 'bad',
          kind: 'custom',
          steps: [
            {
              type: 'step',
              kind: 'run-command',
              id: 'x',
              name: 'x',
              ...base,
              settings: { command: '' },
            },
          ],
        },
      }),
    );
    expect(badSettings.status).toBe(400);
    expect(
      (await refusal(site.api.call(ops.taskSequences.create, { body: body(programId) }))).code,
    ).toBe('TASK_SEQUENCE_NAME_TAKEN');
    expect((await site.api.call(ops.taskSequences.list, {})).total).toBe(before);
    expect(
      (await refusal(site.api.call(ops.taskSequences.get, { params: { id: 'nope' } }))).code,
    ).toBe('TASK_SEQUENCE_NOT_FOUND');
  });

  it.skipIf(skip)('keeps variables on collections and devices', async () => {
    const set = await site.api.call(ops.taskSequences.setCollectionVariables, {
      params: { id: 'All Systems' },
      body: {
        variables: [
          { name: 'Role', value: 'db' },
          { name: 'Site', value: 'north' },
        ],
      },
    });
    expect(set.variables).toEqual([
      { name: 'Role', value: 'db' },
      { name: 'Site', value: 'north' },
    ]);
    await site.api.call(ops.taskSequences.setDeviceVariables, {
      params: { id: deviceId },
      body: { variables: [{ name: 'Role', value: 'cache' }] },
    });
    expect(
      (await site.api.call(ops.taskSequences.deviceVariables, { params: { id: deviceId } }))
        .variables,
    ).toEqual([{ name: 'Role', value: 'cache' }]);
    const dup = await refusal(
      site.api.call(ops.taskSequences.setDeviceVariables, {
        params: { id: deviceId },
        body: {
          variables: [
            { name: 'A', value: '1' },
            { name: 'A', value: '2' },
          ],
        },
      }),
    );
    expect(dup.code).toBe('TASK_SEQUENCE_INVALID');
    const reserved = await refusal(
      site.api.call(ops.taskSequences.setDeviceVariables, {
        params: { id: deviceId },
        body: { variables: [{ name: '_STWCurrentStep', value: 'x' }] },
      }),
    );
    expect(reserved.status).toBe(400);
    expect(
      (await site.api.call(ops.taskSequences.deviceVariables, { params: { id: deviceId } }))
        .variables,
    ).toHaveLength(1);
  });

  it.skipIf(skip)('works from the CLI with --json', async () => {
    const env = { STEWARD_SERVER: site.adminUrl, STEWARD_TOKEN: site.api.token ?? '' };
    const file = join(dir, 'seq.json');
    writeFileSync(file, JSON.stringify(body(programId, { name: 'From the CLI' })));
    const created = await exec(STEWARD, ['task-sequence', 'create', '--file', file, '--json'], {
      env,
    });
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'From the CLI', version: 1 });
    const shown = await exec(STEWARD, ['task-sequence', 'show', 'From the CLI'], { env });
    expect(shown.stdout).toContain('[group] Web only [conditional]');
    expect(shown.stdout).toContain('    Hello (run-command) [continue on error, timeout 60 s]');
    writeFileSync(file, JSON.stringify({ name: 'x', kind: 'custom', steps: [{ type: 'step' }] }));
    const bad = await exec(STEWARD, ['task-sequence', 'create', '--file', file], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('is not a valid task sequence');
    const vars = await exec(
      STEWARD,
      ['task-sequence', 'variables', '--collection', 'All Systems', '--set', 'Role=web', '--json'],
      { env },
    );
    expect(JSON.parse(vars.stdout)).toEqual({ variables: [{ name: 'Role', value: 'web' }] });
    const del = await exec(STEWARD, ['task-sequence', 'delete', 'From the CLI'], { env });
    expect(del.code, del.stderr).toBe(0);
    expect(
      (await refusal(site.api.call(ops.taskSequences.get, { params: { id: 'From the CLI' } })))
        .code,
    ).toBe('TASK_SEQUENCE_NOT_FOUND');
  });
});
