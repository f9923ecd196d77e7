import { createHash, randomUUID } from 'node:crypto';
import {
  ConflictError,
  ErrorCode,
  InputError,
  MEDIA_CAPTURE_KEY_DAYS,
  mediaFileName,
  NotFoundError,
  type MediaCaptureKeyFile,
  type CreateMediaRequest,
  type Media,
  type RunnableSequence,
} from '@steward/protocol';
import { newMediaKey, sealMediaKey } from '@steward/protocol/node';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { inTransaction } from '../db/database.js';
import type { ContentStore } from '../content/content-store.js';
import type { BootImageService } from '../boot-images/service.js';
import type { EnrolmentService } from '../enrolment/service.js';
import type { OsImageService } from '../os-images/service.js';
import type { TaskSequenceService } from '../task-sequences/service.js';
import { MEDIA_STALE_MS, runMediaBuild, type MediaBuildInput } from './build-job.js';
import {
  installsAgent,
  planBytes,
  planOsImages,
  planSequenceContent,
  type MediaContentPlan,
} from './media-content.js';
import { hashMediaPassword } from './password.js';
import * as repo from './repository.js';

/** How long the enrolment token on standalone media works (30 days). */
export const MEDIA_ENROLMENT_TOKEN_HOURS = 720;

/**
 * The one sequence of capture media (ADR 0097): written on the media, and answered by the site
 * to a boot environment that presents their capture key (ADR 0107).
 */
export function captureMediaSequence(mediaName: string, imageName: string): RunnableSequence {
  return {
    sequenceId: 'capture-media',
    name: `Capture (${mediaName})`,
    version: 1,
    variables: {},
    steps: [
      {
        type: 'step',
        kind: 'capture-os-image',
        id: 'capture',
        name: 'Capture OS image',
        enabled: true,
        continueOnError: false,
        settings: { imageName },
      },
    ],
  };
}

/**
 * A capture key for new capture media (ADR 0107): the file that goes on them (the key sealed
 * with the password when there is one) and what the site keeps (its SHA-256, its expiry).
 */
async function newCaptureKey(
  password: string | undefined,
  now: Date,
): Promise<{ file: MediaCaptureKeyFile; sha256: string; expiresAt: string }> {
  const key = newMediaKey();
  const expiresAt = new Date(now.getTime() + MEDIA_CAPTURE_KEY_DAYS * 86_400_000).toISOString();
  const file: MediaCaptureKeyFile =
    password === undefined
      ? { format: 1, key, expiresAt }
      : { format: 1, sealed: await sealMediaKey(key, password), expiresAt };
  return { file, sha256: createHash('sha256').update(key).digest('hex'), expiresAt };
}

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
    taskSequenceId: r.task_sequence_id,
    taskSequenceName: r.task_sequence_name,
    taskSequenceVersion: r.task_sequence_version,
    osImageId: r.os_image_id,
    osImageName: r.os_image_name,
    osImageVersion: r.os_image_version,
    captureImageName: r.capture_image_name,
    captureKeyExpiresAt: r.capture_key_expires_at,
    passwordProtected: r.password_protected === 1,
    contentBytes: r.content_bytes === null ? null : Number(r.content_bytes),
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
    private readonly deps: {
      bootImages: BootImageService;
      osImages: OsImageService;
      taskSequences: TaskSequenceService;
      enrolment: EnrolmentService;
    },
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
   * What a kind carries, resolved and checked before anything is written (ADR 0097): the
   * sequence standalone media run (with every file it references in the library, or
   * MEDIA_CONTENT_MISSING listing what is not), the OS image prestaged media apply, the capture
   * sequence of capture media. Settings that do not go with the kind are refused.
   */
  private async kindContent(
    actor: Actor,
    req: CreateMediaRequest,
  ): Promise<Pick<MediaBuildInput, 'sequence' | 'taskSequence' | 'content'>> {
    const extra = (
      [
        ['taskSequence', req.taskSequence, 'standalone'],
        ['osImage', req.osImage, 'prestaged'],
        ['captureImageName', req.captureImageName, 'capture'],
      ] as const
    ).find(([, value, kind]) => value !== undefined && kind !== req.kind);
    if (extra)
      throw new InputError(
        ErrorCode.MEDIA_SETTINGS_INVALID,
        `${extra[0]} goes with ${extra[2]} media, not ${req.kind} media`,
      );
    switch (req.kind) {
      case 'bootable':
        return {};
      case 'capture':
        return { sequence: captureMediaSequence(req.name, req.captureImageName ?? 'Captured') };
      case 'standalone': {
        if (req.taskSequence === undefined)
          throw new InputError(
            ErrorCode.MEDIA_SETTINGS_INVALID,
            'standalone media need a task sequence',
          );
        const ts = await this.deps.taskSequences.get(actor, req.taskSequence);
        const auto = ts.steps.find(
          (s) =>
            s.type === 'step' &&
            s.enabled &&
            s.kind === 'apply-drivers' &&
            s.settings.mode === 'auto',
        );
        if (auto)
          throw new InputError(
            ErrorCode.MEDIA_SETTINGS_INVALID,
            `step ${auto.name} matches drivers by hardware, which needs the site: choose its drivers for standalone media`,
          );
        const content = await planSequenceContent(this.db, this.store, ts.steps);
        this.refuseMissing(content);
        // Media that install the agent carry an enrolment token: whoever builds them must be
        // allowed to make one (checked before anything is written).
        if (installsAgent(ts.steps)) authorize(actor, 'enrolment:write');
        return {
          sequence: {
            sequenceId: ts.id,
            name: ts.name,
            version: ts.version,
            steps: ts.steps,
            variables: ts.variables,
          },
          taskSequence: { id: ts.id, name: ts.name, version: ts.version },
          content,
        };
      }
      case 'prestaged': {
        if (req.osImage === undefined)
          throw new InputError(
            ErrorCode.MEDIA_SETTINGS_INVALID,
            'prestaged media need an OS image',
          );
        const image = await this.deps.osImages.get(actor, req.osImage);
        const content: MediaContentPlan = { files: [], written: [], missing: [], images: [] };
        await planOsImages(this.db, this.store, content, [image.id]);
        this.refuseMissing(content);
        return { content };
      }
    }
  }

  /**
   * The enrolment token standalone media carry for their install-agent step (ADR 0097): the
   * installed machines enrol when they first reach the site, which may be weeks after the media
   * were written; it is listed with the other tokens (revocable there) under the media's name.
   */
  private async mediaEnrolmentToken(actor: Actor, name: string): Promise<string> {
    const token = await this.deps.enrolment.createToken(actor, {
      description: `standalone media ${name}`,
      expiresInHours: MEDIA_ENROLMENT_TOKEN_HOURS,
    });
    if (token.token === undefined) throw new Error('the enrolment service gave no token');
    return token.token;
  }

  private refuseMissing(plan: MediaContentPlan): void {
    if (plan.missing.length > 0)
      throw new ConflictError(
        ErrorCode.MEDIA_CONTENT_MISSING,
        `the content library lacks what the media would carry: ${plan.missing.slice(0, 5).join('; ')}`,
        { missing: plan.missing },
      );
  }

  /**
   * Starts the build and answers at once (202) with the media `building`. Refused first,
   * writing nothing: a name in use, a boot image that does not exist or is not built, settings
   * that do not go with the kind, content missing from the library.
   */
  async create(actor: Actor, req: CreateMediaRequest): Promise<Media> {
    authorize(actor, 'software:write');
    const image = await this.deps.bootImages.get(actor, req.bootImage);
    const kernel = image.files.find((f) => f.name === 'vmlinuz');
    const initrd = image.files.find((f) => f.name === 'initrd.img');
    if (image.status !== 'ready' || !kernel || !initrd)
      throw new ConflictError(
        ErrorCode.BOOT_IMAGE_NOT_READY,
        `boot image ${image.name} version ${String(image.version)} is not built`,
      );
    const kind = await this.kindContent(actor, req);
    const siteUrl = (req.siteUrl ?? image.siteUrl).replace(/\/$/, '');
    // The boot environment's init reads steward.media= to run from the media (ADR 0097).
    const kernelArgs = [
      image.kernelArgs,
      `steward.site=${siteUrl}`,
      req.kind === 'bootable' ? '' : `steward.media=${req.kind}`,
      req.kernelArgs ?? '',
    ]
      .filter((a) => a.trim() !== '')
      .join(' ');
    const password = req.password === undefined ? undefined : await hashMediaPassword(req.password);
    const prestagedImage = req.kind === 'prestaged' ? kind.content?.images[0] : undefined;
    const captureKey =
      req.kind === 'capture' ? await newCaptureKey(req.password, this.now()) : undefined;
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
        task_sequence_id: kind.taskSequence?.id ?? null,
        task_sequence_name: kind.taskSequence?.name ?? null,
        task_sequence_version: kind.taskSequence?.version ?? null,
        os_image_id: prestagedImage?.id ?? null,
        os_image_name: prestagedImage?.name ?? null,
        os_image_version: prestagedImage?.version ?? null,
        capture_image_name: req.kind === 'capture' ? (req.captureImageName ?? 'Captured') : null,
        capture_key_sha256: captureKey?.sha256 ?? null,
        capture_key_expires_at: captureKey?.expiresAt ?? null,
        password_protected: password ? 1 : 0,
        content_bytes: kind.content ? planBytes(kind.content) : null,
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
        details: {
          name: req.name,
          kind: req.kind,
          bootImageId: image.id,
          siteUrl,
          passwordProtected: password !== undefined,
          ...(kind.taskSequence ? { taskSequenceId: kind.taskSequence.id } : {}),
          ...(prestagedImage ? { osImageId: prestagedImage.id } : {}),
        },
      });
    });
    const enrolmentToken =
      req.kind === 'standalone' && kind.sequence && installsAgent(kind.sequence.steps)
        ? await this.mediaEnrolmentToken(actor, req.name)
        : undefined;
    const job = runMediaBuild(this.ctx, this.store, {
      id,
      name: req.name,
      kind: req.kind,
      bootImage: {
        name: image.name,
        version: image.version,
        kernelSha256: kernel.sha256,
        initrdSha256: initrd.sha256,
        bytes: kernel.size + initrd.size,
      },
      siteUrl,
      kernelArgs,
      password,
      enrolmentToken,
      captureKey: captureKey?.file,
      ...kind,
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

  /** The stored image file of ready media, and its file name. */
  async file(actor: Actor, idOrName: string): Promise<{ sha256: string; name: string }> {
    authorize(actor, 'read');
    const media = toMedia(await this.row(idOrName), this.now());
    if (media.status !== 'ready' || media.sha256 === null)
      throw new ConflictError(
        ErrorCode.MEDIA_NOT_READY,
        `media ${media.name} are ${media.status}: no image file to download`,
      );
    return { sha256: media.sha256, name: mediaFileName(media) };
  }

  /** Waits for this process's builds (server shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
