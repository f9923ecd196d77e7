import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BootConfig, BootImageArch } from '@steward/protocol';
import type { SiteContext } from '../context.js';
import { nowIso } from '../context.js';
import { inTransaction } from '../db/database.js';
import { filesOf } from '../agent-versions/repository.js';
import { readAgentVersionSettings } from '../agent-versions/service.js';
import type { ContentStore } from '../content/content-store.js';
import type { Queryable } from '../db/database.js';
import { recordContentFile } from '../content/stored-files-repository.js';
import { insertPackageWithVersion } from '../content/versions.js';
import { buildProgress } from '../status/build-progress.js';
import { raiseSiteStatus } from '../status/site-status.js';
import { ASSEMBLE_SCRIPT, cachedRoot, runScript } from './builder.js';
import * as repo from './repository.js';
import { BUILD_HEARTBEAT_MS } from './stale-builds.js';

/** Where the build finds what it packs beside the Debian root. */
export interface BootImageBuildEnv {
  /** The cache of roots (debootstrap results) by recipe hash. */
  cacheDir: string;
  /** The agent's ESM bundle (packages/agent/packaging/bundle.sh); undefined: builds fail. */
  agentBundle: string | undefined;
  /** The Node.js binary put in the image (the site's own). */
  node: string;
  caPem: string;
}

export interface BuildInput {
  id: string;
  name: string;
  version: number;
  arch: BootImageArch;
  suite: string;
  mirror: string;
  extraPackages: string[];
  /** Stored driver packages (.deb paths in the content store). */
  driverDebs: string[];
  siteUrl: string;
  bootKey: string;
  createdBy: string;
}

/** The package holding one boot image version's files (one package per version, as ADR 0042). */
export function bootImagePackageName(name: string, version: number): string {
  return `boot-image-${name}-${String(version)}`;
}

/**
 * The site's production agent version's tarball in the content library, which the image carries
 * as its agent kit (the install-agent step puts it in the new system, issue 11); undefined when
 * the site has no production version with a stored tarball (the image then has no kit and that
 * step fails with its reason).
 */
async function productionAgentTarball(
  db: Queryable,
  store: ContentStore,
): Promise<string | undefined> {
  const { productionVersion } = await readAgentVersionSettings(db);
  if (productionVersion === null) return undefined;
  const files = (await filesOf(db, [productionVersion])).get(productionVersion) ?? [];
  const tarball = files.find((f) => f.kind === 'tarball');
  if (!tarball || (await store.size(tarball.sha256)) !== Number(tarball.size)) return undefined;
  return store.pathOf(tarball.sha256);
}

/**
 * One build, run in the background of the process that accepted it: the cached root, the
 * assemble script, then the files into the content library and the image `ready` in one
 * transaction with its package and status message 52450. Any failure marks the image `failed`
 * with the reason and raises 52451; nothing is half-written (the package is created last).
 */
export async function runBootImageBuild(
  ctx: SiteContext,
  store: ContentStore,
  env: BootImageBuildEnv,
  input: BuildInput,
): Promise<void> {
  const db = ctx.db.kysely;
  const started = Date.now();
  // The heartbeat says this process still runs the build (ADR 0079).
  const { progress, stop } = buildProgress(
    ctx,
    'boot image progress',
    BUILD_HEARTBEAT_MS,
    (patch) => repo.updateBootImage(db, input.id, patch),
  );
  const work = await mkdtemp(join(tmpdir(), 'steward-boot-image-'));
  try {
    if (!env.agentBundle)
      throw new Error('no agent bundle for boot images (set STEWARD_BOOT_AGENT_BUNDLE)');
    progress(1, 'preparing the Debian root');
    const root = await cachedRoot(
      env.cacheDir,
      {
        mirror: input.mirror,
        suite: input.suite,
        arch: input.arch,
        extraPackages: input.extraPackages,
      },
      (p, t) => progress(p * 0.6, t),
    );
    await repo.updateBootImage(db, input.id, { root_key: root.key });
    const config: BootConfig = {
      bootImageId: input.id,
      name: input.name,
      version: input.version,
      siteUrl: input.siteUrl,
      caPem: env.caPem,
      bootKey: input.bootKey,
    };
    const configPath = join(work, 'boot.json');
    await writeFile(configPath, JSON.stringify(config), { mode: 0o600 });
    const out = join(work, 'out');
    const agentTarball = await productionAgentTarball(db, store);
    await runScript(
      ASSEMBLE_SCRIPT,
      [root.path, out],
      {
        NODE: env.node,
        AGENT_BUNDLE: env.agentBundle,
        BOOT_CONFIG: configPath,
        DRIVER_DEBS: input.driverDebs.join(' '),
        AGENT_TARBALL: agentTarball ?? '',
        TMPDIR: work,
      },
      (p, t) => progress(60 + p * 0.3, t),
    );
    progress(92, 'storing in the content library');
    const files = [];
    for (const name of ['vmlinuz', 'initrd.img']) {
      const path = join(out, name);
      const stored = await store.putStream(createReadStream(path));
      if (stored.size !== (await stat(path)).size) throw new Error(`${name} was stored short`);
      files.push({ name, ...stored });
    }
    await finish(ctx, input, files, started);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    ctx.log.error({ err, bootImage: input.id }, 'boot image build failed');
    await repo.updateBootImage(db, input.id, {
      status: 'failed',
      progress_text: reason.slice(-2000),
    });
    await raiseSiteStatus(ctx, {
      message: 'BOOT_IMAGE_BUILD_FAILED',
      insertionStrings: [input.name, String(input.version), input.arch, reason.slice(-1000)],
      attributes: { bootImageId: input.id },
    });
  } finally {
    stop();
    await rm(work, { recursive: true, force: true });
  }
}

async function finish(
  ctx: SiteContext,
  input: BuildInput,
  files: { name: string; sha256: string; size: number }[],
  started: number,
): Promise<void> {
  const at = nowIso(ctx);
  await inTransaction(ctx.db.kysely, async (tx) => {
    for (const f of files) await recordContentFile(tx, f, at);
    const { packageId } = await insertPackageWithVersion(tx, {
      name: bootImagePackageName(input.name, input.version),
      description: `Boot image ${input.name} version ${String(input.version)} (${input.arch})`,
      publisher: 'Steward',
      version: String(input.version),
      files: files.map((f) => ({ path: f.name, sha256: f.sha256, size: f.size, mode: 0o644 })),
      at,
      createdBy: input.createdBy,
    });
    await repo.updateBootImage(tx, input.id, {
      status: 'ready',
      progress: 100,
      progress_text: 'ready',
      package_id: packageId,
      files: JSON.stringify(files),
      built_at: at,
    });
    const [kernel, initrd] = files;
    await raiseSiteStatus(
      ctx,
      {
        message: 'BOOT_IMAGE_BUILT',
        insertionStrings: [
          input.name,
          String(input.version),
          input.arch,
          String(kernel?.size ?? 0),
          String(initrd?.size ?? 0),
          String(Math.round((Date.now() - started) / 1000)),
        ],
        attributes: { bootImageId: input.id, packageId },
      },
      tx,
    );
  });
  await ctx.bus.publish('status-ingested', { count: 1 });
}
