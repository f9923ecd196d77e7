import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { access, cp, mkdir, mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OS_IMAGE_MANIFEST_FILE, OsImageManifest } from '@steward/protocol';
import { parseJsonText, parseWith } from '../parse.js';
import { identifyMachine } from '../boot-env/identify.js';
import type { BootEnvHost, LocalOsImage } from './host.js';

/** A folder name of the media: an image or driver id as the sequence names it. */
const SAFE = /^[A-Za-z0-9._-]{1,128}$/;

function inside(media: string, dir: string, id: string): string {
  if (!SAFE.test(id) || id.startsWith('.')) throw new Error(`"${id}" is not a media item name`);
  return join(media, dir, id);
}

/** Reads and checks an OS image folder (its os-image.json beside the archives). */
export async function readLocalImage(dir: string): Promise<LocalOsImage> {
  const path = join(dir, OS_IMAGE_MANIFEST_FILE);
  const text = await readFile(path, 'utf8');
  const manifest = parseWith(OsImageManifest, parseJsonText(text, path, 'USAGE'), path, 'USAGE');
  return { manifest, dir };
}

const INSTALLER = 'install-agent.sh';

/**
 * The agent installer folder of the media: `agent/` itself when it is unpacked, else the agent
 * tarball standalone media carry there (ADR 0097), unpacked into a temporary folder (the media
 * are read-only) and taken where its install-agent.sh is (at the top or one folder down).
 */
export async function agentInstallerDir(media: string): Promise<string> {
  const dir = join(media, 'agent');
  if (existsSync(join(dir, INSTALLER))) return dir;
  const tarball = (await readdir(dir)).find((f) => f.endsWith('.tar.gz'));
  if (tarball === undefined) throw new Error(`${dir} holds neither ${INSTALLER} nor a tarball`);
  const into = await mkdtemp(join(tmpdir(), 'steward-agent-kit-'));
  await promisify(execFile)('tar', ['-xzf', join(dir, tarball), '-C', into]);
  if (existsSync(join(into, INSTALLER))) return into;
  for (const sub of await readdir(into))
    if (existsSync(join(into, sub, INSTALLER))) return join(into, sub);
  throw new Error(`the agent tarball ${tarball} holds no ${INSTALLER}`);
}

/**
 * The boot-environment host over a folder (standalone media, or a test): OS images in
 * `os-images/<id>/`, captures written to `captures/<name>-<time>/`, driver packages as
 * `drivers/<id>.deb` (chosen only: matching needs the site's catalog), the agent tarball unpacked
 * in `agent/` (or packed, as standalone media carry it) and the enrolment token in
 * `enrol-token`. ADR 0077, ADR 0097.
 */
export async function mediaHost(
  media: string,
  targetDir: string,
  sys = '/sys',
): Promise<BootEnvHost> {
  const id = await identifyMachine(sys);
  return {
    targetDir,
    sys,
    firmware: id.firmware,
    modaliases: id.modaliases,
    workDir: media,
    fetchOsImage: (imageId) => readLocalImage(inside(media, 'os-images', imageId)),
    uploadOsImage: async (image) => {
      const name = `${image.manifest.name.replace(/[^A-Za-z0-9._-]+/g, '-')}-${Date.now().toString(36)}`;
      const dest = inside(media, 'captures', name);
      await mkdir(join(media, 'captures'), { recursive: true });
      await cp(image.dir, dest, { recursive: true });
      return name;
    },
    driverPackages: async (request) => {
      if (request.mode === 'auto')
        throw new Error('matching drivers by hardware needs the site: choose the drivers');
      const debs = request.driverIds.map((d) => `${inside(media, 'drivers', d)}.deb`);
      for (const deb of debs) await access(deb);
      return debs;
    },
    agentInstallKit: async () => ({
      installerDir: await agentInstallerDir(media),
      token: (await readFile(join(media, 'enrol-token'), 'utf8')).trim(),
      nodeBinary: process.execPath,
    }),
  };
}
