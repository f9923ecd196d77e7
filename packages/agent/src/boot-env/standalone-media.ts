import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MEDIA_CONTENT_DIR, MEDIA_DIR, MEDIA_SEQUENCE_FILE } from '@steward/protocol';
import { AgentError, errorMessage } from '../errors.js';
import type { CliIo } from '../commands/cli-io.js';
import { taskSequenceCommand } from '../commands/task-sequence-command.js';

/** The ISO's volume id (grub-mkrescue -volid, ADR 0089): how the boot environment finds it. */
export const MEDIA_VOLUME_ID = 'STEWARD_MEDIA';
/** Where the boot environment mounts the media it started from. */
export const MEDIA_MOUNT = '/run/steward-media';

const run = promisify(execFile);

/** Mounts the media by their volume id, read-only; the mount point. */
export async function mountMedia(): Promise<string> {
  let device: string;
  try {
    device = (await run('blkid', ['-L', MEDIA_VOLUME_ID])).stdout.trim();
  } catch (err) {
    throw new AgentError(
      'MEDIA_NOT_FOUND',
      `no device with the volume id ${MEDIA_VOLUME_ID}: ${errorMessage(err)}`,
    );
  }
  await mkdir(MEDIA_MOUNT, { recursive: true });
  await run('mount', ['-o', 'ro', device, MEDIA_MOUNT]);
  return MEDIA_MOUNT;
}

/**
 * Standalone media (ADR 0097): the boot environment runs the sequence the media carry over
 * their content folder, with no site: the media password first (when set), then the engine
 * with the boot-environment steps over the media host. `root` is the media's file system
 * (mounted by volume id when not given: a test or a hand-run passes a folder).
 */
export async function runStandaloneMedia(
  o: {
    root?: string | undefined;
    stateDir: string;
    target: string;
    rebootCommand?: string | undefined;
    passwordFile?: string | undefined;
    json: boolean;
  },
  io: CliIo,
): Promise<number> {
  const root = o.root ?? (await mountMedia());
  const dir = join(root, MEDIA_DIR);
  io.out(`steward-boot: standalone media at ${root}: running ${MEDIA_SEQUENCE_FILE}\n`);
  return taskSequenceCommand(
    {
      action: 'run',
      stateDir: o.stateDir,
      sequence: join(dir, MEDIA_SEQUENCE_FILE),
      rebootCommand: o.rebootCommand,
      root: undefined,
      media: join(dir, MEDIA_CONTENT_DIR),
      target: o.target,
      passwordFile: o.passwordFile,
      json: o.json,
    },
    io,
  );
}
