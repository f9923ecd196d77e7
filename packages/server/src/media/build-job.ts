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
import {
  MEDIA_CAPTURE_KEY_FILE,
  MEDIA_CONTENT_DIR,
  MEDIA_SEQUENCE_FILE,
  type MediaCaptureKeyFile,
  type MediaKind,
  type MediaManifest,
  type MediaPasswordHash,
  type RunnableSequence,
} from '@steward/protocol';
import { buildIso, isoToolsMissing, placeExtras, type IsoInput } from './iso-builder.js';
import type { MediaContentPlan } from './media-content.js';
import { buildPrestaged } from './prestaged-builder.js';
import * as repo from './repository.js';

/** How often a running build writes its heartbeat; a build silent for MEDIA_STALE_MS is gone. */
export const MEDIA_HEARTBEAT_MS = 10_000;
export const MEDIA_STALE_MS = 60_000;

export interface MediaBuildInput {
  id: string;
  name: string;
  kind: MediaKind;
  bootImage: {
    name: string;
    version: number;
    kernelSha256: string;
    initrdSha256: string;
    bytes: number;
  };
  siteUrl: string;
  kernelArgs: string;
  password?: MediaPasswordHash | undefined;
  /** Standalone media that install the agent: written as `content/enrol-token`. */
  enrolmentToken?: string | undefined;
  /** Capture media: their capture key file, written as `steward/capture-key.json` (ADR 0107). */
  captureKey?: MediaCaptureKeyFile | undefined;
  /** Standalone and capture media: the sequence the boot environment runs from the media. */
  sequence?: RunnableSequence | undefined;
  taskSequence?: { id: string; name: string; version: number } | undefined;
  /** Standalone media: the content; prestaged media: the OS image (its one entry in `images`). */
  content?: MediaContentPlan | undefined;
}

/** `steward/media.json`: what the media are (ADR 0089), with the password hash, never the password. */
function manifestOf(input: MediaBuildInput, createdAt: string): MediaManifest {
  const image = input.kind === 'prestaged' ? input.content?.images[0] : undefined;
  return {
    format: 1,
    name: input.name,
    kind: input.kind,
    bootImage: { name: input.bootImage.name, version: input.bootImage.version },
    siteUrl: input.siteUrl,
    createdAt,
    ...(input.password ? { password: input.password } : {}),
    ...(input.taskSequence ? { taskSequence: input.taskSequence } : {}),
    ...(image ? { osImage: { id: image.id, name: image.name, version: image.version } } : {}),
    ...(input.kind === 'standalone' && input.content ? { content: input.content.files } : {}),
  };
}

/** The media's files beside the boot image: the sequence, and standalone media's content. */
function extrasOf(input: MediaBuildInput, store: ContentStore): Pick<IsoInput, 'files' | 'texts'> {
  const texts = [
    ...(input.sequence
      ? [{ path: MEDIA_SEQUENCE_FILE, text: `${JSON.stringify(input.sequence, null, 2)}\n` }]
      : []),
    ...(input.captureKey
      ? [{ path: MEDIA_CAPTURE_KEY_FILE, text: `${JSON.stringify(input.captureKey)}\n` }]
      : []),
  ];
  if (input.kind !== 'standalone' || !input.content) return { texts };
  const under = (p: string) => `${MEDIA_CONTENT_DIR}/${p}`;
  const token = input.enrolmentToken
    ? [{ path: under('enrol-token'), text: `${input.enrolmentToken}\n` }]
    : [];
  return {
    files: input.content.files.map((f) => ({
      path: under(f.path),
      source: store.pathOf(f.sha256),
    })),
    texts: [
      ...texts,
      ...input.content.written.map((w) => ({ path: under(w.path), text: w.text })),
      ...token,
    ],
  };
}

/** Writes the media's image file: an ISO, or the prestaged disk image. */
async function writeImage(
  ctx: SiteContext,
  store: ContentStore,
  input: MediaBuildInput,
  work: string,
  out: string,
  progress: (p: number, text: string) => void,
): Promise<void> {
  const iso: IsoInput = {
    title: `Steward: ${input.name} (boot image ${input.bootImage.name} version ${String(input.bootImage.version)})`,
    kernel: store.pathOf(input.bootImage.kernelSha256),
    initrd: store.pathOf(input.bootImage.initrdSha256),
    kernelArgs: input.kernelArgs,
    manifest: manifestOf(input, nowIso(ctx)),
    ...extrasOf(input, store),
  };
  if (input.kind !== 'prestaged') {
    progress(
      5,
      input.kind === 'standalone' ? 'copying the boot image and content' : 'copying the boot image',
    );
    await buildIso(iso, work, out, (p) => progress(10 + p * 0.8, 'writing the ISO image'));
    return;
  }
  const image = input.content?.images[0];
  if (!image) throw new Error('prestaged media need an OS image');
  // The archives are read where the library keeps them, under the names the manifest gives.
  const dir = join(work, 'image');
  await placeExtras(
    {
      files: image.manifest.fileSystems.map((f) => ({
        path: f.archive,
        source: store.pathOf(f.sha256),
      })),
    },
    dir,
  );
  const marker = {
    format: 1 as const,
    media: input.name,
    osImage: { id: image.id, name: image.name, version: image.version },
    createdAt: nowIso(ctx),
  };
  await buildPrestaged(
    { ...iso, image: { dir, manifest: image.manifest, marker }, bootBytes: input.bootImage.bytes },
    work,
    out,
    (p, text) => progress(5 + p * 0.85, text),
  );
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
    const out = join(work, 'media.img');
    await writeImage(ctx, store, input, work, out, progress);
    progress(92, 'storing in the content library');
    const file = await store.putStream(createReadStream(out));
    if (file.size !== (await stat(out)).size) throw new Error('the image file was stored short');
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
