import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SiteContext } from '../context.js';
import { nowIso } from '../context.js';
import { inTransaction } from '../db/database.js';
import type { ContentStore } from '../content/content-store.js';
import { recordContentFile } from '../content/stored-files-repository.js';
import { buildProgress } from '../status/build-progress.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { buildIso, isoToolsMissing } from './iso-builder.js';
import * as repo from './repository.js';

/** How often a running build writes its heartbeat; a build silent for MEDIA_STALE_MS is gone. */
export const MEDIA_HEARTBEAT_MS = 10_000;
export const MEDIA_STALE_MS = 60_000;

export interface MediaBuildInput {
  id: string;
  name: string;
  kind: string;
  bootImage: { name: string; version: number; kernelSha256: string; initrdSha256: string };
  siteUrl: string;
  kernelArgs: string;
}

/**
 * One media build in the background of the process that accepted it (ADR 0089): the ISO is
 * written in a temporary folder, stored in the content library, and the media `ready` with its
 * hash in one transaction with status message 52570. A failure marks them `failed` with the
 * reason and raises 52571. An ISO stored before a failure has no content_file row, so the
 * content clean-up's disk sweep removes it (removing it here could delete identical bytes
 * another object holds).
 */
export async function runMediaBuild(
  ctx: SiteContext,
  store: ContentStore,
  input: MediaBuildInput,
): Promise<void> {
  const db = ctx.db.kysely;
  const started = Date.now();
  const { progress, stop } = buildProgress(ctx, 'media progress', MEDIA_HEARTBEAT_MS, (patch) =>
    repo.updateMedia(db, input.id, patch),
  );
  const work = await mkdtemp(join(tmpdir(), 'steward-media-'));
  try {
    const missing = isoToolsMissing();
    if (missing) throw new Error(missing);
    progress(5, 'copying the boot image');
    const out = join(work, 'media.iso');
    await buildIso(
      {
        title: `Steward: ${input.name} (boot image ${input.bootImage.name} version ${String(input.bootImage.version)})`,
        kernel: store.pathOf(input.bootImage.kernelSha256),
        initrd: store.pathOf(input.bootImage.initrdSha256),
        kernelArgs: input.kernelArgs,
        manifest: {
          name: input.name,
          kind: input.kind,
          bootImage: { name: input.bootImage.name, version: input.bootImage.version },
          siteUrl: input.siteUrl,
          createdAt: nowIso(ctx),
        },
      },
      work,
      out,
      (p) => progress(10 + p * 0.8, 'writing the ISO image'),
    );
    progress(92, 'storing in the content library');
    const file = await store.putStream(createReadStream(out));
    if (file.size !== (await stat(out)).size) throw new Error('the ISO image was stored short');
    const at = nowIso(ctx);
    await inTransaction(db, async (tx) => {
      await recordContentFile(tx, file, at);
      await repo.updateMedia(tx, input.id, {
        status: 'ready',
        progress: 100,
        progress_text: 'ready',
        size: file.size,
        sha256: file.sha256,
        built_at: at,
      });
      await raiseSiteStatus(
        ctx,
        {
          message: 'MEDIA_BUILT',
          insertionStrings: [
            input.name,
            input.kind,
            `${input.bootImage.name} version ${String(input.bootImage.version)}`,
            String(file.size),
            String(Math.round((Date.now() - started) / 1000)),
          ],
          attributes: { mediaId: input.id },
        },
        tx,
      );
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    ctx.log.error({ err, media: input.id }, 'media build failed');
    await repo.updateMedia(db, input.id, { status: 'failed', progress_text: reason.slice(-2000) });
    await raiseSiteStatus(ctx, {
      message: 'MEDIA_BUILD_FAILED',
      insertionStrings: [input.name, input.kind, reason.slice(-1000)],
      attributes: { mediaId: input.id },
    });
  } finally {
    stop();
    await rm(work, { recursive: true, force: true });
    await ctx.bus.publish('status-ingested', { count: 1 });
  }
}
