import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  ErrorCode,
  NotFoundError,
  type CreateMediaRequest,
  type Media,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { inTransaction } from '../db/database.js';
import type { ContentStore } from '../content/content-store.js';
import type { BootImageService } from '../boot-images/service.js';
import { MEDIA_STALE_MS, runMediaBuild } from './build-job.js';
import * as repo from './repository.js';

/** The media as the API shows them: a `building` row gone silent reads `interrupted`. */
export function toMedia(r: repo.MediaRow, now: Date): Media {
  const silent =
    r.status === 'building' && Date.parse(r.heartbeat_at) < now.getTime() - MEDIA_STALE_MS;
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    status: silent ? 'interrupted' : r.status,
    progress: r.progress,
    progressText: silent
      ? 'the server process building them stopped before the build finished'
      : r.progress_text,
    bootImageId: r.boot_image_id,
    bootImageName: r.boot_image_name,
    bootImageVersion: r.boot_image_version,
    siteUrl: r.site_url,
    kernelArgs: r.kernel_args,
    size: r.size === null ? null : Number(r.size),
    sha256: r.sha256,
    createdAt: r.created_at,
    createdBy: r.created_by,
    builtAt: r.built_at,
  };
}

/**
 * Task-sequence media (issue 11, ADR 0089): ISO images that boot a boot image, built in the
 * background of the process that accepted the request (progress on the media, any process
 * shows it), stored in the content library and downloaded through the admin API.
 */
export class MediaService {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly ctx: SiteContext,
    private readonly store: ContentStore,
    private readonly bootImages: BootImageService,
  ) {}

  private get db() {
    return this.ctx.db.kysely;
  }

  private now(): Date {
    return this.ctx.clock.now();
  }

  async list(actor: Actor): Promise<Media[]> {
    authorize(actor, 'read');
    const now = this.now();
    return (await repo.listMedia(this.db)).map((r) => toMedia(r, now));
  }

  private async row(idOrName: string): Promise<repo.MediaRow> {
    const row = await repo.findMedia(this.db, idOrName);
    if (!row) throw new NotFoundError('media', idOrName, ErrorCode.MEDIA_NOT_FOUND);
    return row;
  }

  async get(actor: Actor, idOrName: string): Promise<Media> {
    authorize(actor, 'read');
    return toMedia(await this.row(idOrName), this.now());
  }

  /**
   * Starts the build and answers at once (202) with the media `building`. Refused first,
   * writing nothing: a name in use, a boot image that does not exist or is not built.
   */
  async create(actor: Actor, req: CreateMediaRequest): Promise<Media> {
    authorize(actor, 'software:write');
    const image = await this.bootImages.get(actor, req.bootImage);
    const kernel = image.files.find((f) => f.name === 'vmlinuz');
    const initrd = image.files.find((f) => f.name === 'initrd.img');
    if (image.status !== 'ready' || !kernel || !initrd)
      throw new ConflictError(
        ErrorCode.BOOT_IMAGE_NOT_READY,
        `boot image ${image.name} version ${String(image.version)} is not built`,
      );
    const siteUrl = (req.siteUrl ?? image.siteUrl).replace(/\/$/, '');
    const kernelArgs = [image.kernelArgs, `steward.site=${siteUrl}`, req.kernelArgs ?? '']
      .filter((a) => a.trim() !== '')
      .join(' ');
    const id = randomUUID();
    const at = nowIso(this.ctx);
    await inTransaction(this.db, async (tx) => {
      if (await repo.mediaNameTaken(tx, req.name))
        throw new ConflictError(ErrorCode.MEDIA_NAME_TAKEN, `media named ${req.name} exist`);
      await repo.insertMedia(tx, {
        id,
        name: req.name,
        kind: req.kind,
        status: 'building',
        progress: 0,
        progress_text: 'queued',
        boot_image_id: image.id,
        boot_image_name: image.name,
        boot_image_version: image.version,
        site_url: siteUrl,
        kernel_args: kernelArgs,
        size: null,
        sha256: null,
        created_at: at,
        created_by: actor.userName,
        built_at: null,
        heartbeat_at: at,
      });
      await writeAudit(tx, actor, at, {
        action: 'media.create',
        targetType: 'media',
        targetId: id,
        details: { name: req.name, kind: req.kind, bootImageId: image.id, siteUrl },
      });
    });
    const job = runMediaBuild(this.ctx, this.store, {
      id,
      name: req.name,
      kind: req.kind,
      bootImage: {
        name: image.name,
        version: image.version,
        kernelSha256: kernel.sha256,
        initrdSha256: initrd.sha256,
      },
      siteUrl,
      kernelArgs,
    });
    this.running.add(job);
    void job.finally(() => this.running.delete(job));
    return toMedia(await this.row(id), this.now());
  }

  async delete(actor: Actor, idOrName: string): Promise<void> {
    authorize(actor, 'software:write');
    const media = toMedia(await this.row(idOrName), this.now());
    if (media.status === 'building')
      throw new ConflictError(ErrorCode.MEDIA_BUILDING, `media ${media.name} are still building`);
    await inTransaction(this.db, async (tx) => {
      await repo.deleteMedia(tx, media.id);
      await writeAudit(tx, actor, nowIso(this.ctx), {
        action: 'media.delete',
        targetType: 'media',
        targetId: media.id,
        details: { name: media.name },
      });
    });
  }

  /** The stored ISO of ready media. */
  async file(actor: Actor, idOrName: string): Promise<{ sha256: string; name: string }> {
    authorize(actor, 'read');
    const media = toMedia(await this.row(idOrName), this.now());
    if (media.status !== 'ready' || media.sha256 === null)
      throw new ConflictError(
        ErrorCode.MEDIA_NOT_READY,
        `media ${media.name} are ${media.status}: no ISO image to download`,
      );
    return { sha256: media.sha256, name: media.name };
  }

  /** Waits for this process's builds (server shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
