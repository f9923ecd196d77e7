/**
 * Default OS images built by the site (issue 11, ADR 0093), on a real server, both databases:
 * `steward os-image build --release bookworm` runs os-image-build.sh (debootstrap from the
 * machine's own Debian mirror, read from its apt sources at run time, never written here) in
 * the server's background with progress, and records the result as the next version of
 * "Debian bookworm", an OS image like an imported one (its archive in the content library with
 * the manifest's hash). The debootstrap result is cached by recipe in $STEWARD_OS_IMAGE_CACHE,
 * else ~/.cache/steward/os-image, so only the first run on a machine debootstraps; a second
 * build of the same recipe says it came from the cache.
 *
 * Refusals and the failure path use a mirror on 127.0.0.1 that this test holds: the server's
 * apt sources (STEWARD_OS_IMAGE_APT_DIR) name it, a build started from them holds the name
 * (OS_IMAGE_BUILD_RUNNING) until the mirror answers 404, then fails with 52621.
 * The real build needs root and debootstrap; without them it is skipped with the reason.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops, type OsImage, type OsImageBuild } from '@steward/protocol';
import {
  STEWARD,
  createTestSite,
  exec,
  pgReachable,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import { aptDebianMirror } from '../src/os-images/apt-sources.js';
import { refusal } from './support/deployments.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();

function buildUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'debootstrap needs root';
  if (spawnSync('sh', ['-c', 'command -v debootstrap'], { stdio: 'ignore' }).status !== 0)
    return 'debootstrap is not installed';
  if (!aptDebianMirror()) return 'this machine has no Debian apt source to build from';
  return undefined;
}
const unavailable = buildUnavailable();
if (unavailable) console.warn(`skipping the real OS image build: ${unavailable}`);

/** A mirror on 127.0.0.1 that holds every request until `release()`, then answers 404. */
async function heldMirror(): Promise<{
  url: string;
  seen: () => number;
  release: () => void;
  close: () => Promise<void>;
}> {
  const held: ServerResponse[] = [];
  let released = false;
  let seen = 0;
  const srv: Server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    seen += 1;
    if (released) res.writeHead(404).end();
    else held.push(res);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const address = srv.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${String(port)}/debian`,
    seen: () => seen,
    release: () => {
      released = true;
      for (const res of held.splice(0)) res.writeHead(404).end();
    },
    close: () =>
      new Promise((resolve) => {
        srv.closeAllConnections();
        srv.close(() => resolve());
      }),
  };
}

describe.each(dialects)('default OS images built by the site (%s)', (dialect) => {
  let site: Site;
  let env: NodeJS.ProcessEnv;
  let aptDir: string;
  let mirror: Awaited<ReturnType<typeof heldMirror>>;
  const skip = dialect === 'postgres' && !hasPg;

  beforeAll(async () => {
    if (skip) return;
    mirror = await heldMirror();
    const dir = mkdtempSync(join(process.env['TMPDIR'] ?? '/tmp', 'os-image-build-'));
    aptDir = join(dir, 'apt');
    mkdirSync(join(aptDir, 'sources.list.d'), { recursive: true });
    site = await createTestSite({
      dialect,
      withEnrolledDevices: 0,
      env: {
        STEWARD_OS_IMAGE_APT_DIR: aptDir,
        STEWARD_OS_IMAGE_CACHE:
          process.env['STEWARD_OS_IMAGE_CACHE'] ?? join(homedir(), '.cache/steward/os-image'),
      },
    });
    env = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(site.dir, 'cli-')),
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: site.api.token ?? '',
    };
  });
  afterAll(async () => {
    mirror?.release();
    await site?.stop();
    await mirror?.close();
  });

  it.skipIf(skip)(
    'refuses without a mirror; takes the apt sources; one build per name; a failure is reported',
    async () => {
      const none = await refusal(
        site.api.call(ops.osImages.build, { body: { release: 'bookworm', name: 'Held' } }),
      );
      expect(none.code).toBe('OS_IMAGE_NO_MIRROR');
      expect(await site.api.call(ops.osImages.listBuilds, {})).toEqual([]);
      const bad = await refusal(
        site.api.call(ops.osImages.build, { body: { release: 'Bookworm!', name: 'Held' } }),
      );
      expect(bad.status).toBe(400);

      // The server's apt sources name the held mirror (deb822, with a security stanza first).
      writeFileSync(
        join(aptDir, 'sources.list.d/debian.sources'),
        `Types: deb\nURIs: ${mirror.url}-security\nSuites: bookworm-security\n\nTypes: deb\nURIs: ${mirror.url}\nSuites: bookworm bookworm-updates\nComponents: main\n`,
      );
      const started = await site.api.call(ops.osImages.build, {
        body: { release: 'bookworm', name: 'Held' },
      });
      expect(started).toMatchObject({
        name: 'Held',
        release: 'bookworm',
        arch: 'amd64',
        mirror: mirror.url,
        status: 'building',
        osImageId: null,
      });
      // debootstrap is waiting on the held mirror: the name is taken.
      await waitFor('debootstrap to ask the held mirror', () => mirror.seen() > 0);
      const again = await refusal(
        site.api.call(ops.osImages.build, { body: { release: 'bookworm', name: 'Held' } }),
      );
      expect(again.code).toBe('OS_IMAGE_BUILD_RUNNING');
      mirror.release();
      const failed = await waitFor(
        'the held build to fail',
        async () => {
          const b = await site.api.call(ops.osImages.getBuild, { params: { id: started.id } });
          return b.status === 'building' ? undefined : b;
        },
        120_000,
        500,
      );
      expect(failed.status).toBe('failed');
      expect(failed.progressText).toMatch(/os-image-build\.sh exited/);
      expect(failed.finishedAt).not.toBeNull();
      const status = await site.api.listStatusMessages({ messageId: 52621 });
      expect(status.items.map((m) => m.insertionStrings.slice(0, 3))).toContainEqual([
        'Held',
        'bookworm',
        'amd64',
      ]);
      // Nothing recorded.
      expect((await site.api.call(ops.osImages.list, {})).map((i) => i.name)).not.toContain('Held');
      const missing = await refusal(
        site.api.call(ops.osImages.getBuild, { params: { id: 'no-such-build' } }),
      );
      expect(missing.code).toBe('OS_IMAGE_BUILD_NOT_FOUND');
    },
    240_000,
  );

  it.skipIf(skip || unavailable !== undefined)(
    'builds "Debian bookworm" by debootstrap with the CLI, records it, and reuses the cache',
    async () => {
      const realMirror = aptDebianMirror() ?? '';
      const t0 = Date.now();
      const first = await exec(
        STEWARD,
        ['os-image', 'build', '--release', 'bookworm', '--mirror', realMirror, '--json'],
        { env },
      );
      expect(first.code, first.stderr).toBe(0);
      const built = JSON.parse(first.stdout) as OsImageBuild;
      console.log(
        `[os-image-build] ${dialect}: ${built.fromCache ? 'from the cache' : 'debootstrap'} in ${String(Math.round((Date.now() - t0) / 1000))} s`,
      );
      expect(built).toMatchObject({
        name: 'Debian bookworm',
        release: 'bookworm',
        mirror: realMirror,
        status: 'ready',
        progress: 100,
        osImageVersion: 1,
      });
      const image: OsImage = await site.api.call(ops.osImages.get, {
        params: { id: built.osImageId ?? '' },
      });
      expect(image).toMatchObject({
        name: 'Debian bookworm',
        version: 1,
        source: 'debootstrap',
        os: { id: 'debian', versionId: '12', arch: 'amd64' },
      });
      const root = image.fileSystems.find((f) => f.mountpoint === '/');
      expect(root?.archive).toBe('root.tar.zst');
      // The archive is in the library with the manifest's hash, in the image's package.
      const files = await site.api.call(ops.packages.versionFiles, {
        params: { id: image.packageId ?? '', number: 1 },
      });
      expect(files.find((f) => f.path === 'root.tar.zst')).toMatchObject({
        sha256: root?.sha256,
        size: root?.archiveBytes,
      });

      // The second build of the recipe comes from the cache: the next version, same archive.
      const second = await exec(
        STEWARD,
        ['os-image', 'build', '--release', 'bookworm', '--mirror', realMirror, '--json'],
        { env },
      );
      expect(second.code, second.stderr).toBe(0);
      const cached = JSON.parse(second.stdout) as OsImageBuild;
      expect(cached).toMatchObject({ status: 'ready', fromCache: true, osImageVersion: 2 });
      const v2 = await site.api.call(ops.osImages.get, { params: { id: 'Debian bookworm' } });
      expect(v2.version).toBe(2);
      expect(v2.fileSystems[0]?.sha256).toBe(root?.sha256);

      const list = await exec(STEWARD, ['os-image', 'builds'], { env });
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toMatch(/Debian bookworm\s+bookworm\s+amd64\s+ready/);
      const status = await site.api.listStatusMessages({ messageId: 52620 });
      expect(status.items.map((m) => m.insertionStrings[6])).toContain('from the cache');
    },
    1_200_000,
  );
});
