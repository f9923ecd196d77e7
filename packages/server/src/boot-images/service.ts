import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import {
  BOOT_IMAGE_SETTINGS_DEFAULTS,
  BootImageFile,
  BootImageSettings,
  ConflictError,
  ErrorCode,
  InputError,
  NotFoundError,
  type BootImage,
  type BootImageArch,
  type BootImageStatus,
  type BuildBootImageRequest,
  type DistributeRequest,
  type PackageContentStatus,
  type UpdateBootImageSettingsRequest,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { CorruptRowError, parseJsonColumn, storedSettings } from '../db/corrupt-row.js';
import { inTransaction, type Queryable } from '../db/database.js';
import type { ContentStore } from '../content/content-store.js';
import type { DistributionService } from '../distribution/distribution-service.js';
import { findDriver } from '../drivers/repository.js';
import { readSetting, writeSetting } from '../site/repository.js';
import { runBootImageBuild, type BootImageBuildEnv } from './build-job.js';
import * as repo from './repository.js';
import { interruptStaleBuilds } from './stale-builds.js';

const SETTINGS_KEY = 'boot_image_settings';
const Strings = Type.Array(Type.String());
const Files = Type.Array(BootImageFile);

/** The SHA-256 of a boot key, as stored (the key itself is only in the image). */
export function bootKeyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * What a PXE menu or QEMU passes to a boot image's kernel (the initramfs is the root). No
 * `net.ifnames=0`: the boot environment names network interfaces as the installed system will
 * (enp0s1, not eth0), so the DHCP configuration it writes there names interfaces that exist.
 */
export const BOOT_KERNEL_ARGS = 'console=tty0 console=ttyS0,115200 quiet';

function bootImageStatus(r: repo.BootImageRow): BootImageStatus {
  switch (r.status) {
    case 'building':
    case 'ready':
    case 'failed':
    case 'interrupted':
      return r.status;
    default:
      throw new CorruptRowError(
        { table: 'boot_image', id: r.id, column: 'status' },
        `"${r.status}" is not a boot image status`,
      );
  }
}

export function toBootImage(r: repo.BootImageRow): BootImage {
  const ref = (column: string) => ({ table: 'boot_image' as const, id: r.id, column });
  return {
    id: r.id,
    name: r.name,
    arch: r.arch === 'arm64' ? 'arm64' : 'amd64',
    version: r.version,
    status: bootImageStatus(r),
    progress: r.progress,
    progressText: r.progress_text,
    suite: r.suite,
    mirror: r.mirror,
    extraPackages: parseJsonColumn(Strings, r.extra_packages, ref('extra_packages')),
    driverIds: parseJsonColumn(Strings, r.driver_ids, ref('driver_ids')),
    siteUrl: r.site_url,
    packageId: r.package_id,
    files: parseJsonColumn(Files, r.files, ref('files')),
    kernelArgs: BOOT_KERNEL_ARGS,
    rootKey: r.root_key,
    createdAt: r.created_at,
    createdBy: r.created_by,
    builtAt: r.built_at,
  };
}

/**
 * Boot images (issue 11, ADR 0065): builds run in the background of the process that accepted
 * them (progress on the row, any process can show it); the files are a content-library package
 * per version, so distribution is the distribution domain's.
 */
export class BootImageService {
  private readonly running = new Set<Promise<void>>();
  /** The ids of the builds this process runs: never stale, whatever their heartbeat says. */
  private readonly mine = new Set<string>();

  constructor(
    private readonly ctx: SiteContext,
    private readonly store: ContentStore,
    private readonly distribution: DistributionService,
    private readonly env: BootImageBuildEnv,
    /** The site URL boot environments contact (the agent listener's public URL). */
    private readonly siteUrl: () => string,
  ) {}

  private get db() {
    return this.ctx.db.kysely;
  }

  private async readSettings(db: Queryable = this.db): Promise<BootImageSettings> {
    const text = await readSetting(db, SETTINGS_KEY);
    return text === undefined
      ? BOOT_IMAGE_SETTINGS_DEFAULTS
      : storedSettings(BootImageSettings, BOOT_IMAGE_SETTINGS_DEFAULTS, text, SETTINGS_KEY);
  }

  async getSettings(actor: Actor): Promise<BootImageSettings> {
    authorize(actor, 'read');
    return this.readSettings();
  }

  async updateSettings(
    actor: Actor,
    patch: UpdateBootImageSettingsRequest,
  ): Promise<BootImageSettings> {
    authorize(actor, 'software:write');
    const at = nowIso(this.ctx);
    return inTransaction(this.db, async (tx) => {
      const next = { ...(await this.readSettings(tx)), ...patch };
      await writeSetting(tx, { key: SETTINGS_KEY, value: JSON.stringify(next) });
      await writeAudit(tx, actor, at, {
        action: 'boot-image-settings.update',
        targetType: 'site',
        targetId: this.ctx.siteCode,
        details: patch,
      });
      return next;
    });
  }

  async list(actor: Actor): Promise<BootImage[]> {
    authorize(actor, 'read');
    return (await repo.listBootImages(this.db)).map(toBootImage);
  }

  private async row(idOrName: string): Promise<repo.BootImageRow> {
    const row = await repo.findBootImage(this.db, idOrName);
    if (!row) throw new NotFoundError('boot image', idOrName, ErrorCode.BOOT_IMAGE_NOT_FOUND);
    return row;
  }

  async get(actor: Actor, idOrName: string): Promise<BootImage> {
    authorize(actor, 'read');
    return toBootImage(await this.row(idOrName));
  }

  /**
   * Starts the next version's build and answers at once (202) with the image `building`; its
   * progress is on the image. Refused first, writing nothing: no mirror, a build of that name
   * running, a driver that does not exist.
   */
  async build(actor: Actor, req: BuildBootImageRequest): Promise<BootImage> {
    authorize(actor, 'software:write');
    const settings = await this.readSettings();
    if (!settings.mirror)
      throw new InputError(
        ErrorCode.BOOT_IMAGE_NO_MIRROR,
        'set the Debian mirror first (steward boot-image settings --mirror URL)',
      );
    const arch: BootImageArch = req.arch ?? 'amd64';
    const name = req.name ?? `default-${arch}`;
    const driverDebs: string[] = [];
    for (const id of req.driverIds ?? []) {
      const driver = await findDriver(this.db, id);
      if (!driver) throw new NotFoundError('driver', id, ErrorCode.DRIVER_NOT_FOUND);
      driverDebs.push(this.store.pathOf(driver.sha256));
    }
    const bootKey = randomBytes(32).toString('base64url');
    const at = nowIso(this.ctx);
    const id = randomUUID();
    const extraPackages = [...(req.extraPackages ?? [])].sort();
    // A build of this name cut off by a restart must not refuse this one (ADR 0079).
    await interruptStaleBuilds(this.ctx, this.mine, name);
    const version = await inTransaction(this.db, async (tx) => {
      if (await repo.buildingBootImage(tx, name))
        throw new ConflictError(
          ErrorCode.BOOT_IMAGE_BUILD_RUNNING,
          `boot image ${name} is building`,
        );
      const v = await repo.nextBootImageVersion(tx, name);
      await repo.insertBootImage(tx, {
        id,
        name,
        arch,
        version: v,
        status: 'building',
        progress: 0,
        progress_text: 'queued',
        suite: settings.suite,
        mirror: settings.mirror,
        extra_packages: JSON.stringify(extraPackages),
        driver_ids: JSON.stringify(req.driverIds ?? []),
        site_url: this.siteUrl(),
        boot_key_sha256: bootKeyHash(bootKey),
        package_id: null,
        files: '[]',
        root_key: '',
        created_at: at,
        created_by: actor.userName,
        built_at: null,
        heartbeat_at: at,
      });
      await writeAudit(tx, actor, at, {
        action: 'boot-image.build',
        targetType: 'boot-image',
        targetId: id,
        details: { name, version: v, arch, extraPackages, driverIds: req.driverIds ?? [] },
      });
      return v;
    });
    const job = runBootImageBuild(this.ctx, this.store, this.env, {
      id,
      name,
      version,
      arch,
      suite: settings.suite,
      mirror: settings.mirror,
      extraPackages,
      driverDebs,
      siteUrl: this.siteUrl(),
      bootKey,
      createdBy: actor.userName,
    });
    this.running.add(job);
    this.mine.add(id);
    void job.finally(() => {
      this.running.delete(job);
      this.mine.delete(id);
    });
    return toBootImage(await this.row(id));
  }

  async delete(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'software:write');
    const row = await this.row(idOrName);
    if (row.status === 'building')
      throw new ConflictError(ErrorCode.BOOT_IMAGE_BUILD_RUNNING, 'the image is still building');
    await inTransaction(this.db, async (tx) => {
      await repo.deleteBootImage(tx, row.id);
      await writeAudit(tx, actor, nowIso(this.ctx), {
        action: 'boot-image.delete',
        targetType: 'boot-image',
        targetId: row.id,
        details: { name: row.name, version: row.version },
      });
    });
  }

  async distribute(
    actor: Actor,
    idOrName: string,
    req: DistributeRequest,
  ): Promise<PackageContentStatus> {
    authorize(actor, 'software:write');
    const row = await this.row(idOrName);
    if (row.status !== 'ready' || row.package_id === null)
      throw new ConflictError(
        ErrorCode.BOOT_IMAGE_NOT_READY,
        `boot image ${row.name} is not ready`,
      );
    return this.distribution.distribute(actor, row.package_id, req);
  }

  /** The file a DP serves at a boot image's stable URL: the newest ready version of a name. */
  async servedFile(idOrName: string, file: string): Promise<{ sha256: string; size: number }> {
    const row = await repo.findBootImage(this.db, idOrName, true);
    const found = row ? toBootImage(row).files.find((f) => f.name === file) : undefined;
    if (!found)
      throw new NotFoundError(
        'boot image file',
        `${idOrName}/${file}`,
        ErrorCode.BOOT_IMAGE_NOT_FOUND,
      );
    return found;
  }

  /** The scheduler's pass: builds whose process stopped become `interrupted` (ADR 0079). */
  async interruptStale(): Promise<void> {
    await interruptStaleBuilds(this.ctx, this.mine);
  }

  /** Waits for this process's builds (server shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
