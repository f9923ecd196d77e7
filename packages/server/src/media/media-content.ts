import {
  OS_IMAGE_MANIFEST_FILE,
  referencesOf,
  type MediaContentFile,
  type OsImageManifest,
  type SequenceItem,
} from '@steward/protocol';
import type { Queryable } from '../db/database.js';
import type { ContentStore } from '../content/content-store.js';
import { currentVersionOf, loadVersionFiles } from '../content/repository.js';
import { findProgramRow } from '../deployments/program-repository.js';
import { findDriver } from '../drivers/repository.js';
import { findOsImage } from '../os-images/repository.js';
import { manifestOf } from '../os-images/service.js';
import { filesOf, listVersionRows } from '../agent-versions/repository.js';

/**
 * What standalone media carry under `steward/content/` (ADR 0097), in the layout the boot
 * environment's media host reads (ADR 0077): `os-images/<id>/` (os-image.json and archives),
 * `drivers/<id>.deb`, `programs/<id>/` (the program's package files and its `program.json`),
 * `agent/` (the newest agent version's tarball, when the sequence installs the agent).
 */
export interface MediaContentPlan {
  /** Library files, by path under the content folder. */
  files: MediaContentFile[];
  /** Files the build writes (manifests), by path under the content folder. */
  written: { path: string; text: string }[];
  /** What the library lacks, one line each (refused as MEDIA_CONTENT_MISSING). */
  missing: string[];
  /** The OS images on the media (prestaged media apply one of them). */
  images: { id: string; name: string; version: number; manifest: OsImageManifest }[];
}

/** Whether a sequence installs the agent (its media carry the agent kit and a token). */
export const installsAgent = (steps: readonly SequenceItem[]): boolean =>
  steps.some((s) => s.type === 'step' && s.kind === 'install-agent' && s.enabled);

/** Bytes of the library files a plan copies. */
export const planBytes = (p: MediaContentPlan): number =>
  p.files.reduce((sum, f) => sum + f.size, 0);

async function stored(
  store: ContentStore,
  plan: MediaContentPlan,
  file: MediaContentFile,
  what: string,
): Promise<void> {
  if (await store.has(file.sha256)) plan.files.push(file);
  else plan.missing.push(`${what}: file ${file.sha256} is not in the content library`);
}

/** Adds OS images (by id) to a plan. */
export async function planOsImages(
  db: Queryable,
  store: ContentStore,
  plan: MediaContentPlan,
  imageIds: readonly string[],
): Promise<void> {
  for (const imageId of imageIds) {
    const row = await findOsImage(db, imageId);
    if (!row) {
      plan.missing.push(`OS image ${imageId}: not on the site`);
      continue;
    }
    const manifest = manifestOf(row);
    const dir = `os-images/${row.id}`;
    plan.images.push({ id: row.id, name: row.name, version: row.version, manifest });
    plan.written.push({
      path: `${dir}/${OS_IMAGE_MANIFEST_FILE}`,
      text: `${JSON.stringify(manifest, null, 2)}\n`,
    });
    for (const fs of manifest.fileSystems)
      await stored(
        store,
        plan,
        { path: `${dir}/${fs.archive}`, sha256: fs.sha256, size: fs.archiveBytes },
        `OS image ${row.name} version ${String(row.version)}`,
      );
  }
}

/**
 * Everything a sequence references, for standalone media: its OS images, chosen driver
 * packages, programs with their package's current files, and the agent kit when it installs
 * the agent. Nothing is copied here; `missing` says what the library lacks.
 */
export async function planSequenceContent(
  db: Queryable,
  store: ContentStore,
  steps: readonly SequenceItem[],
): Promise<MediaContentPlan> {
  const plan: MediaContentPlan = { files: [], written: [], missing: [], images: [] };
  const refs = referencesOf(steps);
  await planOsImages(db, store, plan, refs.imageIds);
  for (const id of refs.driverIds) {
    const row = await findDriver(db, id);
    if (!row) plan.missing.push(`driver ${id}: not in the driver catalog`);
    else
      await stored(
        store,
        plan,
        { path: `drivers/${row.id}.deb`, sha256: row.sha256, size: Number(row.size) },
        `driver ${row.package} ${row.version}`,
      );
  }
  for (const id of refs.programIds) {
    const program = await findProgramRow(db, id);
    const version = program ? await currentVersionOf(db, program.package_id) : undefined;
    if (!program || !version) {
      plan.missing.push(
        `program ${id}: ${program ? 'its package has no content' : 'not on the site'}`,
      );
      continue;
    }
    const dir = `programs/${program.id}`;
    plan.written.push({
      path: `${dir}/program.json`,
      text: `${JSON.stringify(
        {
          name: program.name,
          package: program.package_name,
          commandLine: program.command_line,
          workingDirectory: program.working_directory,
          maxRunMinutes: program.max_run_minutes,
        },
        null,
        2,
      )}\n`,
    });
    for (const f of await loadVersionFiles(db, version.id))
      await stored(
        store,
        plan,
        { path: `${dir}/files/${f.path}`, sha256: f.sha256, size: f.size },
        `program ${program.name}`,
      );
  }
  if (installsAgent(steps)) {
    const [newest] = await listVersionRows(db);
    const tarball = newest
      ? (await filesOf(db, [newest.version])).get(newest.version)?.find((f) => f.kind === 'tarball')
      : undefined;
    if (!newest || !tarball)
      plan.missing.push('the agent kit: the site has no agent version with a tarball');
    else
      await stored(
        store,
        plan,
        { path: `agent/${tarball.name}`, sha256: tarball.sha256, size: Number(tarball.size) },
        `agent ${newest.version}`,
      );
  }
  return plan;
}
