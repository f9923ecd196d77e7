import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  ConflictError,
  ErrorCode,
  InputError,
  NotFoundError,
  type BuildOsImageRequest,
  type OsImageBuild,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize, nowIso } from '../context.js';
import { writeAudit } from '../audit/audit.js';
import { inTransaction } from '../db/database.js';
import type { ContentStore } from '../content/content-store.js';
import { aptDebianMirror } from './apt-sources.js';
import { OS_IMAGE_BUILD_STALE_MS, runOsImageBuild } from './build-job.js';
import * as repo from './build-repository.js';
import type { OsImageService } from './service.js';

/** Where builds keep their debootstrap results and which apt sources name the default mirror. */
export interface OsImageBuildEnv {
  /** `STEWARD_OS_IMAGE_CACHE`, else `<data dir>/os-image-cache`. */
  cacheDir: string;
  /** The apt configuration folder read for the default mirror (`/etc/apt`). */
  aptDir: string;
}

export function osImageBuildEnv(dataDir: string): OsImageBuildEnv {
  return {
    cacheDir: process.env['STEWARD_OS_IMAGE_CACHE'] ?? join(dataDir, 'os-image-cache'),
    aptDir: process.env['STEWARD_OS_IMAGE_APT_DIR'] ?? '/etc/apt',
  };
}

/** The build as the API shows it: a `building` row gone silent reads `interrupted`. */
export function toOsImageBuild(r: repo.OsImageBuildRow, now: Date): OsImageBuild {
  const silent =
    r.status === 'building' && Date.parse(r.heartbeat_at) < now.getTime() - OS_IMAGE_BUILD_STALE_MS;
  return {
    id: r.id,
    name: r.name,
    release: r.release,
    arch: r.arch,
    mirror: r.mirror,
    status: silent ? 'interrupted' : r.status,
    progress: r.progress,
    progressText: silent
      ? 'the server process building it stopped before the build finished'
      : r.progress_text,
    fromCache: r.from_cache === 1,
    osImageId: r.os_image_id,
    osImageVersion: r.os_image_version,
    createdAt: r.created_at,
    createdBy: r.created_by,
    finishedAt: r.finished_at,
  };
}

/**
 * Default OS images built by the site (issue 11, ADR 0093): debootstrap of a Debian release
 * in the background of the process that accepted the request, cached by recipe, recorded as
 * the next version of its name like an imported image.
 */
export class OsImageBuildService {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly ctx: SiteContext,
    private readonly store: ContentStore,
    private readonly images: OsImageService,
    private readonly env: OsImageBuildEnv,
    /** The site's Debian mirror (the boot image settings'), '' when none is set. */
    private readonly siteMirror: () => Promise<string>,
  ) {}

  private get db() {
    return this.ctx.db.kysely;
  }

  private now(): Date {
    return this.ctx.clock.now();
  }

  async list(actor: Actor): Promise<OsImageBuild[]> {
    authorize(actor, 'read');
    const now = this.now();
    return (await repo.listOsImageBuilds(this.db)).map((r) => toOsImageBuild(r, now));
  }

  async get(actor: Actor, id: string): Promise<OsImageBuild> {
    authorize(actor, 'read');
    const row = await repo.findOsImageBuild(this.db, id);
    if (!row) throw new NotFoundError('OS image build', id, ErrorCode.OS_IMAGE_BUILD_NOT_FOUND);
    return toOsImageBuild(row, this.now());
  }

  /** The mirror: the request's, else the site's, else the first of the server's apt sources. */
  private async mirror(req: BuildOsImageRequest): Promise<string> {
    const mirror = req.mirror ?? ((await this.siteMirror()) || aptDebianMirror(this.env.aptDir));
    if (!mirror)
      throw new InputError(
        ErrorCode.OS_IMAGE_NO_MIRROR,
        `no Debian mirror: give one (--mirror URL), set the site's (steward boot-image settings --mirror URL), or add a Debian source to ${this.env.aptDir}`,
      );
    return mirror.replace(/\/$/, '');
  }

  /**
   * Starts the build and answers at once (202) with it `building`. Refused first, writing
   * nothing: no mirror anywhere, a build of that name still running.
   */
  async build(actor: Actor, req: BuildOsImageRequest): Promise<OsImageBuild> {
    authorize(actor, 'software:write');
    const mirror = await this.mirror(req);
    const arch = req.arch ?? 'amd64';
    const name = req.name ?? `Debian ${req.release}`;
    const id = randomUUID();
    const at = nowIso(this.ctx);
    const since = new Date(this.now().getTime() - OS_IMAGE_BUILD_STALE_MS).toISOString();
    await inTransaction(this.db, async (tx) => {
      if (await repo.runningOsImageBuild(tx, name, since))
        throw new ConflictError(
          ErrorCode.OS_IMAGE_BUILD_RUNNING,
          `OS image ${name} is building: wait for that build`,
        );
      await repo.insertOsImageBuild(tx, {
        id,
        name,
        release: req.release,
        arch,
        mirror,
        status: 'building',
        progress: 0,
        progress_text: 'queued',
        from_cache: 0,
        os_image_id: null,
        os_image_version: null,
        created_at: at,
        created_by: actor.userName,
        finished_at: null,
        heartbeat_at: at,
      });
      await writeAudit(tx, actor, at, {
        action: 'os-image.build',
        targetType: 'os-image-build',
        targetId: id,
        details: { name, release: req.release, arch, mirror },
      });
    });
    const job = runOsImageBuild(
      this.ctx,
      this.store,
      this.env.cacheDir,
      (manifest, by) => this.images.record(manifest, by),
      { id, name, recipe: { mirror, release: req.release, arch }, actor },
    );
    this.running.add(job);
    void job.finally(() => this.running.delete(job));
    return this.get(actor, id);
  }

  /** Waits for this process's builds (server shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
