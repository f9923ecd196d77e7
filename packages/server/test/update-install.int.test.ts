import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { armorKeyring, type SoftwareUpdate } from '@steward/protocol';
import {
  createSigningKey,
  disposeSigningKey,
  serveDirectory,
  writeSuite,
  type SigningKey,
  type TestPackage,
} from '../../../test-support/apt-repo.js';
import { exec, STEWARD_AGENT, waitFor } from '../../../test-support/site.js';
import { createTestContext, postgresReachable, testDialects } from './support/db.js';
import { ADMIN } from './support/collections.js';
import type { SiteContext } from '../src/context.js';
import { generateMasterKey } from '../src/site/master-key.js';
import { SecretBox } from '../src/site/secret-box.js';
import { findSource, type SourceRow } from '../src/updates/repository.js';
import { UpdateCatalogService } from '../src/updates/service.js';
import { buildApprovedRepository } from '../src/updates/deployments/approved-repo.js';
import { binariesOf } from '../src/updates/deployments/group-repository.js';
import { UpdateGroupService } from '../src/updates/deployments/group-service.js';
import { SiteRepoKey } from '../src/updates/deployments/site-repo-key.js';
import { ApprovedContentService } from '../src/updates/deployments/content-service.js';
import { ContentService } from '../src/content/service.js';
import { ContentStore } from '../src/content/content-store.js';
import { dirname } from 'node:path';

/**
 * Approved content end to end, with real parts: a signed upstream apt repository on 127.0.0.1
 * with two versions of a package -> catalog sync -> update group -> the site builds the apt
 * repository of exactly the approved versions, signed with its own gpg key -> a real agent
 * process (`steward-agent update-install`) runs the real apt-get and dpkg against a sandbox root
 * (`Dir=`, `dpkg --root`); what is installed is read back from the sandbox's dpkg database.
 */
const pgUp = await postgresReachable();
if (!pgUp)
  console.warn('PostgreSQL is unreachable: the postgres cases of update-install are SKIPPED');

const HELLO_1: TestPackage = { name: 'hello-upd', version: '1.0-1' };
// 2.0 asks for a restart as kernels and libc do (update-notifier's flag files).
const HELLO_2: TestPackage = {
  name: 'hello-upd',
  version: '2.0-1',
  postinst: [
    'mkdir -p "$DPKG_ROOT/var/run"',
    'touch "$DPKG_ROOT/var/run/reboot-required"',
    'echo hello-upd >> "$DPKG_ROOT/var/run/reboot-required.pkgs"',
  ].join('\n'),
};

// Depends on a package no repository has: apt cannot satisfy it.
const NEEDS_MISSING: TestPackage = {
  name: 'needs-missing',
  version: '1.0-1',
  depends: 'libmissing-upd (>= 3)',
};

let dir: string;
let upstream: string;
let key: SigningKey;
let stranger: SigningKey;
let http: { url: string; server: Server; requests: string[] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-update-install-'));
  upstream = join(dir, 'upstream');
  key = createSigningKey(dir);
  stranger = createSigningKey(dir, 'Somebody Else');
  http = await serveDirectory(upstream);
}, 60_000);

afterAll(async () => {
  await new Promise((r) => http.server.close(r));
  disposeSigningKey(key);
  disposeSigningKey(stranger);
  rmSync(dir, { recursive: true, force: true });
});

interface Install {
  repoDir: string;
  siteKey: string;
  root: string;
  packages: { name: string; version: string }[];
  simulate?: boolean;
  allowDowngrades?: boolean;
}

/** Runs the agent's installer as a process and returns its JSON result. */
async function aptInstall(o: Install): Promise<unknown> {
  const keyFile = join(mkdtempSync(join(dir, 'key-')), 'site.asc');
  writeFileSync(keyFile, o.siteKey);
  const r = await exec(STEWARD_AGENT, [
    'update-install',
    '--repo',
    o.repoDir,
    '--key',
    keyFile,
    '--root',
    o.root,
    '--json',
    ...(o.simulate === true ? ['--simulate'] : []),
    ...(o.allowDowngrades === true ? ['--allow-downgrades'] : []),
    ...o.packages.map((p) => `${p.name}=${p.version}`),
  ]);
  const result: unknown = JSON.parse(r.stdout);
  expect(r.code, r.stderr).toBe(
    typeof result === 'object' && result !== null && 'ok' in result && result.ok === true ? 0 : 1,
  );
  return result;
}

/** The version dpkg's database in `root` records as installed ('' when none). */
function installedVersion(name: string, root: string): string {
  try {
    const out = execFileSync(
      'dpkg-query',
      [
        `--admindir=${join(root, 'var/lib/dpkg')}`,
        '-W',
        '-f',
        '${db:Status-Abbrev}\t${Version}',
        name,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const [status, version] = out.split('\t');
    return status?.startsWith('ii') === true ? (version ?? '') : '';
  } catch {
    return '';
  }
}

function sandboxRoot(): string {
  const root = mkdtempSync(join(dir, 'root-'));
  for (const d of ['info', 'updates', 'triggers'])
    mkdirSync(join(root, 'var/lib/dpkg', d), { recursive: true });
  writeFileSync(join(root, 'var/lib/dpkg/status'), '');
  return root;
}

describe.each(testDialects)('approved updates installed with apt on %s', (dialect) => {
  let ctx: SiteContext;
  let cleanup: () => Promise<void>;
  let catalog: UpdateCatalogService;
  let groups: UpdateGroupService;
  let source: SourceRow;
  let updates: SoftwareUpdate[];
  let siteKey: SiteRepoKey;
  let box: SecretBox;
  const suite = `${dialect}-install`;

  beforeEach(async (t) => {
    if (dialect === 'postgres' && !pgUp) t.skip();
    ({ ctx, cleanup } = await createTestContext(dialect));
    catalog = new UpdateCatalogService(ctx);
    groups = new UpdateGroupService(ctx);
    writeSuite(upstream, { suite, key, packages: [HELLO_1, HELLO_2, NEEDS_MISSING] });
    const s = await catalog.createSource(ADMIN, {
      name: `Upstream ${suite}`,
      url: http.url,
      suite,
      components: ['main'],
      architectures: ['amd64'],
      keyring: armorKeyring(readFileSync(key.keyringFile)),
    });
    await catalog.startSync(ADMIN, s.id);
    await waitFor('the sync to end', async () => {
      const x = (await catalog.listSyncs(ADMIN, s.id, {})).items[0];
      return x !== undefined && x.state !== 'running';
    });
    updates = (await catalog.listUpdates(ADMIN, { sourceId: s.id, state: undefined })).items;
    const row = await findSource(ctx.db.kysely, s.id);
    if (!row) throw new Error('no source row');
    source = row;
    box = new SecretBox(generateMasterKey());
    siteKey = await SiteRepoKey.loadOrCreate(ctx.db.kysely, box, 'T01');
  }, 60_000);
  afterEach(async () => {
    await catalog?.stop();
    await cleanup?.();
  });

  const updateOf = (version: string) => {
    const u = updates.find((x) => x.package === 'hello-upd' && x.version === version);
    if (!u) throw new Error(`no update hello-upd ${version}`);
    return u.id;
  };

  /** Builds the approved repository of a group's updates into a new folder. */
  async function build(group: string): Promise<string> {
    const out = mkdtempSync(join(dir, 'approved-'));
    const g = await groups.getGroup(ADMIN, group);
    const repo = await buildApprovedRepository({
      sources: new Map([[source.id, source]]),
      binaries: await binariesOf(ctx.db.kysely, g.updateIds),
      outDir: out,
      key: siteKey,
      now: new Date(),
    });
    expect(repo.missing).toEqual([]);
    return out;
  }

  it('installs exactly the approved version, rehearses, upgrades with a restart, rolls back', async () => {
    await groups.createGroup(ADMIN, { name: 'g', updateIds: [updateOf('1.0-1')] });
    const v1 = await build('g');
    // The repository holds the approved version and nothing else.
    expect(readFileSync(join(v1, 'Packages'), 'utf8').match(/^Version: .*$/gm)).toEqual([
      'Version: 1.0-1',
    ]);
    expect(readFileSync(join(v1, 'InRelease'), 'utf8')).toContain('BEGIN PGP SIGNATURE');
    const root = sandboxRoot();
    const base = { siteKey: siteKey.publicKey, root };

    const notApproved = await aptInstall({
      ...base,
      repoDir: v1,
      packages: [{ name: 'hello-upd', version: '2.0-1' }],
    });
    expect(notApproved).toMatchObject({ ok: false, failure: 'not-available' });

    const first = await aptInstall({
      ...base,
      repoDir: v1,
      packages: [{ name: 'hello-upd', version: '1.0-1' }],
    });
    expect(first).toMatchObject({ ok: true, restart: { required: false } });
    expect(installedVersion('hello-upd', root)).toBe('1.0-1');
    // Checked before installing: an installed approved version is not installed again.
    const again = await aptInstall({
      ...base,
      repoDir: v1,
      packages: [{ name: 'hello-upd', version: '1.0-1' }],
    });
    expect(again).toMatchObject({ ok: true, alreadyInstalled: ['hello-upd'] });

    await groups.addUpdates(ADMIN, 'g', [updateOf('2.0-1')]);
    const v2 = await build('g');
    const want2 = [{ name: 'hello-upd', version: '2.0-1' }];
    const rehearsal = await aptInstall({ ...base, repoDir: v2, packages: want2, simulate: true });
    expect(rehearsal).toMatchObject({
      ok: true,
      plan: { install: [{ name: 'hello-upd', version: '2.0-1' }], remove: [] },
    });
    // The rehearsal changed nothing.
    expect(installedVersion('hello-upd', root)).toBe('1.0-1');
    expect(readdirSync(join(root, 'var'))).not.toContain('run');

    const upgrade = await aptInstall({ ...base, repoDir: v2, packages: want2 });
    expect(upgrade).toMatchObject({
      ok: true,
      restart: { required: true, packages: ['hello-upd'] },
    });
    expect(installedVersion('hello-upd', root)).toBe('2.0-1');

    // Roll back to the previous catalog version, still approved in the repository.
    const back = await aptInstall({
      ...base,
      repoDir: v2,
      packages: [{ name: 'hello-upd', version: '1.0-1' }],
      allowDowngrades: true,
    });
    expect(back).toMatchObject({ ok: true });
    expect(installedVersion('hello-upd', root)).toBe('1.0-1');
  }, 120_000);

  it('publishes a group as content in the library, which installs as it is served', async () => {
    const store = new ContentStore(mkdtempSync(join(dir, 'library-')));
    const content = new ContentService(ctx, store, {
      check: () => Promise.reject(new Error('no import roots in this test')),
    });
    const publisher = new ApprovedContentService(ctx, content, box);
    await groups.createGroup(ADMIN, { name: 'empty' });
    await expect(publisher.publishGroup(ADMIN, 'empty')).rejects.toMatchObject({
      code: 'UPDATE_GROUP_EMPTY',
    });
    const g = await groups.createGroup(ADMIN, { name: 'g', updateIds: [updateOf('1.0-1')] });
    const published = await publisher.publishGroup(ADMIN, 'g');
    expect(published).toMatchObject({
      packageName: `updates-${g.id}`,
      versionNumber: 1,
      binaries: 1,
      signedBy: siteKey.fingerprint,
    });
    // The version's files, laid out from the library's single-instance store as a DP serves
    // them and the agent's content cache holds them, are an installable approved repository.
    const files = await content.versionFiles(ADMIN, published.packageId, 1);
    expect(files.map((f) => f.path).sort()).toEqual([
      'InRelease',
      'Packages',
      'Release',
      expect.stringMatching(/^pool\/[0-9a-f]{12}-hello-upd_1\.0-1_amd64\.deb$/),
    ]);
    const served = mkdtempSync(join(dir, 'served-'));
    for (const f of files) {
      mkdirSync(dirname(join(served, f.path)), { recursive: true });
      copyFileSync(store.pathOf(f.sha256), join(served, f.path));
    }
    const root = sandboxRoot();
    const r = await aptInstall({
      repoDir: served,
      siteKey: siteKey.publicKey,
      root,
      packages: [{ name: 'hello-upd', version: '1.0-1' }],
    });
    expect(r).toMatchObject({ ok: true });
    expect(installedVersion('hello-upd', root)).toBe('1.0-1');
  }, 60_000);

  it('apt refuses the repository when it is not signed by the site key it was given', async () => {
    await groups.createGroup(ADMIN, { name: 'g', updateIds: [updateOf('1.0-1')] });
    const repo = await build('g');
    const root = sandboxRoot();
    const r = await aptInstall({
      repoDir: repo,
      siteKey: armorKeyring(readFileSync(stranger.keyringFile)),
      root,
      packages: [{ name: 'hello-upd', version: '1.0-1' }],
    });
    expect(r).toMatchObject({ ok: false, failure: 'bad-signature' });
    expect(installedVersion('hello-upd', root)).toBe('');
  }, 60_000);

  it("reports apt's own failure reasons: a dependency it cannot satisfy, the dpkg lock held", async () => {
    const needs = updates.find((u) => u.package === 'needs-missing');
    await groups.createGroup(ADMIN, {
      name: 'g',
      updateIds: [updateOf('1.0-1'), needs?.id ?? ''],
    });
    const repo = await build('g');
    const root = sandboxRoot();
    const base = { repoDir: repo, siteKey: siteKey.publicKey, root };
    const unmet = await aptInstall({
      ...base,
      packages: [{ name: 'needs-missing', version: '1.0-1' }],
    });
    expect(unmet).toMatchObject({
      ok: false,
      failure: 'missing-prerequisites',
      message: expect.stringContaining('libmissing-upd'),
    });
    expect(installedVersion('needs-missing', root)).toBe('');
    // Another package manager holds dpkg's frontend lock in this root (as apt itself takes it).
    const lock = join(root, 'var/lib/dpkg/lock-frontend');
    writeFileSync(lock, '');
    const holder = spawn(
      'python3',
      [
        '-c',
        'import fcntl,sys,time\nf=open(sys.argv[1],"w")\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint("locked",flush=True)\ntime.sleep(300)',
        lock,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.once('data', () => resolve());
        holder.once('error', reject);
      });
      const locked = await aptInstall({
        ...base,
        packages: [{ name: 'hello-upd', version: '1.0-1' }],
      });
      expect(locked).toMatchObject({ ok: false, failure: 'dpkg-lock-held' });
    } finally {
      holder.kill('SIGKILL');
    }
    expect(installedVersion('hello-upd', root)).toBe('');
  }, 120_000);

  it('the site refuses a .deb whose hash is not what the verified index lists', async () => {
    await groups.createGroup(ADMIN, { name: 'g', updateIds: [updateOf('1.0-1')] });
    const pool = join(upstream, 'pool/main', suite);
    const deb = readdirSync(pool).find((f) => f.startsWith('hello-upd_1.0-1'));
    if (deb === undefined) throw new Error('no upstream .deb');
    const bytes = readFileSync(join(pool, deb));
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    writeFileSync(join(pool, deb), bytes);
    await expect(build('g')).rejects.toThrow(/SHA-256/);
  }, 60_000);
});
