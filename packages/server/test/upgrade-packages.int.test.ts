/**
 * Upgrade packages (issue 11, ADR 0102) on a real server, SQLite and PostgreSQL: created with
 * their options' defaults filled in, listed, shown by id or name; refusals with codes and
 * nothing written (a keyring that is not one, a target that is the starting release, a source
 * of another release, a name taken); a task sequence of kind "upgrade" whose upgrade-os step
 * names one is validated (an unknown id is refused, naming it) and then keeps it from being
 * deleted; the CLI with --json.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armorKeyring, ops, type UpgradePackageBody } from '@steward/protocol';
import {
  createSigningKey,
  disposeSigningKey,
  type SigningKey,
} from '../../../test-support/apt-repo.js';
import {
  STEWARD,
  createTestSite,
  exec,
  pgReachable,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import { upgradeSequence } from '../../../test-support/upgrade-package.js';
import { refusal } from './support/deployments.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();

let dir: string;
let key: SigningKey;
let armoured: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'steward-upgrade-pkg-'));
  key = createSigningKey(dir, 'Trixie Archive');
  armoured = armorKeyring(readFileSync(key.keyringFile));
});
afterAll(() => {
  disposeSigningKey(key);
  rmSync(dir, { recursive: true, force: true });
});

function body(extra: Partial<UpgradePackageBody> = {}): UpgradePackageBody {
  return {
    name: 'Bookworm to trixie',
    fromRelease: { codename: 'bookworm', version: '12' },
    targetRelease: { codename: 'trixie', version: '13' },
    sources: [
      { url: 'http://deb.debian.org/debian', suite: 'trixie', components: ['main'] },
      {
        url: 'http://security.debian.org/debian-security',
        suite: 'trixie-security',
        components: ['main'],
      },
    ],
    keyring: armoured,
    options: { allowedRemovals: ['libfoo*'] },
    ...extra,
  };
}

const sequence = (upgradePackageId: string) =>
  upgradeSequence('Upgrade to trixie', upgradePackageId, [
    {
      type: 'step',
      kind: 'restart-computer',
      id: 'restart',
      name: 'Restart',
      enabled: true,
      continueOnError: false,
      settings: { into: 'full-os' },
    },
  ]);

describe.each(dialects)('upgrade packages (%s)', (dialect) => {
  let site: Site;
  const skip = dialect === 'postgres' && !hasPg;

  beforeAll(async () => {
    if (skip) return;
    site = await createTestSite({ dialect });
  }, 120_000);
  afterAll(async () => {
    if (skip) return;
    await site.stop();
  });

  it.skipIf(skip)('creates, lists and shows one, its options filled in', async () => {
    const made = await site.api.call(ops.upgradePackages.create, { body: body() });
    expect(made).toMatchObject({
      name: 'Bookworm to trixie',
      description: '',
      targetRelease: { codename: 'trixie', version: '13' },
      options: {
        allowedRemovals: ['libfoo*'],
        downloadOnlyFirst: true,
        freeSpaceMiB: 4096,
        maxDowntimeMinutes: 60,
      },
      usedBy: [],
    });
    expect(made.keyringBytes).toBe(readFileSync(key.keyringFile).length);
    const page = await site.api.call(ops.upgradePackages.list, { query: { search: 'trixie' } });
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({ id: made.id, fromRelease: { codename: 'bookworm' } });
    const byName = await site.api.call(ops.upgradePackages.get, {
      params: { id: 'Bookworm to trixie' },
    });
    expect(byName.sources).toEqual(body().sources);
    const csv = await (await site.api.exportResponse(ops.exports.upgradePackages, {})).text();
    expect(csv).toContain('Bookworm to trixie');
  });

  it.skipIf(skip)('refuses what is not sound, with a code, and writes nothing', async () => {
    const create = (b: UpgradePackageBody) =>
      site.api.call(ops.upgradePackages.create, { body: b });
    expect((await refusal(create(body({ name: 'k', keyring: 'not a key' })))).code).toBe(
      'UPGRADE_PACKAGE_INVALID_KEYRING',
    );
    expect(
      (
        await refusal(
          create(body({ name: 's', targetRelease: { codename: 'bookworm', version: '12' } })),
        )
      ).code,
    ).toBe('UPGRADE_PACKAGE_INVALID');
    const foreign = await refusal(
      create(
        body({
          name: 'f',
          sources: [{ url: 'http://deb.debian.org/debian', suite: 'forky', components: ['main'] }],
        }),
      ),
    );
    expect(foreign.code).toBe('UPGRADE_PACKAGE_INVALID');
    expect(foreign.details).toEqual({ suites: ['forky'] });
    expect((await refusal(create(body()))).code).toBe('UPGRADE_PACKAGE_NAME_TAKEN');
    expect(
      (await refusal(site.api.call(ops.upgradePackages.get, { params: { id: 'nope' } }))).code,
    ).toBe('UPGRADE_PACKAGE_NOT_FOUND');
    expect((await site.api.call(ops.upgradePackages.list, { query: {} })).total).toBe(1);
  });

  it.skipIf(skip)(
    'an upgrade sequence naming it is validated and keeps it from deletion',
    async () => {
      const pkg = await site.api.call(ops.upgradePackages.get, {
        params: { id: 'Bookworm to trixie' },
      });
      const unknown = await refusal(
        site.api.call(ops.taskSequences.create, { body: sequence('no-such-package') }),
      );
      expect(unknown.code).toBe('TASK_SEQUENCE_REFERENCE_NOT_FOUND');
      expect(unknown.details).toMatchObject({ upgradePackages: ['no-such-package'] });
      const seq = await site.api.call(ops.taskSequences.create, { body: sequence(pkg.id) });
      expect(seq).toMatchObject({ kind: 'upgrade', stepCount: 2 });
      const upgrades = await site.api.call(ops.taskSequences.list, { query: { kind: 'upgrade' } });
      expect(upgrades.items.map((s) => s.id)).toEqual([seq.id]);
      expect(
        (await site.api.call(ops.upgradePackages.get, { params: { id: pkg.id } })).usedBy,
      ).toEqual([{ id: seq.id, name: 'Upgrade to trixie' }]);
      const inUse = await refusal(
        site.api.call(ops.upgradePackages.delete, { params: { id: pkg.id } }),
      );
      expect(inUse.code).toBe('UPGRADE_PACKAGE_IN_USE');
      await site.api.call(ops.taskSequences.delete, { params: { id: seq.id } });
      await site.api.call(ops.upgradePackages.delete, { params: { id: pkg.id } });
      expect(
        (await refusal(site.api.call(ops.upgradePackages.get, { params: { id: pkg.id } }))).code,
      ).toBe('UPGRADE_PACKAGE_NOT_FOUND');
    },
  );

  it.skipIf(skip)('works from the CLI with --json', async () => {
    const env = { STEWARD_SERVER: site.adminUrl, STEWARD_TOKEN: site.api.token ?? '' };
    const created = await exec(
      STEWARD,
      [
        'upgrade-package',
        'create',
        '--name',
        'From the CLI',
        '--from',
        'bookworm/12',
        '--to',
        'trixie/13',
        '--source',
        'http://deb.debian.org/debian trixie main contrib',
        '--keyring',
        key.keyringFile,
        '--allow-removal',
        'old-tool',
        '--no-download-first',
        '--max-downtime-minutes',
        '30',
        '--json',
      ],
      { env },
    );
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      name: 'From the CLI',
      sources: [{ suite: 'trixie', components: ['main', 'contrib'] }],
      keyring: armoured,
      options: { allowedRemovals: ['old-tool'], downloadOnlyFirst: false, maxDowntimeMinutes: 30 },
    });
    const listed = await exec(STEWARD, ['upgrade-package', 'list', '--json'], { env });
    expect(JSON.parse(listed.stdout)).toMatchObject({
      total: 1,
      items: [{ name: 'From the CLI' }],
    });
    const shown = await exec(STEWARD, ['upgrade-package', 'show', 'From the CLI'], { env });
    expect(shown.stdout).toContain('trixie (13)');
    const bad = await exec(
      STEWARD,
      [
        'upgrade-package',
        'create',
        '--name',
        'x',
        '--from',
        'bookworm',
        '--to',
        'trixie/13',
        '--source',
        'http://x trixie main',
        '--keyring',
        key.keyringFile,
      ],
      { env },
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('CODENAME/VERSION');
    const del = await exec(STEWARD, ['upgrade-package', 'delete', 'From the CLI'], { env });
    expect(del.code, del.stderr).toBe(0);
    expect((await site.api.call(ops.upgradePackages.list, { query: {} })).total).toBe(0);
  });
});
