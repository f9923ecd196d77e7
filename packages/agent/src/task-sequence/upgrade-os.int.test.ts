import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  armorKeyring,
  type StatusMessageBody,
  StatusMessages,
  UpgradeReport,
  type UpgradeSpec,
} from '@steward/protocol';
import { Value } from '@sinclair/typebox/value';
import {
  createSigningKey,
  disposeSigningKey,
  serveDirectory,
  type SigningKey,
  type TestPackage,
  writeSuite,
} from '../../../../test-support/apt-repo.js';
import {
  createDpkgSandbox,
  type DpkgSandbox,
  holdPackages,
  installPackages,
  readStatus,
} from '../../../../test-support/dpkg-sandbox.js';
import { upgradeOs } from './upgrade-os.js';

/**
 * The upgrade-os step for real (issue 11, ADR 0102): two local signed apt repositories stand for
 * release N (bookworm, 12) and N+1 (trixie, 13), each signed by its own key; a dpkg/apt sandbox
 * on N is upgraded by the step's own code, with the real apt-get and dpkg. The base-files-like
 * package's postinst writes the sandbox's /etc/os-release, as Debian's base-files does.
 */

const osRelease = (codename: string, version: string) =>
  `mkdir -p "$DPKG_ROOT/etc"\nprintf 'PRETTY_NAME="Test ${version}"\\nVERSION_ID="${version}"\\nVERSION_CODENAME=${codename}\\nID=debian\\n' > "$DPKG_ROOT/etc/os-release"`;

const releaseN: TestPackage[] = [
  { name: 'base-files', version: '12.4', postinst: osRelease('bookworm', '12') },
  { name: 'hello', version: '1.0-1' },
  { name: 'legacy-tool', version: '1.0-1' },
];
const releaseN1: TestPackage[] = [
  {
    name: 'base-files',
    version: '13.8',
    depends: 'newlib',
    postinst: osRelease('trixie', '13'),
  },
  { name: 'hello', version: '2.0-1' },
  // N+1 replaces legacy-tool: a full-upgrade installing newlib must remove it.
  { name: 'newlib', version: '1.0-1', conflicts: 'legacy-tool' },
];

let dir: string;
let keyN: SigningKey;
let keyN1: SigningKey;
let server: Server;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'upgrade-os-'));
  keyN = createSigningKey(dir, 'Release N');
  keyN1 = createSigningKey(dir, 'Release N1');
  const archive = join(dir, 'archive');
  writeSuite(archive, { suite: 'bookworm', packages: releaseN, key: keyN });
  writeSuite(archive, { suite: 'trixie', packages: releaseN1, key: keyN1 });
  const served = await serveDirectory(archive);
  server = served.server;
  url = served.url;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  disposeSigningKey(keyN);
  disposeSigningKey(keyN1);
  rmSync(dir, { recursive: true, force: true });
});

/** A sandbox running N: its packages installed by dpkg, its apt sources on the N repository. */
function sandboxOnN(name: string): DpkgSandbox & { sourcesList: string } {
  const box = createDpkgSandbox(dir, name);
  for (const d of [
    'etc/apt/sources.list.d',
    'etc/apt/apt.conf.d',
    'etc/apt/preferences.d',
    'etc/apt/trusted.gpg.d',
    'etc/apt/keyrings',
    'var/lib/apt/lists/partial',
    'var/cache/apt/archives/partial',
    'var/log/apt',
  ])
    mkdirSync(join(box.root, d), { recursive: true });
  installPackages(dir, box, releaseN);
  copyFileSync(keyN.keyringFile, join(box.root, 'etc/apt/keyrings/release-n.gpg'));
  const sourcesList = `deb [signed-by=${join(box.root, 'etc/apt/keyrings/release-n.gpg')}] ${url} bookworm main\n`;
  writeFileSync(join(box.root, 'etc/apt/sources.list'), sourcesList);
  return { ...box, sourcesList };
}

function specFor(allowedRemovals: string[]): UpgradeSpec {
  return {
    id: 'up-1',
    name: 'Bookworm to trixie',
    fromRelease: { codename: 'bookworm', version: '12' },
    targetRelease: { codename: 'trixie', version: '13' },
    sources: [{ url, suite: 'trixie', components: ['main'] }],
    keyring: armorKeyring(readFileSync(keyN1.keyringFile)),
    options: { allowedRemovals, downloadOnlyFirst: true, freeSpaceMiB: 1, maxDowntimeMinutes: 60 },
  };
}

const versions = (status: string) =>
  Object.fromEntries(
    status
      .split('\n\n')
      .map((stanza) => [
        /^Package: (.*)$/m.exec(stanza)?.[1],
        `${/^Status: (.*)$/m.exec(stanza)?.[1] ?? ''} ${/^Version: (.*)$/m.exec(stanza)?.[1] ?? ''}`,
      ])
      .filter(([n]) => n !== undefined),
  );

async function upgrade(box: DpkgSandbox, spec: UpgradeSpec) {
  const messages: StatusMessageBody[] = [];
  const out = await upgradeOs({
    spec,
    root: box.root,
    signal: new AbortController().signal,
    emit: (m) => {
      messages.push(m);
    },
  });
  const last = messages.at(-1);
  expect(last?.messageId).toBe(StatusMessages.OS_UPGRADE_REPORT.id);
  // The report travels whole in the last message: what the site attaches to the run.
  const carried: unknown = JSON.parse(last?.insertionStrings[2] ?? 'null');
  expect(Value.Check(UpgradeReport, carried)).toBe(true);
  expect(carried).toEqual(out.report);
  expect(messages.every((m) => m.attributes['upgradePackageId'] === 'up-1')).toBe(true);
  return { ...out, ids: messages.map((m) => m.messageId) };
}

describe('upgrade-os in a dpkg/apt sandbox', () => {
  it('upgrades N to N+1: pre-checks pass, the plan is reported, os-release changes', async () => {
    const box = sandboxOnN('ok');
    expect(readFileSync(join(box.root, 'etc/os-release'), 'utf8')).toContain('bookworm');
    const { result, report, ids } = await upgrade(box, specFor(['legacy-*']));
    expect(result.reason).toBeNull();
    expect(result.ok).toBe(true);
    expect(report.preChecks.map((c) => [c.check, c.ok])).toEqual([
      ['current-release', true],
      ['free-space', true],
      ['held-packages', true],
      ['dpkg-audit', true],
      ['half-configured', true],
      ['apt-lock', true],
    ]);
    expect(report).toMatchObject({
      outcome: 'succeeded',
      fromRelease: 'bookworm (12)',
      plan: { upgraded: 2, new: 1, removed: 1, removedNames: ['legacy-tool'] },
      sourcesRestored: false,
    });
    const M = StatusMessages;
    expect(ids).toEqual([
      M.OS_UPGRADE_PRE_CHECKS_PASSED.id,
      M.OS_UPGRADE_SOURCES_SWITCHED.id,
      M.OS_UPGRADE_PLAN.id,
      M.OS_UPGRADE_INSTALLED.id,
      M.OS_UPGRADE_SUCCEEDED.id,
      M.OS_UPGRADE_REPORT.id,
    ]);
    const release = readFileSync(join(box.root, 'etc/os-release'), 'utf8');
    expect(release).toContain('VERSION_CODENAME=trixie');
    expect(release).toContain('VERSION_ID="13"');
    const after = versions(readStatus(box));
    expect(after['hello']).toBe('install ok installed 2.0-1');
    expect(after['newlib']).toBe('install ok installed 1.0-1');
    expect(after['legacy-tool'] ?? 'gone').not.toContain('installed 1.0-1');
    // The machine now reads the target's source alone; its old sources are kept aside.
    const sources = readFileSync(
      join(box.root, 'etc/apt/sources.list.d/steward-upgrade.sources'),
      'utf8',
    );
    expect(sources).toContain('Suites: trixie');
    expect(
      readFileSync(
        join(box.root, 'var/lib/steward/os-upgrade/sources-before-bookworm/sources.list'),
        'utf8',
      ),
    ).toBe(box.sourcesList);
  });

  it('refuses on a held package: the pre-check fails with its name and nothing changes', async () => {
    const box = sandboxOnN('held');
    holdPackages(box, ['hello']);
    const before = readStatus(box);
    const { result, report, ids } = await upgrade(box, specFor(['legacy-*']));
    expect(result.ok).toBe(false);
    expect(report.outcome).toBe('pre-check-failed');
    const held = report.preChecks.find((c) => c.check === 'held-packages');
    expect(held).toMatchObject({ ok: false });
    expect(held?.detail).toContain('hello');
    expect(result.reason).toContain('held-packages');
    expect(ids).toEqual([
      StatusMessages.OS_UPGRADE_PRE_CHECK_FAILED.id,
      StatusMessages.OS_UPGRADE_REPORT.id,
    ]);
    expect(readStatus(box)).toBe(before);
    expect(readFileSync(join(box.root, 'etc/apt/sources.list'), 'utf8')).toBe(box.sourcesList);
    expect(readFileSync(join(box.root, 'etc/os-release'), 'utf8')).toContain('bookworm');
  });

  it('refuses a plan that removes a package not allowed, and restores the sources', async () => {
    const box = sandboxOnN('removal');
    const before = readStatus(box);
    const { result, report, ids } = await upgrade(box, specFor([]));
    expect(result.ok).toBe(false);
    expect(report).toMatchObject({
      outcome: 'refused',
      sourcesRestored: true,
      plan: { removed: 1, disallowedRemovals: ['legacy-tool'] },
    });
    expect(ids).toEqual([
      StatusMessages.OS_UPGRADE_PRE_CHECKS_PASSED.id,
      StatusMessages.OS_UPGRADE_SOURCES_SWITCHED.id,
      StatusMessages.OS_UPGRADE_PLAN.id,
      StatusMessages.OS_UPGRADE_PLAN_REFUSED.id,
      StatusMessages.OS_UPGRADE_REPORT.id,
    ]);
    expect(readStatus(box)).toBe(before);
    expect(readFileSync(join(box.root, 'etc/apt/sources.list'), 'utf8')).toBe(box.sourcesList);
    expect(() =>
      readFileSync(join(box.root, 'etc/apt/sources.list.d/steward-upgrade.sources')),
    ).toThrow();
    expect(() => readFileSync(join(box.root, 'etc/apt/keyrings/steward-upgrade.gpg'))).toThrow();
    expect(readFileSync(join(box.root, 'etc/os-release'), 'utf8')).toContain('bookworm');
  });
});
