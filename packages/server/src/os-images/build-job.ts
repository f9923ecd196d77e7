import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  OS_IMAGE_MANIFEST_FILE,
  OsImageManifest,
  type OsImageBuildArch,
  type OsImage,
} from '@steward/protocol';
import { Value } from '@sinclair/typebox/value';
import type { Actor, SiteContext } from '../context.js';
import { nowIso } from '../context.js';
import type { ContentStore } from '../content/content-store.js';
import { recordContentFile } from '../content/stored-files-repository.js';
import { runScript, type ProgressFn } from '../boot-images/builder.js';
import { buildProgress } from '../status/build-progress.js';
import { raiseSiteStatus } from '../status/site-status.js';
import * as repo from './build-repository.js';

/** The default OS image script (ADR 0077): debootstrap, generalise, archive. */
export const OS_IMAGE_SCRIPT = fileURLToPath(
  new URL('../../assets/os-image/os-image-build.sh', import.meta.url),
);

/** How often a running build writes its heartbeat; a build silent for the stale time is gone. */
export const OS_IMAGE_BUILD_HEARTBEAT_MS = 15_000;
export const OS_IMAGE_BUILD_STALE_MS = 2 * 60_000;

export interface OsImageRecipe {
  mirror: string;
  release: string;
  arch: OsImageBuildArch;
}

/** The cache key of a built image: the script's bytes and every input that changes the result. */
export function osImageRecipeKey(recipe: OsImageRecipe): string {
  const h = createHash('sha256');
  h.update(readFileSync(OS_IMAGE_SCRIPT));
  h.update(JSON.stringify({ mirror: recipe.mirror, release: recipe.release, arch: recipe.arch }));
  return h.digest('hex').slice(0, 24);
}

/**
 * The cached image folder (`root.tar.zst`, `os-image.json`) for `recipe`, built first when the
 * cache has none. Built under a private name and renamed into place only when complete, so a
 * failed or concurrent build never leaves a half-written image a later build would take.
 */
export async function cachedOsImage(
  cacheDir: string,
  recipe: OsImageRecipe,
  onProgress: ProgressFn,
): Promise<{ dir: string; built: boolean }> {
  mkdirSync(cacheDir, { recursive: true });
  const key = osImageRecipeKey(recipe);
  const dir = join(cacheDir, `${recipe.release}-${recipe.arch}-${key}`);
  if (existsSync(join(dir, OS_IMAGE_MANIFEST_FILE))) return { dir, built: false };
  const partial = join(cacheDir, `building-${key}-${randomBytes(4).toString('hex')}`);
  try {
    await runScript(
      OS_IMAGE_SCRIPT,
      [partial],
      { MIRROR: recipe.mirror, SUITE: recipe.release, ARCH: recipe.arch },
      onProgress,
    );
    renameSync(partial, dir);
  } finally {
    rmSync(partial, { recursive: true, force: true });
    rmSync(`${partial}.partial`, { recursive: true, force: true });
  }
  return { dir, built: true };
}

export interface OsImageBuildInput {
  id: string;
  name: string;
  recipe: OsImageRecipe;
  actor: Actor;
}

/**
 * One build in the background of the process that accepted it (ADR 0093): the cached (or new)
 * debootstrap image, its archives into the content library, then the OS image recorded as the
 * next version of the name by `record` (the same path as an import: package, row, audit and
 * 52454 in one transaction). The build row goes `ready` with the image and 52620, or `failed`
 * with the reason and 52621. Archives stored before a failure have no package referencing
 * them; the content clean-up removes them.
 */
export async function runOsImageBuild(
  ctx: SiteContext,
  store: ContentStore,
  cacheDir: string,
  record: (manifest: OsImageManifest, actor: Actor) => Promise<OsImage>,
  input: OsImageBuildInput,
): Promise<void> {
  const db = ctx.db.kysely;
  const started = Date.now();
  const { progress, stop } = buildProgress(
    ctx,
    'OS image build progress',
    OS_IMAGE_BUILD_HEARTBEAT_MS,
    (patch) => repo.updateOsImageBuild(db, input.id, patch),
  );
  const { recipe } = input;
  try {
    progress(1, `debootstrap ${recipe.release} ${recipe.arch} from ${recipe.mirror}`);
    const image = await cachedOsImage(cacheDir, recipe, (p, t) => progress(p * 0.8, t));
    await repo.updateOsImageBuild(db, input.id, { from_cache: image.built ? 0 : 1 });
    const parsed: unknown = JSON.parse(
      await readFile(join(image.dir, OS_IMAGE_MANIFEST_FILE), 'utf8'),
    );
    if (!Value.Check(OsImageManifest, parsed))
      throw new Error(`the built ${OS_IMAGE_MANIFEST_FILE} does not match the manifest schema`);
    const manifest: OsImageManifest = { ...parsed, name: input.name };
    for (const [i, fs] of manifest.fileSystems.entries()) {
      progress(82 + (i * 15) / manifest.fileSystems.length, `storing ${fs.archive}`);
      const file = await store.putStream(createReadStream(join(image.dir, fs.archive)));
      if (file.sha256 !== fs.sha256 || file.size !== fs.archiveBytes)
        throw new Error(
          `${fs.archive} in the cache does not match its manifest (remove ${image.dir})`,
        );
      await recordContentFile(db, file, nowIso(ctx));
    }
    progress(98, 'recording the OS image');
    const recorded = await record(manifest, input.actor);
    await repo.updateOsImageBuild(db, input.id, {
      status: 'ready',
      progress: 100,
      progress_text: 'ready',
      os_image_id: recorded.id,
      os_image_version: recorded.version,
      finished_at: nowIso(ctx),
    });
    await raiseSiteStatus(ctx, {
      message: 'OS_IMAGE_BUILT',
      insertionStrings: [
        input.name,
        String(recorded.version),
        recipe.release,
        recipe.arch,
        recipe.mirror,
        String(Math.round((Date.now() - started) / 1000)),
        image.built ? 'new debootstrap' : 'from the cache',
      ],
      attributes: { osImageBuildId: input.id, osImageId: recorded.id },
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    ctx.log.error({ err, osImageBuild: input.id }, 'OS image build failed');
    await repo.updateOsImageBuild(db, input.id, {
      status: 'failed',
      progress_text: reason.slice(-2000),
      finished_at: nowIso(ctx),
    });
    await raiseSiteStatus(ctx, {
      message: 'OS_IMAGE_BUILD_FAILED',
      insertionStrings: [input.name, recipe.release, recipe.arch, reason.slice(-1000)],
      attributes: { osImageBuildId: input.id },
    });
  } finally {
    stop();
    await ctx.bus.publish('status-ingested', { count: 1 });
  }
}
