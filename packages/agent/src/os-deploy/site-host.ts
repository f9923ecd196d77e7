import { mkdir, rename, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { join } from 'node:path';
import {
  OS_IMAGE_MANIFEST_FILE,
  type BootOsImageContent,
  type BootTaskSequence,
} from '@steward/protocol';
import { downloadFile } from '../software/content/dp-download.js';
import type { AgentInstallKit, BootEnvHost, LocalOsImage } from './host.js';
import type { Firmware } from './layout.js';

export interface SiteHostOptions {
  /** The site's answer to the boot environment's task-sequence request (ADR 0085). */
  answer: BootTaskSequence;
  /** The site CA the boot image pins: DPs' certificates are issued by it. */
  caPem: string;
  targetDir: string;
  /** Scratch space for downloads and captures (RAM in the default boot image). */
  workDir: string;
  sys?: string | undefined;
  firmware: Firmware;
  modaliases: readonly string[];
  /** The agent installer folder in the boot image, when it carries one. */
  installerDir?: string | undefined;
  log: (line: string) => void;
}

/**
 * Downloads one archive from the first DP of the list that delivers it with the right SHA-256
 * and size (downloadFile verifies while streaming and deletes a file that does not match);
 * a DP that fails or delivers other bytes is passed over for the next one.
 */
async function fetchArchive(
  agent: Agent,
  content: BootOsImageContent,
  archive: { archive: string; sha256: string; archiveBytes: number },
  dir: string,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const partial = join(dir, `${archive.archive}.partial`);
  const reasons: string[] = [];
  for (const loc of content.locations) {
    const r = await downloadFile({
      agent,
      baseUrl: loc.url,
      accessToken: content.accessToken,
      sha256: archive.sha256,
      size: archive.archiveBytes,
      partialPath: partial,
      signal,
    });
    if (r.kind === 'complete') {
      await rename(partial, join(dir, archive.archive));
      log(
        `steward-boot: ${archive.archive} from ${loc.name}: ${String(archive.archiveBytes)} bytes, SHA-256 verified\n`,
      );
      return;
    }
    const why = r.kind === 'hash-mismatch' ? 'its bytes did not match the SHA-256' : r.reason;
    reasons.push(`${loc.name}: ${why}`);
    if (r.kind === 'local-failure') break;
  }
  throw new Error(
    content.locations.length === 0
      ? `no distribution point holds OS image ${content.imageId} (distribute it first)`
      : `${archive.archive} of OS image ${content.imageId} could not be downloaded (${reasons.join('; ')})`,
  );
}

/**
 * The boot-environment host over the site (ADR 0085): OS images come from the DPs the site
 * named, verified against the manifest's SHA-256 per archive; the enrolment token is the
 * single-use one the site issued for this run. The steps are the same as over media (ADR 0077).
 */
export function siteHost(o: SiteHostOptions): BootEnvHost {
  const agent = new Agent({ ca: o.caPem, keepAlive: true });
  const host: BootEnvHost = {
    targetDir: o.targetDir,
    ...(o.sys ? { sys: o.sys } : {}),
    firmware: o.firmware,
    modaliases: o.modaliases,
    workDir: o.workDir,
    fetchOsImage: async (imageId, signal): Promise<LocalOsImage> => {
      const content = o.answer.osImages.find((i) => i.imageId === imageId);
      if (!content) throw new Error(`the site sent no content location for OS image ${imageId}`);
      const dir = join(o.workDir, 'os-images', content.imageId);
      await mkdir(dir, { recursive: true });
      for (const fs of content.manifest.fileSystems)
        await fetchArchive(agent, content, fs, dir, o.log, signal);
      await writeFile(join(dir, OS_IMAGE_MANIFEST_FILE), JSON.stringify(content.manifest));
      return { manifest: content.manifest, dir };
    },
  };
  const token = o.answer.enrolmentToken;
  if (token !== null && o.installerDir !== undefined) {
    const kit: AgentInstallKit = {
      installerDir: o.installerDir,
      token,
      nodeBinary: process.execPath,
    };
    host.agentInstallKit = () => Promise.resolve(kit);
  }
  return host;
}
