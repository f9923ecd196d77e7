/**
 * OS images as site content (issue 11, ADR 0085) on a real server, both databases: imported
 * from a folder by the CLI (hash-first upload, archives checked against the manifest), listed
 * and shown with their facts, refused with their codes, distributed to a real DP process; then
 * a boot environment asks the site for its task sequence (a PXE/media deployment to "All
 * Unknown Computers") and gets the sequence, its variables, a single-use enrolment token and
 * the DP locations of its OS image, whose archive the DP serves with the content token (bytes
 * checked against the manifest's SHA-256). As root with loop devices, the real `steward-agent
 * boot-env` process does it all: partitions a loop device, downloads the image from the DP,
 * applies it, and its step status messages reach the site.
 */
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  BootTaskSequenceResponse,
  OS_IMAGE_CAPTURE_MAX_BYTES,
  OS_IMAGE_FORMAT,
  ops,
  type OsImage,
  type OsImageManifest,
  type TaskSequenceBody,
} from '@steward/protocol';
import { decodeEnrolmentToken, fetchPinnedCa } from '@steward/protocol/node';
import { Value } from '@sinclair/typebox/value';
import { postToAgent, sendToAgent } from '../../../test-support/agent-http.js';
import { httpsGet } from '../../../test-support/content-access.js';
import {
  STEWARD,
  STEWARD_AGENT,
  createTestSite,
  exec,
  pgReachable,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import { startDp, type DpHandle } from '../../../test-support/software.js';
import { sequenceStep as step } from '../../../test-support/task-sequence-steps.js';
import { openDatabase, type Db } from '../src/db/database.js';
import { insertBuiltBootImage } from './support/boot-images.js';
import { makeImageFolder } from './support/os-images.js';

const dialects: TestDialect[] = process.env.OSD_ONLY
  ? [process.env.OSD_ONLY as TestDialect]
  : ['sqlite', 'postgres'];
const hasPg = await pgReachable();
const canUseLoops = process.getuid?.() === 0 && existsLoopControl();

function existsLoopControl(): boolean {
  try {
    execFileSync('test', ['-e', '/dev/loop-control']);
    return true;
  } catch {
    return false;
  }
}

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(err)}`);
  return err;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(dialects)('OS images as site content (%s)', (dialect) => {
  let site: Site;
  let db: Db;
  let dp: DpHandle;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let image: OsImage;
  let loop = '';
  const skip = dialect === 'postgres' && !hasPg;
  // The real boot stage runs once (SQLite): the site side is the same on both databases.
  const runBootEnv = canUseLoops && dialect === 'sqlite';

  beforeAll(async () => {
    if (skip) return;
    site = await createTestSite({ dialect, withEnrolledDevices: 0 });
    db = await openDatabase(site.dbUrl ?? join(site.dir, 'server', 'steward.db'));
    dir = mkdtempSync(join(site.dir, 'os-images-'));
    env = {
      STEWARD_CONFIG_DIR: mkdtempSync(join(site.dir, 'cli-')),
      STEWARD_SERVER: site.adminUrl,
      STEWARD_TOKEN: site.api.token ?? '',
    };
    if (runBootEnv) {
      execFileSync('truncate', ['-s', '320M', join(dir, 'disk.img')]);
      loop = execFileSync('losetup', ['-f', '--show', '-P', join(dir, 'disk.img')], {
        encoding: 'utf8',
      }).trim();
    }
  });
  afterAll(async () => {
    if (loop) {
      // The test unmounts it after reading; a failed run may leave it mounted.
      spawnSync('umount', ['-R', join(dir, 'target')], { stdio: 'ignore' });
      execFileSync('losetup', ['-d', loop]);
    }
    await dp?.stop();
    await db?.kysely.destroy();
    await site?.stop();
  });

  it.skipIf(skip)('imports an image folder with the CLI, lists, shows and refuses', async () => {
    const manifest = makeImageFolder(join(dir, 'a'), 'Debian 12 web');
    const imported = await exec(STEWARD, ['os-image', 'import', join(dir, 'a/image'), '--json'], {
      env,
    });
    expect(imported.code, imported.stderr).toBe(0);
    image = JSON.parse(imported.stdout) as OsImage;
    expect(image).toMatchObject({
      name: 'Debian 12 web',
      version: 1,
      source: 'debootstrap',
      os: manifest.os,
      fileSystems: manifest.fileSystems,
      archiveBytes: manifest.fileSystems[0]?.archiveBytes,
      createdBy: 'admin',
    });
    expect(image.packageId).not.toBeNull();
    // The package holds the manifest beside the archive, each with its hash.
    const pkg = await site.api.call(ops.packages.get, { params: { id: image.packageId ?? '' } });
    const files = await site.api.call(ops.packages.versionFiles, {
      params: { id: pkg.id, number: 1 },
    });
    expect(files.map((f) => f.path)).toEqual(['os-image.json', 'root.tar.zst']);
    expect(files.find((f) => f.path === 'root.tar.zst')?.sha256).toBe(
      manifest.fileSystems[0]?.sha256,
    );

    // Again: the next version of the name; `show` by name is the newest.
    const again = await site.api.call(ops.osImages.import, { body: { manifest } });
    expect(again.version).toBe(2);
    const shown = await exec(STEWARD, ['os-image', 'show', 'Debian 12 web', '--json'], { env });
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: again.id, version: 2 });
    const listed = await exec(STEWARD, ['os-image', 'list', '--json'], { env });
    expect((JSON.parse(listed.stdout) as OsImage[]).map((i) => i.version)).toEqual([2, 1]);
    const table = await exec(STEWARD, ['os-image', 'list'], { env });
    expect(table.stdout).toContain('Debian GNU/Linux 12');

    // A damaged copy is refused by the CLI before anything is sent.
    makeImageFolder(join(dir, 'bad'), 'Damaged');
    writeFileSync(join(dir, 'bad/image/root.tar.zst'), 'not the archive');
    const damaged = await exec(STEWARD, ['os-image', 'import', join(dir, 'bad/image')], { env });
    expect(damaged.code).not.toBe(0);
    expect(damaged.stderr).toContain('OS_IMAGE_ARCHIVE_MISMATCH');

    // The API refuses archives the library lacks and manifests without a root.
    const missing = await refusal(
      site.api.call(ops.osImages.import, {
        body: {
          manifest: {
            ...manifest,
            fileSystems: [{ ...manifest.fileSystems[0]!, sha256: 'a'.repeat(64) }],
          },
        },
      }),
    );
    expect(missing.code).toBe('CONTENT_MISSING');
    const noRoot = await refusal(
      site.api.call(ops.osImages.import, {
        body: {
          manifest: {
            ...manifest,
            fileSystems: [{ ...manifest.fileSystems[0]!, mountpoint: '/srv' }],
          },
        },
      }),
    );
    expect(noRoot.code).toBe('OS_IMAGE_INVALID');
    const none = await refusal(site.api.call(ops.osImages.get, { params: { id: 'nope' } }));
    expect(none.code).toBe('OS_IMAGE_NOT_FOUND');

    // Delete the second version: its package goes with it.
    await site.api.call(ops.osImages.delete, { params: { id: again.id } });
    const gone = await refusal(
      site.api.call(ops.packages.get, { params: { id: again.packageId ?? '' } }),
    );
    expect(gone.code).toBe('PACKAGE_NOT_FOUND');
    expect((await site.api.call(ops.osImages.list, {})).map((i) => i.id)).toEqual([image.id]);
  });

  it.skipIf(skip)('distributes the image to a real DP and shows where it is', async () => {
    dp = await startDp(site, `osd-dp-${dialect}`);
    const sent = await exec(
      STEWARD,
      ['os-image', 'distribute', image.id, '--dp', dp.id, '--json'],
      { env },
    );
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ targeted: 1 });
    await waitFor(
      'the OS image installed on the DP',
      async () =>
        (await site.api.call(ops.osImages.contentStatus, { params: { id: image.id } }))
          .installed === 1,
      60_000,
      200,
    );
    // The DP stored the archive with the manifest's hash.
    const held = readFileSync(dp.storedPath(image.fileSystems[0]?.sha256 ?? ''));
    expect(sha256(held)).toBe(image.fileSystems[0]?.sha256);
    const shown = await exec(STEWARD, ['os-image', 'show', image.id], { env });
    expect(shown.stdout).toContain(dp.name);
    expect(shown.stdout).toContain('installed');
  });

  it.skipIf(skip)(
    'answers a boot environment with its sequence, token and image locations',
    async () => {
      const bootKey = randomBytes(32).toString('base64url');
      const bootImageId = await insertBuiltBootImage(db.kysely, { bootKey });
      const body: TaskSequenceBody = {
        name: `Bare metal ${dialect}`,
        kind: 'install-os',
        bootImageId,
        variables: { Role: 'web', Room: '1' },
        steps: [
          // The loop device the boot-env process partitions (never run without one).
          step('part', 'partition-disk', { disk: loop || '/dev/sdz', layout: 'bios' }),
          step('apply', 'apply-os-image', { imageId: image.id }),
          step('agent', 'install-agent', {}),
        ],
      };
      const seq = await site.api.call(ops.taskSequences.create, { body });
      await deployToUnknownComputers(site, seq.id);
      await site.api.call(ops.taskSequences.setCollectionVariables, {
        params: { id: 'all-unknown-computers' },
        body: { variables: [{ name: 'Room', value: '42' }] },
      });

      const reg = await registerBooted(site, bootKey, '52:54:00:0b:00:01');
      expect(reg.status).toBe(200);
      const computerId = (reg.json as { computerId: string }).computerId;
      const asked = await postToAgent(site.agentUrl, '/agent/v1/boot/task-sequence', {
        bootKey,
        kind: 'unknown',
        computerId,
      });
      expect(asked.status, JSON.stringify(asked.json)).toBe(200);
      if (!Value.Check(BootTaskSequenceResponse, asked.json)) throw new Error('bad answer');
      const ts = asked.json.taskSequence;
      expect(ts).toMatchObject({ id: seq.id, version: 1, purpose: 'required' });
      expect(ts?.sequence.variables).toEqual({ Role: 'web', Room: '42' });
      expect(ts?.sequence.steps.map((s) => s.id)).toEqual(['part', 'apply', 'agent']);
      const token = decodeEnrolmentToken(ts?.enrolmentToken ?? '');
      expect(token.ok).toBe(true);
      const [content, ...moreImages] = ts?.osImages ?? [];
      expect(moreImages).toEqual([]);
      expect(content?.manifest.fileSystems).toEqual(image.fileSystems);
      expect(content?.locations.map((l) => l.dpId)).toContain(dp.id);

      // The DP serves the archive for that token; its bytes hash to the manifest's SHA-256.
      const archive = image.fileSystems[0];
      const location = content?.locations.find((l) => l.dpId === dp.id);
      if (!token.ok || !archive || !location || !content) throw new Error('no location');
      const ca = await fetchPinnedCa(site.agentUrl, token.value.caFingerprint);
      const got = await httpsGet(`${location.url}/content/v1/files/${archive.sha256}`, {
        ca,
        headers: { authorization: `Bearer ${content.accessToken}` },
      });
      expect(got.status).toBe(200);
      expect(sha256(got.body)).toBe(archive.sha256);
      // Without the token, nothing.
      const anonymous = await httpsGet(`${location.url}/content/v1/files/${archive.sha256}`, {
        ca,
      });
      expect([401, 403]).toContain(anonymous.status);

      // A computer with nothing deployed gets null.
      const imported = await site.api.call(ops.importedComputers.create, {
        body: { name: `lab-${dialect}`, mac: '52:54:00:0b:00:02' },
      });
      const none = await postToAgent(site.agentUrl, '/agent/v1/boot/task-sequence', {
        bootKey,
        kind: 'imported',
        computerId: imported.id,
      });
      expect(none.json).toEqual({ taskSequence: null });

      if (runBootEnv) await bootEnvProcess({ site, bootKey, bootImageId, ca, dir, loop });
    },
  );

  it.skipIf(skip)(
    "takes a capture streamed with the run's token and records it as the next version",
    async () => {
      // Only the capture sequence is deployed now.
      for (const d of (await site.api.call(ops.taskSequenceDeployments.list, { query: {} })).items)
        await site.api.call(ops.taskSequenceDeployments.update, {
          params: { id: d.id },
          body: { enabled: false },
        });
      const bootKey = randomBytes(32).toString('base64url');
      const bootImageId = await insertBuiltBootImage(db.kysely, { bootKey });
      const seq = await site.api.call(ops.taskSequences.create, {
        body: {
          name: `Refresh and capture ${dialect}`,
          kind: 'capture-os',
          bootImageId,
          variables: {},
          steps: [
            step('part', 'partition-disk', { disk: loop || '/dev/sdz', layout: 'bios' }),
            step('apply', 'apply-os-image', { imageId: image.id }),
            step('capture', 'capture-os-image', { imageName: `Captured ${dialect}` }),
          ],
        },
      });
      await deployToUnknownComputers(site, seq.id);
      const reg = await registerBooted(site, bootKey, '52:54:00:0b:00:03');
      const computerId = (reg.json as { computerId: string }).computerId;
      const asked = await postToAgent(site.agentUrl, '/agent/v1/boot/task-sequence', {
        bootKey,
        kind: 'unknown',
        computerId,
      });
      if (!Value.Check(BootTaskSequenceResponse, asked.json)) throw new Error('bad answer');
      const captureToken = asked.json.taskSequence?.captureToken ?? '';
      expect(captureToken).not.toBe('');

      // The archive streams in (chunked, no length declared); the site hashes it as it stores it.
      const bytes = randomBytes(3 * 1024 * 1024 + 17);
      const put = await sendToAgent(site.agentUrl, 'PUT', '/agent/v1/boot/captures/archive', {
        token: captureToken,
        contentType: 'application/octet-stream',
        chunks: [bytes.subarray(0, 1 << 20), bytes.subarray(1 << 20)],
      });
      expect(put.status, put.text).toBe(200);
      expect(JSON.parse(put.text)).toEqual({ sha256: sha256(bytes), size: bytes.length });
      // No token, another kind of token (a DP download token), a declared length past the
      // limit, a JSON body: refused, before the body is stored.
      const anonymous = await sendToAgent(site.agentUrl, 'PUT', '/agent/v1/boot/captures/archive', {
        contentType: 'application/octet-stream',
        chunks: [bytes.subarray(0, 100)],
      });
      expect(anonymous.status).toBe(401);
      const download = asked.json.taskSequence?.osImages[0]?.accessToken ?? 'x.y';
      const wrongToken = await sendToAgent(
        site.agentUrl,
        'PUT',
        '/agent/v1/boot/captures/archive',
        {
          token: download,
          contentType: 'application/octet-stream',
          chunks: [bytes.subarray(0, 100)],
        },
      );
      expect(wrongToken.status, wrongToken.text).toBe(403);
      const tooLarge = await sendToAgent(site.agentUrl, 'PUT', '/agent/v1/boot/captures/archive', {
        token: captureToken,
        contentType: 'application/octet-stream',
        contentLength: OS_IMAGE_CAPTURE_MAX_BYTES + 1,
        chunks: [],
      });
      expect(tooLarge.status).toBe(413);
      expect(JSON.parse(tooLarge.text)).toMatchObject({ code: 'BODY_TOO_LARGE' });

      const manifest: OsImageManifest = {
        format: OS_IMAGE_FORMAT,
        name: `Uploaded ${dialect}`,
        source: 'capture',
        os: image.os,
        fileSystems: [
          {
            mountpoint: '/',
            type: 'ext4',
            usedBytes: 4 << 20,
            archive: 'root.tar.zst',
            archiveBytes: bytes.length,
            sha256: sha256(bytes),
          },
        ],
        createdAt: new Date().toISOString(),
      };
      // An archive the run never uploaded is refused, so is a manifest that is no capture.
      const missing = await sendToAgent(site.agentUrl, 'POST', '/agent/v1/boot/captures', {
        token: captureToken,
        contentType: 'application/json',
        chunks: [
          Buffer.from(
            JSON.stringify({
              manifest: {
                ...manifest,
                fileSystems: [{ ...manifest.fileSystems[0], sha256: 'f'.repeat(64) }],
              },
            }),
          ),
        ],
      });
      expect(JSON.parse(missing.text)).toMatchObject({ code: 'CONTENT_MISSING' });
      const notCapture = await sendToAgent(site.agentUrl, 'POST', '/agent/v1/boot/captures', {
        token: captureToken,
        contentType: 'application/json',
        chunks: [Buffer.from(JSON.stringify({ manifest: { ...manifest, source: 'debootstrap' } }))],
      });
      expect(JSON.parse(notCapture.text)).toMatchObject({ code: 'OS_IMAGE_INVALID' });
      const recorded = await sendToAgent(site.agentUrl, 'POST', '/agent/v1/boot/captures', {
        token: captureToken,
        contentType: 'application/json',
        chunks: [Buffer.from(JSON.stringify({ manifest }))],
      });
      expect(recorded.status, recorded.text).toBe(200);
      const r = JSON.parse(recorded.text) as { imageId: string; version: number };
      const shown = await site.api.call(ops.osImages.get, { params: { id: r.imageId } });
      expect(shown).toMatchObject({
        name: `Uploaded ${dialect}`,
        version: 1,
        source: 'capture',
        archiveBytes: bytes.length,
        createdBy: `boot:${computerId}`,
      });
      expect(shown.fileSystems).toEqual(manifest.fileSystems);

      if (runBootEnv) await captureProcess({ site, bootKey, bootImageId, dir, dialect });
    },
  );
});

/** A required media-and-PXE deployment of the sequence to "All Unknown Computers". */
async function deployToUnknownComputers(site: Site, sequenceId: string): Promise<void> {
  await site.api.call(ops.taskSequenceDeployments.create, {
    body: {
      sequenceId,
      collectionId: 'all-unknown-computers',
      purpose: 'required',
      availableTo: 'media-and-pxe',
    },
  });
}

/** A boot environment's registration of a BIOS amd64 machine with one MAC. */
function registerBooted(site: Site, bootKey: string, mac: string) {
  return postToAgent(site.agentUrl, '/agent/v1/boot/register', {
    bootKey,
    smbiosUuid: null,
    macs: [mac],
    arch: 'amd64',
    firmware: 'bios',
    modaliases: [],
  });
}

/**
 * The real boot stage: `steward-agent boot-env` registers (this machine, as an unknown
 * computer), asks the site for its sequence, partitions a loop device, downloads the image from
 * the DP and applies it; the engine's step messages reach the site.
 */
async function bootEnvProcess(a: {
  site: Site;
  bootKey: string;
  bootImageId: string;
  ca: string;
  dir: string;
  loop: string;
}): Promise<void> {
  const config = join(a.dir, 'boot.json');
  writeFileSync(
    config,
    JSON.stringify({
      bootImageId: a.bootImageId,
      name: 'osd-test',
      version: 1,
      siteUrl: a.site.agentUrl,
      caPem: a.ca,
      bootKey: a.bootKey,
    }),
  );
  const kit = join(a.dir, 'kit');
  mkdirSync(kit, { recursive: true });
  writeFileSync(join(kit, 'install-agent.sh'), '#!/bin/sh\necho installed\n', { mode: 0o755 });
  writeFileSync(join(kit, 'VERSION'), '1.2.3\n');
  const target = join(a.dir, 'target');
  const run = await exec(STEWARD_AGENT, [
    'boot-env',
    '--config',
    config,
    '--state-dir',
    join(a.dir, 'boot-state'),
    '--target',
    target,
    '--agent-kit',
    kit,
    '--json',
  ]);
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.stdout).toContain('SHA-256 verified');
  const last = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as {
    registration: { computerId: string };
    outcome: string;
  };
  expect(last.outcome).toBe('succeeded');
  // The applied system is on the disk, with the single-use token for its first boot (the
  // engine leaves the new root mounted at the target when the sequence ends there).
  const mounted = spawnSync('mountpoint', ['-q', target]).status === 0;
  if (!mounted) execFileSync('mount', [`${a.loop}p2`, target]);
  try {
    expect(readFileSync(join(target, 'home/ada/notes.txt'), 'utf8')).toBe(
      'made for Debian 12 web\n',
    );
    const token = readFileSync(join(target, 'var/lib/steward-first-boot/token'), 'utf8').trim();
    expect(decodeEnrolmentToken(token).ok).toBe(true);
  } finally {
    execFileSync('umount', [target]);
  }
  // Every step's engine message reached the site, filed under the booted computer.
  const messages = await a.site.api.call(ops.status.listMessages, {
    query: { component: 'task-sequence-engine', limit: 100 },
  });
  const mine = messages.items.filter(
    (m) => m.attributes['computerId'] === last.registration.computerId,
  );
  expect(mine.filter((m) => m.attributes['stepId'] === 'apply').length).toBeGreaterThanOrEqual(2);
  expect(mine.some((m) => m.messageId === 40607 || m.messageId === 40608)).toBe(true);
}

/**
 * The real boot stage captures: `steward-agent boot-env` partitions the loop device, applies the
 * image, then the capture step generalises it and streams its archive to the site (tar's output
 * piped into the upload, nothing written locally), and records it: the next version of the
 * captured name, in the content library, with its OS facts and layout.
 */
async function captureProcess(a: {
  site: Site;
  bootKey: string;
  bootImageId: string;
  dir: string;
  dialect: string;
}): Promise<void> {
  const config = join(a.dir, 'capture-boot.json');
  const ca = readFileSync(join(a.dir, 'boot.json'), 'utf8');
  writeFileSync(
    config,
    JSON.stringify({
      ...(JSON.parse(ca) as object),
      bootImageId: a.bootImageId,
      bootKey: a.bootKey,
    }),
  );
  const run = await exec(STEWARD_AGENT, [
    'boot-env',
    '--config',
    config,
    '--state-dir',
    join(a.dir, 'capture-state'),
    '--target',
    join(a.dir, 'capture-target'),
    '--json',
  ]);
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.stdout).toContain('capture archive stored on the site');
  const images = await a.site.api.call(ops.osImages.list, {});
  const captured = images.find((i) => i.name === `Captured ${a.dialect}`);
  expect(captured).toMatchObject({
    version: 1,
    source: 'capture',
    os: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
  });
  const fs = captured?.fileSystems[0];
  expect(fs?.mountpoint).toBe('/');
  expect(fs?.usedBytes).toBeGreaterThan(0);
  // The library holds the archive the site hashed: the applied user's file is in it, and the
  // generalised host name.
  const stored = join(
    a.site.dir,
    'server',
    'content',
    'sha256',
    (fs?.sha256 ?? '').slice(0, 2),
    fs?.sha256 ?? '',
  );
  expect(sha256(readFileSync(stored))).toBe(fs?.sha256);
  const listing = execFileSync('tar', ['--zstd', '-tf', stored], { encoding: 'utf8' });
  expect(listing).toContain('./home/ada/notes.txt');
  const hostname = execFileSync('tar', ['--zstd', '-xOf', stored, './etc/hostname'], {
    encoding: 'utf8',
  });
  expect(hostname.trim()).toBe('localhost');
}
