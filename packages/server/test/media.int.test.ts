/**
 * Task-sequence media (issue 11, ADR 0089) on a real server, both databases: refusals write
 * nothing; media built from a built boot image are a hybrid ISO (grub-mkrescue, GRUB for BIOS and
 * UEFI) whose menu boots the image's kernel with the site URL and the media's arguments; the ISO
 * downloads through the API and the CLI with its SHA-256; status message 52570 says so; deleted
 * media are gone. Then the ISO boots for real: QEMU machines with SeaBIOS and with OVMF start from
 * the CD and the kernel comes up with the media's command line (on its serial console). The
 * kernel and initramfs are the VM tests' Debian ones (test-support/vm): the boot image's own build
 * and boot are boot-image-vm.int.test.ts's. Skipped when the site cannot build ISO images.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ops, type Media } from '@steward/protocol';
import {
  STEWARD,
  createTestSite,
  exec,
  pgReachable,
  waitFor,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import { baseImage, vmUnavailableReason } from '../../../test-support/vm/vm.js';
import { startBootVm } from '../../../test-support/vm/boot-vm.js';
import { openDatabase, type Db } from '../src/db/database.js';
import { insertBuiltBootImage } from './support/boot-images.js';
import { isoToolsMissing } from '../src/media/iso-builder.js';
import { insertMediaBootImage, isoFile, xorriso } from './support/media.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();
const noIso = isoToolsMissing();
if (noIso) console.warn(`media tests SKIPPED: ${noIso}`);
/** Booting needs the VM tests' kernel (built once, cached) and OVMF for UEFI. */
const noBoot = vmUnavailableReason();

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(err)}`);
  return err;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(dialects)('task-sequence media (%s)', (dialect) => {
  const skip = (dialect === 'postgres' && !hasPg) || noIso !== undefined;
  let site: Site;
  let db: Db;
  let kernel: Buffer;
  let initrd: Buffer;
  let bootImageId: string;
  const marker = `stwmedia${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    if (skip) return;
    site = await createTestSite({ dialect, withEnrolledDevices: 0 });
    db = await openDatabase(site.dbUrl ?? join(site.dir, 'server', 'steward.db'));
    if (noBoot === undefined) {
      const image = await baseImage();
      kernel = readFileSync(image.kernel);
      initrd = readFileSync(image.initrd);
    } else {
      kernel = Buffer.from('not a kernel: this machine cannot boot one');
      initrd = Buffer.from('not an initramfs');
    }
    // The files go into the library as any content does; the boot image row names them.
    bootImageId = await insertMediaBootImage(site.api, db.kysely, kernel, initrd);
  }, 1_800_000);
  afterAll(async () => {
    await db?.kysely.destroy();
    await site?.stop();
  });

  it.skipIf(skip)('refuses what cannot be built, writing nothing', async () => {
    const body = { name: 'usb-1', kind: 'bootable' as const, bootImage: 'no-such-image' };
    expect((await refusal(site.api.call(ops.media.create, { body }))).code).toBe(
      'BOOT_IMAGE_NOT_FOUND',
    );
    const building = await insertBuiltBootImage(db.kysely, {
      name: 'still-building',
      status: 'building',
      files: [],
    });
    expect(
      (await refusal(site.api.call(ops.media.create, { body: { ...body, bootImage: building } })))
        .code,
    ).toBe('BOOT_IMAGE_NOT_READY');
    for (const bad of [
      { ...body, bootImage: bootImageId, name: '../x' },
      { ...body, bootImage: bootImageId, siteUrl: 'http://insecure.example.org' },
      { ...body, bootImage: bootImageId, kernelArgs: 'a"b' },
      { ...body, bootImage: bootImageId, kind: 'floppy' },
    ])
      expect(
        (await refusal(site.api.call(ops.media.create, { body: bad as typeof body }))).code,
      ).toBe('INVALID_INPUT');
    expect(await site.api.call(ops.media.list, {})).toEqual([]);
    expect((await refusal(site.api.call(ops.media.get, { params: { id: 'usb-1' } }))).code).toBe(
      'MEDIA_NOT_FOUND',
    );
  });

  let media: Media;
  let iso: string;
  let dir: string;

  it.skipIf(skip)(
    'builds a hybrid ISO that boots the boot image with the site URL, and downloads it',
    async () => {
      const started = await site.api.call(ops.media.create, {
        body: {
          name: 'usb-1',
          kind: 'bootable',
          bootImage: 'media-test',
          siteUrl: 'https://10.0.2.100:8443',
          // Every kernel message on the console (the boot image's own arguments say `quiet`).
          kernelArgs: `ignore_loglevel panic=-1 steward.marker=${marker}`,
        },
      });
      expect(started).toMatchObject({ name: 'usb-1', status: 'building', bootImageId });
      media = await waitFor(
        'the media built',
        async () => {
          const m = await site.api.call(ops.media.get, { params: { id: started.id } });
          if (m.status === 'failed') throw new Error(m.progressText);
          return m.status === 'ready' ? m : undefined;
        },
        300_000,
        500,
      );
      expect(media).toMatchObject({
        kind: 'bootable',
        progress: 100,
        bootImageName: 'media-test',
        bootImageVersion: 1,
        siteUrl: 'https://10.0.2.100:8443',
      });
      expect(media.kernelArgs).toContain('steward.site=https://10.0.2.100:8443');
      expect(media.kernelArgs).toContain(`steward.marker=${marker}`);
      expect(await site.api.call(ops.media.list, {})).toEqual([media]);
      expect(
        (
          await refusal(
            site.api.call(ops.media.create, {
              body: { name: 'usb-1', kind: 'bootable', bootImage: bootImageId },
            }),
          )
        ).code,
      ).toBe('MEDIA_NAME_TAKEN');

      // The API streams the ISO; its bytes are what the media record says.
      const res = await site.api.fileResponse(ops.media.file, { params: { id: media.id } });
      expect(res.headers.get('content-disposition')).toContain('usb-1.iso');
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.length).toBe(media.size);
      expect(sha256(bytes)).toBe(media.sha256);

      // The CLI downloads it too, checked against the hash.
      dir = mkdtempSync(join(site.dir, 'media-'));
      const env = {
        STEWARD_CONFIG_DIR: mkdtempSync(join(site.dir, 'cli-')),
        STEWARD_SERVER: site.adminUrl,
        STEWARD_TOKEN: site.api.token ?? '',
      };
      iso = join(dir, 'usb-1.iso');
      const dl = await exec(STEWARD, ['media', 'download', 'usb-1', '-o', iso], { env });
      expect(dl.code, dl.stderr).toBe(0);
      expect(sha256(readFileSync(iso))).toBe(media.sha256);
      const listed = await exec(STEWARD, ['media', 'list', '--json'], { env });
      expect(listed.code, listed.stderr).toBe(0);
      expect((JSON.parse(listed.stdout) as Media[]).map((m) => m.name)).toEqual(['usb-1']);

      // Inside: the kernel and initramfs as stored, and a GRUB menu booting them.
      const grub = isoFile(iso, '/boot/grub/grub.cfg', dir).toString('utf8');
      expect(grub).toContain(`linux /steward/vmlinuz ${media.kernelArgs}`);
      expect(grub).toContain('initrd /steward/initrd.img');
      const manifest = JSON.parse(
        isoFile(iso, '/steward/media.json', dir).toString('utf8'),
      ) as unknown;
      expect(manifest).toMatchObject({
        name: 'usb-1',
        kind: 'bootable',
        bootImage: { name: 'media-test', version: 1 },
        siteUrl: 'https://10.0.2.100:8443',
      });
      expect(sha256(isoFile(iso, '/steward/vmlinuz', dir))).toBe(sha256(kernel));
      // El Torito entries for BIOS and for UEFI.
      const report = xorriso(['-indev', iso, '-report_el_torito', 'plain']);
      expect(report).toMatch(/El Torito boot img : +1 +BIOS/);
      expect(report).toMatch(/El Torito boot img : +2 +UEFI/);

      const status = await site.api.listStatusMessages({ messageId: 52570 });
      expect(status.items.map((m) => m.insertionStrings[0])).toContain('usb-1');
    },
    420_000,
  );

  for (const firmware of ['bios', 'uefi'] as const)
    it.skipIf(skip || noBoot !== undefined || dialect !== 'sqlite')(
      `boots a ${firmware.toUpperCase()} machine from the media into the boot image's kernel`,
      async () => {
        const vm = startBootVm({
          cdrom: iso,
          firmware,
          smbiosUuid: randomUUID(),
          mac: '52:54:00:5e:10:01',
          forwards: [],
          memoryMb: 1024,
        });
        try {
          // GRUB read the menu off the media, then the kernel prints its command line first thing.
          await vm.waitForConsole(/Booting `Steward: usb-1/, 300_000);
          const line = await vm.waitForConsole(/Command line:/, 300_000);
          expect(line).toContain(`steward.marker=${marker}`);
          expect(line).toContain('steward.site=https://10.0.2.100:8443');
        } finally {
          await vm.dispose();
        }
      },
      660_000,
    );

  it.skipIf(skip)('deletes media, after which they are gone', async () => {
    await site.api.call(ops.media.delete, { params: { id: 'usb-1' } });
    expect(await site.api.call(ops.media.list, {})).toEqual([]);
    expect(
      (await refusal(site.api.fileResponse(ops.media.file, { params: { id: media.id } }))).code,
    ).toBe('MEDIA_NOT_FOUND');
  });
});
