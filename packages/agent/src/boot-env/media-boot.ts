import { join } from 'node:path';
import { MEDIA_DIR } from '@steward/protocol';
import type { CliIo } from '../commands/cli-io.js';
import { readMediaManifest } from '../os-deploy/media-password.js';
import { bootEnvCommand, type BootEnvOptions } from './boot-env.js';
import { runCaptureMedia } from './capture-media.js';
import { mountMedia, runStandaloneMedia } from './standalone-media.js';

/**
 * The boot environment started from media (`steward.media=<kind>`, or `--media-root` naming
 * their file system): what the media's manifest says they are decides what runs (ADR 0097,
 * 0107). Standalone media (and a bare folder, a test's or one made by hand) run their own
 * sequence with no site; capture media capture over the network with their key; the others
 * boot as from the network.
 */
export async function runFromMedia(
  o: BootEnvOptions & { root?: string | undefined; passwordFile?: string | undefined },
  io: CliIo,
): Promise<number> {
  const root = o.root ?? (await mountMedia());
  const manifest = await readMediaManifest(join(root, MEDIA_DIR));
  switch (manifest?.kind) {
    case undefined:
    case 'standalone':
      return runStandaloneMedia({ ...o, root }, io);
    case 'capture':
      return runCaptureMedia({ ...o, root, manifest }, io);
    case 'bootable':
    case 'prestaged':
      return bootEnvCommand(o, io);
  }
}
