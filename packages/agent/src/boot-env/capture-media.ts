import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  MEDIA_CAPTURE_KEY_FILE,
  MEDIA_DIR,
  MediaCaptureKeyFile,
  type MediaManifest,
} from '@steward/protocol';
import { unsealMediaKey } from '@steward/protocol/node';
import { AgentError } from '../errors.js';
import type { CliIo } from '../commands/cli-io.js';
import { askPassword } from '../commands/task-sequence-command.js';
import { unlockMedia } from '../os-deploy/media-password.js';
import { parseJsonText, parseWith } from '../parse.js';
import { bootEnvCommand, type BootEnvOptions } from './boot-env.js';

/**
 * The capture key on capture media (ADR 0107): in clear, or sealed with the media password
 * (the one that unlocked them). MEDIA_KEY_MISSING when the media carry none (made before keys
 * existed: they can only run what is deployed).
 */
export async function captureKeyOf(root: string, password: string | undefined): Promise<string> {
  const path = join(root, MEDIA_DIR, MEDIA_CAPTURE_KEY_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new AgentError(
      'MEDIA_KEY_MISSING',
      `${path}: these capture media carry no capture key; make them again`,
    );
  }
  const file = parseWith(MediaCaptureKeyFile, parseJsonText(text, path, 'USAGE'), path, 'USAGE');
  if (file.key !== undefined) return file.key;
  if (file.sealed === undefined || password === undefined)
    throw new AgentError(
      'MEDIA_KEY_MISSING',
      `${path}: the key is sealed and no password was given`,
    );
  const key = await unsealMediaKey(file.sealed, password);
  if (key === undefined)
    throw new AgentError('MEDIA_KEY_MISSING', `${path}: the media password does not open the key`);
  return key;
}

/**
 * Capture media (ADR 0097, 0107): after the media password, the boot environment registers with
 * the site as any boot does, presents the media's capture key instead of asking for what is
 * deployed, and runs the capture sequence the site answers with: the reference machine's disk
 * is generalised and streamed to the site as a new OS image (ADR 0094).
 */
export async function runCaptureMedia(
  o: BootEnvOptions & { root: string; manifest: MediaManifest; passwordFile?: string | undefined },
  io: CliIo,
): Promise<number> {
  const password = await unlockMedia(o.manifest, (attempt) =>
    askPassword(o.passwordFile, attempt, io),
  );
  const mediaKey = await captureKeyOf(o.root, password);
  io.out(`steward-boot: capture media ${o.manifest.name}: asking the site for their capture\n`);
  return bootEnvCommand({ ...o, mediaKey }, io);
}
