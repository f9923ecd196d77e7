/**
 * Standalone, prestaged and capture media and the media password (issue 11, ADR 0097) on a real
 * server, both databases. Each kind is built for real (grub-mkrescue/xorriso for the ISOs;
 * sfdisk, mke2fs -d, mtools and grub-mkstandalone for the prestaged disk image) from small
 * fixture content, then read back: standalone media carry the sequence and every file it
 * references, byte for byte as the library holds it; the prestaged image's root file system holds
 * the OS image's files and its ESP the boot image; capture media carry only a capture sequence;
 * the password's scrypt hash is on the media and the password is nowhere. Refusals write nothing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes, scryptSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BootTaskSequenceResponse,
  MediaCaptureKeyFile,
  MediaManifest,
  ops,
  RunnableSequence,
  type Media,
  type OsImage,
  type OsImageManifest,
  type TaskSequenceBody,
} from '@steward/protocol';
import { decodeEnrolmentToken, fetchPinnedCa, unsealMediaKey } from '@steward/protocol/node';
import { Value } from '@sinclair/typebox/value';
import { postToAgent, sendToAgent } from '../../../test-support/agent-http.js';
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
import { deployBootSequence } from '../../../test-support/boot-run.js';
import { createScriptProgram } from '../../../test-support/software.js';
import { registerStandInVersion } from '../../../test-support/agent-versions.js';
import { openDatabase, type Db } from '../src/db/database.js';
import { isoToolsMissing } from '../src/media/iso-builder.js';
import { refusal } from './support/deployments.js';
import { insertBuiltBootImage } from './support/boot-images.js';
import { insertMediaBootImage, isoFile, xorriso } from './support/media.js';
import { makeImageFolder } from './support/os-images.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();
const noIso = isoToolsMissing();
if (noIso) console.warn(`media kind tests SKIPPED: ${noIso}`);
const PASSWORD = 'correct horse battery';
const canUseLoops =
  process.getuid?.() === 0 && spawnSync('test', ['-e', '/dev/loop-control']).status === 0;

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Every file path under /steward of an ISO image. */
function isoPaths(iso: string): string[] {
  return xorriso(['-indev', iso, '-find', '/steward', '-type', 'f'])
    .split('\n')
    .map((l) => l.trim().replace(/^'|'$/g, ''))
    .filter((l) => l.startsWith('/steward/'))
    .sort();
}

function step(id: string, kind: string, settings: object): TaskSequenceBody['steps'][number] {
  return {
    type: 'step',
    kind,
    id,
    name: id,
    enabled: true,
    continueOnError: false,
    settings,
  } as TaskSequenceBody['steps'][number];
}

describe.each(dialects)('standalone, prestaged and capture media (%s)', (dialect) => {
  const skip = (dialect === 'postgres' && !hasPg) || noIso !== undefined;
  let site: Site;
  let db: Db;
  let dir: string;
  let image: OsImage;
  let archive: Buffer;
  let programId: string;
  let installScript: string;
  const kernel = Buffer.from('not a kernel: media kind tests read files, they boot nothing');
  const initrd = Buffer.from('not an initramfs either');

  beforeAll(async () => {
    if (skip) return;
    site = await createTestSite({ dialect, withEnrolledDevices: 0 });
    db = await openDatabase(site.dbUrl ?? join(site.dir, 'server', 'steward.db'));
    dir = mkdtempSync(join(site.dir, 'media-kinds-'));
    await insertMediaBootImage(site.api, db.kysely, kernel, initrd);
    const manifest = makeImageFolder(join(dir, 'os'), 'Debian 12 media');
    archive = readFileSync(join(dir, 'os/image/root.tar.zst'));
    await site.api.call(ops.content.uploadFile, {
      params: { sha256: sha256(archive) },
      raw: { body: archive },
    });
    image = await site.api.call(ops.osImages.import, { body: { manifest } });
    installScript = '#!/bin/sh\necho installed > /tmp/media-program\n';
    const { program } = await createScriptProgram(site.api, {
      packageName: 'media-tools',
      script: installScript,
    });
    programId = program.id;
  }, 300_000);
  afterAll(async () => {
    await db?.kysely.destroy();
    await site?.stop();
  });

  async function built(id: string): Promise<Media> {
    return waitFor(
      'the media built',
      async () => {
        const m = await site.api.call(ops.media.get, { params: { id } });
        if (m.status === 'failed') throw new Error(m.progressText);
        return m.status === 'ready' ? m : undefined;
      },
      300_000,
      500,
    );
  }

  async function download(m: Media): Promise<string> {
    const res = await site.api.fileResponse(ops.media.file, { params: { id: m.id } });
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(sha256(bytes)).toBe(m.sha256);
    // Each media's files are read into a folder of its own (same paths, other media).
    const file = join(mkdtempSync(join(dir, `${m.name}-`)), `${m.name}.bin`);
    writeFileSync(file, bytes);
    return file;
  }

  let sequenceId: string;

  it.skipIf(skip)('refuses settings that do not fit the kind and missing content', async () => {
    const seq = await site.api.call(ops.taskSequences.create, {
      body: {
        name: `Standalone ${dialect}`,
        kind: 'install-os',
        bootImageId: null,
        variables: { Role: 'kiosk' },
        steps: [
          step('part', 'partition-disk', { disk: 'first-fixed', layout: 'auto' }),
          step('apply', 'apply-os-image', { imageId: image.id }),
          step('software', 'install-software', { programIds: [programId] }),
          step('agent', 'install-agent', {}),
        ],
      },
    });
    sequenceId = seq.id;
    const base = { name: 'kiosk', bootImage: 'media-test' };
    const cases: [object, string][] = [
      [{ ...base, kind: 'standalone' }, 'MEDIA_SETTINGS_INVALID'],
      [{ ...base, kind: 'bootable', taskSequence: seq.id }, 'MEDIA_SETTINGS_INVALID'],
      [{ ...base, kind: 'capture', osImage: image.id }, 'MEDIA_SETTINGS_INVALID'],
      [{ ...base, kind: 'prestaged' }, 'MEDIA_SETTINGS_INVALID'],
      [
        { ...base, kind: 'standalone', taskSequence: 'no-such-sequence' },
        'TASK_SEQUENCE_NOT_FOUND',
      ],
      [{ ...base, kind: 'prestaged', osImage: 'no-such-image' }, 'OS_IMAGE_NOT_FOUND'],
      [{ ...base, kind: 'bootable', password: 'short' }, 'INVALID_INPUT'],
      // The sequence installs the agent and the site has no agent version yet.
      [{ ...base, kind: 'standalone', taskSequence: seq.id }, 'MEDIA_CONTENT_MISSING'],
    ];
    for (const [body, code] of cases)
      expect(
        (await refusal(site.api.call(ops.media.create, { body: body as never }))).code,
        JSON.stringify(body),
      ).toBe(code);
    const missing = await refusal(
      site.api.call(ops.media.create, {
        body: { ...base, kind: 'standalone', taskSequence: seq.id },
      }),
    );
    expect(missing.details).toEqual({
      missing: ['the agent kit: the site has no agent version with a tarball'],
    });
    expect(await site.api.call(ops.media.list, {})).toEqual([]);
  });

  it.skipIf(skip)(
    'builds standalone media holding the sequence and all its content, password hashed',
    async () => {
      await registerStandInVersion(site.api, '9.8.7');
      // The CLI starts it and waits (--json prints the media).
      const env = {
        STEWARD_CONFIG_DIR: mkdtempSync(join(site.dir, 'cli-')),
        STEWARD_SERVER: site.adminUrl,
        STEWARD_TOKEN: site.api.token ?? '',
      };
      writeFileSync(join(dir, 'password'), `${PASSWORD}\n`);
      const cli = await exec(
        STEWARD,
        [
          'media',
          'create',
          'kiosk',
          '--kind',
          'standalone',
          '--boot-image',
          'media-test',
          '--task-sequence',
          `Standalone ${dialect}`,
          '--password-file',
          join(dir, 'password'),
          '--json',
        ],
        { env },
      );
      expect(cli.code, cli.stderr).toBe(0);
      const m = JSON.parse(cli.stdout) as Media;
      expect(m).toMatchObject({
        kind: 'standalone',
        status: 'ready',
        taskSequenceId: sequenceId,
        taskSequenceName: `Standalone ${dialect}`,
        taskSequenceVersion: 1,
        passwordProtected: true,
      });
      expect(m.kernelArgs).toContain('steward.media=standalone');
      const tarball = Buffer.from('tarball 9.8.7\n');
      expect(m.contentBytes).toBe(archive.length + installScript.length + tarball.length);
      const iso = await download(m);

      const manifest: unknown = JSON.parse(
        isoFile(iso, '/steward/media.json', dirname(iso)).toString(),
      );
      if (!Value.Check(MediaManifest, manifest)) throw new Error('media.json does not parse');
      expect(manifest.taskSequence).toEqual({
        id: sequenceId,
        name: `Standalone ${dialect}`,
        version: 1,
      });
      // Every content file on the media is the library's bytes (hash and size), at its path.
      const content = manifest.content ?? [];
      expect(content.map((f) => f.path).sort()).toEqual(
        [
          `agent/steward-agent-9.8.7-linux.tar.gz`,
          `os-images/${image.id}/root.tar.zst`,
          `programs/${programId}/files/install.sh`,
        ].sort(),
      );
      for (const f of content) {
        const bytes = isoFile(iso, `/steward/content/${f.path}`, dirname(iso));
        expect(sha256(bytes), f.path).toBe(f.sha256);
        expect(bytes.length).toBe(f.size);
      }
      expect(content.find((f) => f.path.endsWith('root.tar.zst'))?.sha256).toBe(sha256(archive));
      expect(isoPaths(iso)).toEqual(
        [
          '/steward/content/agent/steward-agent-9.8.7-linux.tar.gz',
          '/steward/content/enrol-token',
          `/steward/content/os-images/${image.id}/os-image.json`,
          `/steward/content/os-images/${image.id}/root.tar.zst`,
          `/steward/content/programs/${programId}/files/install.sh`,
          `/steward/content/programs/${programId}/program.json`,
          '/steward/initrd.img',
          '/steward/media.json',
          '/steward/sequence.json',
          '/steward/vmlinuz',
        ].sort(),
      );
      // The sequence installs the agent: the media carry an enrolment token for the site.
      const token = isoFile(iso, '/steward/content/enrol-token', dirname(iso)).toString().trim();
      expect(decodeEnrolmentToken(token).ok).toBe(true);
      const imageManifest = JSON.parse(
        isoFile(
          iso,
          `/steward/content/os-images/${image.id}/os-image.json`,
          dirname(iso),
        ).toString(),
      ) as OsImageManifest;
      expect(imageManifest.fileSystems).toEqual(image.fileSystems);
      const seq: unknown = JSON.parse(
        isoFile(iso, '/steward/sequence.json', dirname(iso)).toString(),
      );
      if (!Value.Check(RunnableSequence, seq)) throw new Error('sequence.json does not parse');
      expect(seq.steps.map((s) => s.id)).toEqual(['part', 'apply', 'software', 'agent']);
      expect(seq.variables).toEqual({ Role: 'kiosk' });

      // The password: its scrypt hash is on the media and checks; the password is nowhere.
      const pw = manifest.password;
      if (!pw) throw new Error('no password hash on the media');
      const key = scryptSync(PASSWORD, Buffer.from(pw.salt, 'base64'), 32, {
        N: pw.N,
        r: pw.r,
        p: pw.p,
        maxmem: 64 * 1024 * 1024,
      });
      expect(key.toString('base64')).toBe(pw.hash);
      expect(readFileSync(iso).includes(Buffer.from(PASSWORD))).toBe(false);
      const row = await db.kysely
        .selectFrom('media')
        .selectAll()
        .where('id', '=', m.id)
        .executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toContain(PASSWORD);
    },
    420_000,
  );

  it.skipIf(skip)(
    'builds a prestaged disk image: the OS image applied, the boot image on its ESP',
    async () => {
      const started = await site.api.call(ops.media.create, {
        body: { name: 'factory', kind: 'prestaged', bootImage: 'media-test', osImage: image.id },
      });
      const m = await built(started.id);
      expect(m).toMatchObject({
        kind: 'prestaged',
        osImageId: image.id,
        osImageName: 'Debian 12 media',
        osImageVersion: 1,
        passwordProtected: false,
        contentBytes: archive.length,
      });
      const res = await site.api.fileResponse(ops.media.file, { params: { id: m.id } });
      expect(res.headers.get('content-disposition')).toContain('factory.img');
      const img = await download(m);
      const table = JSON.parse(execFileSync('sfdisk', ['--json', img], { encoding: 'utf8' })) as {
        partitiontable: {
          label: string;
          partitions: { start: number; size: number; type: string; name?: string }[];
        };
      };
      expect(table.partitiontable.label).toBe('gpt');
      const [esp, root] = table.partitiontable.partitions;
      expect(esp?.type).toBe('C12A7328-F81F-11D2-BA4B-00A0C93EC93B');
      expect(root?.type).toBe('4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709');
      // The root file system holds the image's files.
      const marker = execFileSync(
        'debugfs',
        ['-R', 'cat /home/ada/notes.txt', `${img}?offset=${String((root?.start ?? 0) * 512)}`],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      );
      expect(marker).toBe('made for Debian 12 media\n');
      expect(
        execFileSync(
          'debugfs',
          ['-R', 'cat /etc/os-release', `${img}?offset=${String((root?.start ?? 0) * 512)}`],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
        ),
      ).toContain('ID=debian');
      // The ESP holds GRUB at the removable path and the boot image's files, as stored.
      const at = `${img}@@${String((esp?.start ?? 0) * 512)}`;
      const listing = execFileSync('mdir', ['-i', at, '-/', '-b', '::/'], { encoding: 'utf8' });
      expect(listing).toContain('::/EFI/BOOT/BOOTX64.EFI');
      const out = join(dir, 'esp-vmlinuz');
      execFileSync('mcopy', ['-i', at, '::/steward/vmlinuz', out]);
      expect(sha256(readFileSync(out))).toBe(sha256(kernel));
      execFileSync('mcopy', ['-i', at, '::/steward/media.json', join(dir, 'esp-media.json')]);
      const manifest = JSON.parse(readFileSync(join(dir, 'esp-media.json'), 'utf8')) as unknown;
      expect(manifest).toMatchObject({
        kind: 'prestaged',
        osImage: { id: image.id, name: 'Debian 12 media', version: 1 },
        siteUrl: 'https://127.0.0.1:8443',
      });
      if (canUseLoops && dialect === 'sqlite') await prestagedFirstBoot(img);
    },
    420_000,
  );

  let captureMedia: Media;
  let captureRoot: string;

  it.skipIf(skip)('builds capture media whose only sequence captures the machine', async () => {
    const started = await site.api.call(ops.media.create, {
      body: {
        name: 'capture-usb',
        kind: 'capture',
        bootImage: 'media-test',
        captureImageName: 'Reference laptop',
        password: PASSWORD,
      },
    });
    const m = await built(started.id);
    expect(m).toMatchObject({
      kind: 'capture',
      captureImageName: 'Reference laptop',
      passwordProtected: true,
      contentBytes: null,
    });
    expect(m.kernelArgs).toContain('steward.media=capture');
    const iso = await download(m);
    const seq: unknown = JSON.parse(
      isoFile(iso, '/steward/sequence.json', dirname(iso)).toString(),
    );
    if (!Value.Check(RunnableSequence, seq)) throw new Error('sequence.json does not parse');
    expect(seq.steps).toEqual([
      expect.objectContaining({
        kind: 'capture-os-image',
        settings: { imageName: 'Reference laptop' },
      }),
    ]);
    const manifest = JSON.parse(isoFile(iso, '/steward/media.json', dirname(iso)).toString()) as {
      password?: { scheme: string };
      content?: unknown;
    };
    expect(manifest.password?.scheme).toBe('scrypt');
    expect(manifest.content).toBeUndefined();
    expect(readFileSync(iso).includes(Buffer.from(PASSWORD))).toBe(false);
    // The capture key (ADR 0107) is sealed with the password: only its hash is on the site.
    const keyFile: unknown = JSON.parse(
      isoFile(iso, '/steward/capture-key.json', dirname(iso)).toString(),
    );
    if (!Value.Check(MediaCaptureKeyFile, keyFile) || !keyFile.sealed)
      throw new Error('no sealed capture key on the media');
    expect(keyFile.key).toBeUndefined();
    expect(keyFile.expiresAt).toBe(m.captureKeyExpiresAt);
    const days = (Date.parse(keyFile.expiresAt) - Date.parse(m.createdAt)) / 86_400_000;
    expect(Math.round(days)).toBe(30);
    const key = await unsealMediaKey(keyFile.sealed, PASSWORD);
    const row = await db.kysely
      .selectFrom('media')
      .select('capture_key_sha256')
      .where('id', '=', m.id)
      .executeTakeFirstOrThrow();
    expect(row.capture_key_sha256).toBe(sha256(key ?? ''));
    expect(readFileSync(iso).includes(Buffer.from(key ?? 'no key'))).toBe(false);
    captureMedia = m;
    // The media's file system as the boot environment mounts it (its steward/ folder).
    captureRoot = mkdtempSync(join(dir, 'capture-root-'));
    xorriso([
      '-osirrox',
      'on',
      '-indev',
      iso,
      '-extract',
      '/steward',
      join(captureRoot, 'steward'),
    ]);
    const status = await site.api.listStatusMessages({ messageId: 52570 });
    expect(status.items.map((s) => s.insertionStrings[0]).sort()).toEqual(
      ['capture-usb', 'factory', 'kiosk'].sort(),
    );
  });

  it.skipIf(skip)(
    'capture media capture a reference disk with their key, until they are deleted',
    async () => {
      const bootKey = randomBytes(32).toString('base64url');
      await insertBuiltBootImage(db.kysely, { bootKey });
      const keyFile = JSON.parse(
        readFileSync(join(captureRoot, 'steward/capture-key.json'), 'utf8'),
      ) as MediaCaptureKeyFile;
      const mediaKey = keyFile.sealed ? await unsealMediaKey(keyFile.sealed, PASSWORD) : undefined;
      if (mediaKey === undefined) throw new Error('the key does not open');
      const reg = await postToAgent(site.agentUrl, '/agent/v1/boot/register', {
        bootKey,
        smbiosUuid: null,
        macs: ['52:54:00:0c:00:01'],
        arch: 'amd64',
        firmware: 'bios',
        modaliases: [],
      });
      const computerId = (reg.json as { computerId: string }).computerId;
      const ask = (key: string) =>
        postToAgent(site.agentUrl, '/agent/v1/boot/task-sequence', {
          bootKey,
          kind: 'unknown',
          computerId,
          mediaKey: key,
        });
      // Nothing is deployed to the computer: the key alone brings the media's capture.
      const asked = await ask(mediaKey);
      if (!Value.Check(BootTaskSequenceResponse, asked.json)) throw new Error('bad answer');
      const ts = asked.json.taskSequence;
      expect(ts).toMatchObject({
        name: 'Capture (capture-usb)',
        deploymentId: `capture-media:${captureMedia.id}`,
        enrolmentToken: null,
        osImages: [],
      });
      expect(ts?.sequence.steps).toEqual([
        expect.objectContaining({
          kind: 'capture-os-image',
          settings: { imageName: 'Reference laptop' },
        }),
      ]);
      const token = ts?.captureToken ?? '';
      // The token grants capture uploads only, and ends with the key at the latest.
      const claims = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as {
        siteContent: string[];
        exp: number;
      };
      expect(claims.siteContent.sort()).toEqual(
        ['os-image-capture', `capture-media:${captureMedia.id}`].sort(),
      );
      expect(claims.exp * 1000).toBeLessThanOrEqual(Date.parse(keyFile.expiresAt));
      // A key of no media, or a malformed one: refused.
      const wrong = await ask(randomBytes(32).toString('base64url'));
      expect(wrong.status).toBe(403);
      expect(wrong.json).toMatchObject({ code: 'MEDIA_KEY_REFUSED' });
      expect((await ask('short')).status).toBe(400);

      if (canUseLoops && dialect === 'sqlite') await captureWithMedia(bootKey);

      // Deleting the media revokes the key and every token it obtained.
      await site.api.call(ops.media.delete, { params: { id: captureMedia.id } });
      const after = await ask(mediaKey);
      expect(after.status).toBe(403);
      expect(after.json).toMatchObject({ code: 'MEDIA_KEY_REFUSED' });
      const put = await sendToAgent(site.agentUrl, 'PUT', '/agent/v1/boot/captures/archive', {
        token,
        contentType: 'application/octet-stream',
        chunks: [Buffer.from('late bytes')],
      });
      expect(put.status, put.text).toBe(403);
      expect(JSON.parse(put.text)).toMatchObject({ code: 'CONTENT_ACCESS_DENIED' });
    },
    420_000,
  );

  /**
   * The first boot of a machine whose disk was written from prestaged media: the real
   * `steward-agent boot-env` registers, runs what is deployed (partition, apply the same image,
   * install the agent) and finds the prestaged disk: nothing is partitioned, downloaded or
   * extracted; the install-agent step still gets its token from the site.
   */
  async function prestagedFirstBoot(img: string): Promise<void> {
    const work = mkdtempSync(join(dir, 'prestaged-run-'));
    // The machine's disk is larger than the image written to it.
    execFileSync('truncate', ['-s', '+512M', img]);
    const loop = execFileSync('losetup', ['-f', '--show', '-P', img], { encoding: 'utf8' }).trim();
    const target = join(work, 'target');
    try {
      execFileSync('partx', ['-u', loop]);
      const uuid = () =>
        execFileSync('blkid', ['-s', 'UUID', '-o', 'value', `${loop}p2`], { encoding: 'utf8' });
      const starts = () =>
        (
          JSON.parse(execFileSync('sfdisk', ['--json', loop], { encoding: 'utf8' })) as {
            partitiontable: { partitions: { start: number; size: number }[] };
          }
        ).partitiontable.partitions;
      const before = { uuid: uuid(), parts: starts() };
      const bootKey = await deployBootSequence(site, `Prestaged ${dialect}`, [
        step('part', 'partition-disk', { disk: loop, layout: 'uefi' }),
        step('apply', 'apply-os-image', { imageId: image.id }),
        step('agent', 'install-agent', {}),
      ]);
      const kit = join(work, 'kit');
      mkdirSync(kit);
      writeFileSync(join(kit, 'install-agent.sh'), '#!/bin/sh\necho installed\n', { mode: 0o755 });
      writeFileSync(join(kit, 'VERSION'), '9.8.7\n');
      await writeBootConfig(join(work, 'boot.json'), bootKey);
      const run = await exec(STEWARD_AGENT, [
        'boot-env',
        '--config',
        join(work, 'boot.json'),
        '--state-dir',
        join(work, 'state'),
        '--target',
        target,
        '--agent-kit',
        kit,
        '--json',
      ]);
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      // The partition step found the prestaged image, the apply step consumed it.
      const state = JSON.parse(
        readFileSync(join(work, 'state/task-sequence/task-sequence.json'), 'utf8'),
      ) as { variables: Record<string, string> };
      expect(state.variables).toMatchObject({
        OSDPrestagedImageId: '',
        OSDImageId: image.id,
        OSDRootPartition: `${loop}p2`,
      });
      expect(run.stdout).not.toContain('SHA-256 verified');
      const last = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { outcome: string };
      expect(last.outcome).toBe('succeeded');
      // Not partitioned nor formatted again: the same partitions and root file system, the root
      // grown to the end of the disk.
      const after = starts();
      expect(after.map((p) => p.start)).toEqual(before.parts.map((p) => p.start));
      expect(after[0]?.size).toBe(before.parts[0]?.size);
      expect(after[1]?.size ?? 0).toBeGreaterThan((before.parts[1]?.size ?? 0) + 900_000);
      expect(uuid()).toBe(before.uuid);
      if (spawnSync('mountpoint', ['-q', target]).status !== 0)
        execFileSync('mount', [`${loop}p2`, target]);
      try {
        expect(readFileSync(join(target, 'home/ada/notes.txt'), 'utf8')).toBe(
          'made for Debian 12 media\n',
        );
        expect(readFileSync(join(target, 'etc/fstab'), 'utf8')).toMatch(/^UUID=\S+\t\/\text4/m);
        // The marker is gone: a later deployment to this machine applies as usual.
        expect(readdirSync(target)).not.toContain('.steward-prestaged.json');
        const token = readFileSync(join(target, 'var/lib/steward-first-boot/token'), 'utf8');
        expect(decodeEnrolmentToken(token.trim()).ok).toBe(true);
      } finally {
        execFileSync('umount', [target]);
      }
    } finally {
      spawnSync('umount', ['-R', target], { stdio: 'ignore' });
      execFileSync('losetup', ['-d', loop]);
    }
  }

  /** The boot image's configuration as its initramfs holds it: this site, its CA, the key. */
  async function writeBootConfig(path: string, bootKey: string): Promise<void> {
    const ca = await fetchPinnedCa(site.agentUrl, (await site.api.site()).caFingerprint);
    writeFileSync(
      path,
      JSON.stringify({
        bootImageId: 'media-test',
        name: 'media-test',
        version: 1,
        siteUrl: site.agentUrl,
        caPem: ca,
        bootKey,
      }),
    );
  }

  /**
   * The real boot stage from the capture media's file system: `steward-agent boot-env
   * --media-root` asks the media password (a file here), opens the key with it, registers this
   * machine (imported with the disk to capture as its OSDTargetDisk), and captures a reference
   * system on a loop device into the library as `Reference laptop`.
   */
  async function captureWithMedia(bootKey: string): Promise<void> {
    const work = mkdtempSync(join(dir, 'capture-run-'));
    const reference = join(work, 'reference');
    mkdirSync(join(reference, 'etc'), { recursive: true });
    mkdirSync(join(reference, 'home/grace'), { recursive: true });
    writeFileSync(
      join(reference, 'etc/os-release'),
      'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
    );
    writeFileSync(join(reference, 'etc/hostname'), 'reference-laptop\n');
    writeFileSync(join(reference, 'home/grace/thesis.txt'), 'chapter one\n');
    execFileSync('truncate', ['-s', '64M', join(work, 'disk.img')]);
    execFileSync('sfdisk', ['--quiet', join(work, 'disk.img')], { input: 'label: gpt\n,,L\n' });
    const loop = execFileSync('losetup', ['-f', '--show', '-P', join(work, 'disk.img')], {
      encoding: 'utf8',
    }).trim();
    try {
      // losetup -P does not always scan the table here: partx makes the partition's node.
      execFileSync('partx', ['-u', loop]);
      execFileSync('mkfs.ext4', ['-q', '-d', reference, `${loop}p1`]);
      const macs = thisMachineMacs();
      await site.api.call(ops.importedComputers.create, {
        body: { name: 'reference-laptop', mac: macs[0], variables: { OSDTargetDisk: loop } },
      });
      await writeBootConfig(join(work, 'boot.json'), bootKey);
      writeFileSync(join(work, 'password'), `${PASSWORD}\n`);
      const run = await exec(STEWARD_AGENT, [
        'boot-env',
        '--config',
        join(work, 'boot.json'),
        '--media-root',
        captureRoot,
        '--password-file',
        join(work, 'password'),
        '--state-dir',
        join(work, 'state'),
        '--target',
        join(work, 'target'),
        '--json',
      ]);
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toContain('capture archive stored on the site');
      const last = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as {
        registration: { kind: string; name: string; computerId: string };
        outcome: string;
      };
      expect(last.registration).toMatchObject({ kind: 'imported', name: 'reference-laptop' });
      expect(last.outcome).toBe('succeeded');
      const captured = (await site.api.call(ops.osImages.list, {})).find(
        (i) => i.name === 'Reference laptop',
      );
      expect(captured).toMatchObject({
        version: 1,
        source: 'capture',
        createdBy: `boot:${last.registration.computerId}`,
        os: { id: 'debian', versionId: '12' },
      });
      const fs = captured?.fileSystems[0]?.sha256 ?? '';
      const stored = join(site.dir, 'server', 'content', 'sha256', fs.slice(0, 2), fs);
      expect(
        execFileSync('tar', ['--zstd', '-xOf', stored, './home/grace/thesis.txt'], {
          encoding: 'utf8',
        }),
      ).toBe('chapter one\n');
      // Generalised in the capture, the reference disk itself untouched.
      expect(
        execFileSync('tar', ['--zstd', '-xOf', stored, './etc/hostname'], {
          encoding: 'utf8',
        }).trim(),
      ).toBe('localhost');
      expect(
        execFileSync('debugfs', ['-R', 'cat /etc/hostname', `${loop}p1`], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }),
      ).toBe('reference-laptop\n');
    } finally {
      spawnSync('umount', ['-R', join(work, 'target')], { stdio: 'ignore' });
      execFileSync('losetup', ['-d', loop]);
    }
  }
});

/** This machine's Ethernet MACs as the boot environment reads them (sysfs type 1). */
function thisMachineMacs(): string[] {
  return readdirSync('/sys/class/net')
    .sort()
    .filter((l) => readFileSync(`/sys/class/net/${l}/type`, 'utf8').trim() === '1')
    .map((l) => readFileSync(`/sys/class/net/${l}/address`, 'utf8').trim().toLowerCase())
    .filter((m) => m !== '00:00:00:00:00:00');
}
