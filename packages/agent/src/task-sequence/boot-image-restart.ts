import { Agent } from 'node:https';
import { chmod, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import type { AgentBootImage } from '@steward/protocol';
import { pinnedTlsOptions } from '@steward/protocol/node';
import type { HttpsClient } from '../channel/https-client.js';
import { readFileIfExists, writeFileAtomic } from '../state/atomic-file.js';
import { downloadFile } from '../software/content/dp-download.js';
import { sha256File } from '../software/content/file-hash.js';
import { fetchContentLocations } from '../software/content/locations.js';
import { runProgram } from './run-program.js';

/**
 * Restarting from the full OS into the boot image (issue 11, ADR 0105). The restart step
 * downloads the boot image's kernel and initramfs from a DP into `<root>/boot/steward` (each
 * checked against its SHA-256); when the engine has saved its state, the reboot writes a second
 * initramfs holding the resume file and the engine's state (a newc cpio GRUB loads after the
 * image's own), a GRUB entry for them sourced from `custom.cfg`, and makes it the next boot
 * only (`grub-reboot`). The boot environment finds the run in `/steward-resume` and resumes it.
 */

/** Where the boot environment finds the resume file and the state (in its initramfs root). */
export const RESUME_DIR = '/steward-resume';
/** The GRUB menu entry id `grub-reboot` names. */
export const BOOT_ENTRY_ID = 'steward-boot-image';
const STAGE_DIR = 'boot/steward';
const BLOCK_BEGIN = '### BEGIN steward boot image (written by the agent; removed after use)';
const BLOCK_END = '### END steward boot image';

export const ResumeFile = Type.Object({
  format: Type.Literal(1),
  siteUrl: Type.String({ pattern: '^https://' }),
  deviceId: Type.String({ minLength: 1, maxLength: 200 }),
  deploymentId: Type.String({ minLength: 1, maxLength: 200 }),
  token: Type.String({ minLength: 1, maxLength: 8000 }),
});
export type ResumeFile = Static<typeof ResumeFile>;

/** One file of a newc ("070701") cpio archive, the format the kernel unpacks an initramfs from. */
interface CpioEntry {
  name: string;
  mode: number;
  data: Buffer;
}

const pad4 = (n: number) => (4 - (n % 4)) % 4;

function cpioRecord(e: CpioEntry, ino: number): Buffer {
  const name = Buffer.from(`${e.name}\0`, 'utf8');
  const fields = [ino, e.mode, 0, 0, 1, 0, e.data.length, 0, 0, 0, 0, name.length, 0];
  const header = Buffer.from(
    `070701${fields.map((f) => f.toString(16).padStart(8, '0')).join('')}`,
  );
  return Buffer.concat([
    header,
    name,
    Buffer.alloc(pad4(header.length + name.length)),
    e.data,
    Buffer.alloc(pad4(e.data.length)),
  ]);
}

export function newcArchive(entries: readonly CpioEntry[]): Buffer {
  const records = entries.map((e, i) => cpioRecord(e, i + 1));
  const trailer = cpioRecord({ name: 'TRAILER!!!', mode: 0, data: Buffer.alloc(0) }, 0);
  return Buffer.concat([...records, trailer]);
}

/** The GRUB entry: finds the staged files on whichever file system holds /boot. */
export function grubEntry(image: AgentBootImage, siteUrl: string, deploymentId: string): string {
  const args = `${image.kernelArgs} steward.site=${siteUrl} steward.resume=${deploymentId}`.trim();
  return [
    `menuentry 'Steward boot image ${image.name} ${String(image.version)}' --id ${BOOT_ENTRY_ID} {`,
    `  if search --no-floppy --file --set=root /${STAGE_DIR}/vmlinuz; then set stw=/${STAGE_DIR}; else search --no-floppy --file --set=root /steward/vmlinuz; set stw=/steward; fi`,
    `  linux $stw/vmlinuz ${args}`,
    `  initrd $stw/initrd.img $stw/resume.cpio`,
    '}',
    '',
  ].join('\n');
}

/** `custom.cfg` with our block replaced (whatever else the administrator keeps there stays). */
export function withEntry(current: string, entry: string | undefined): string {
  const kept: string[] = [];
  let inside = false;
  for (const line of current.split('\n')) {
    if (line === BLOCK_BEGIN) inside = true;
    else if (line === BLOCK_END) inside = false;
    else if (!inside) kept.push(line);
  }
  while (kept.at(-1) === '') kept.pop();
  const head = kept.length > 0 ? `${kept.join('\n')}\n` : '';
  return entry === undefined ? head : `${head}${BLOCK_BEGIN}\n${entry}${BLOCK_END}\n`;
}

export interface BootImageRestartOptions {
  /** The system root ('/' on a real machine). */
  root: string;
  http: HttpsClient;
  caPem: string;
  siteUrl: string;
  deviceId: string;
}

/** The restart step's half: the image's files on the local disk, SHA-256 checked. */
export async function stageBootImage(
  o: BootImageRestartOptions,
  image: AgentBootImage,
): Promise<string> {
  const dir = join(o.root, STAGE_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const needed = ['vmlinuz', 'initrd.img'].map((name) => {
    const f = image.files.find((x) => x.name === name);
    if (!f) throw new Error(`boot image ${image.name} has no ${name}`);
    return f;
  });
  const missing = [];
  for (const f of needed) {
    const have = await sha256File(join(dir, f.name)).catch(() => undefined);
    if (have !== f.sha256) missing.push(f);
  }
  if (missing.length === 0)
    return `boot image ${image.name} ${String(image.version)} already staged`;
  const where = await fetchContentLocations(o.http, image.packageVersionId);
  const agent = new Agent({ keepAlive: false, ...pinnedTlsOptions(o.caPem) });
  const problems: string[] = [];
  try {
    for (const f of missing) {
      let done = false;
      for (const loc of where.locations.filter((l) => l.afterMinutes === 0)) {
        const partial = join(dir, `${f.name}.partial`);
        const got = await downloadFile({
          agent,
          baseUrl: loc.url,
          accessToken: where.accessToken,
          sha256: f.sha256,
          size: f.size,
          partialPath: partial,
        });
        if (got.kind === 'complete') {
          await rename(partial, join(dir, f.name));
          done = true;
          break;
        }
        problems.push(`${f.name} from ${loc.name}: ${'reason' in got ? got.reason : got.kind}`);
        if (got.kind === 'local-failure') break;
      }
      if (!done)
        throw new Error(
          `boot image file ${f.name} not downloaded: ${problems.join('; ') || 'no DP holds it'}`,
        );
    }
  } finally {
    agent.destroy();
  }
  return `boot image ${image.name} ${String(image.version)} staged in /${STAGE_DIR} (SHA-256 verified)`;
}

/**
 * The reboot's half, once the engine saved its state: the resume archive, the GRUB entry and
 * `grub-reboot` (the next boot only: a boot image that cannot reach the site leaves the machine
 * on its installed system at the boot after).
 */
export async function armBootImage(
  o: BootImageRestartOptions,
  image: AgentBootImage,
  deploymentId: string,
  stateFile: string,
): Promise<void> {
  const dir = join(o.root, STAGE_DIR);
  const state = await readFile(stateFile);
  const resume: ResumeFile = {
    format: 1,
    siteUrl: o.siteUrl,
    deviceId: o.deviceId,
    deploymentId,
    token: image.resumeToken,
  };
  const name = RESUME_DIR.slice(1);
  const cpio = newcArchive([
    { name, mode: 0o040700, data: Buffer.alloc(0) },
    { name: `${name}/resume.json`, mode: 0o100600, data: Buffer.from(JSON.stringify(resume)) },
    { name: `${name}/state.json`, mode: 0o100600, data: state },
  ]);
  await writeFileAtomic(join(dir, 'resume.cpio'), cpio, { mode: 0o600 });
  await chmod(join(dir, 'resume.cpio'), 0o600);
  const grubDir = join(o.root, 'boot/grub');
  await mkdir(grubDir, { recursive: true });
  const custom = join(grubDir, 'custom.cfg');
  const current = (await readFileIfExists(custom)) ?? '';
  await writeFileAtomic(custom, withEntry(current, grubEntry(image, o.siteUrl, deploymentId)), {
    mode: 0o600,
  });
  const run = await runProgram(
    'grub-reboot',
    [`--boot-directory=${join(o.root, 'boot')}`, BOOT_ENTRY_ID],
    { env: pathEnv(), signal: new AbortController().signal },
  );
  if (run.exitCode !== 0)
    throw new Error(`grub-reboot failed (exit code ${String(run.exitCode)}): ${run.outputTail}`);
}

/** After the boot image's run: the entry and the resume archive (it holds a token) go. */
export async function disarmBootImage(root: string): Promise<void> {
  const custom = join(root, 'boot/grub/custom.cfg');
  const current = await readFileIfExists(custom);
  if (current !== undefined && current.includes(BLOCK_BEGIN))
    await writeFileAtomic(custom, withEntry(current, undefined), { mode: 0o600 });
  await rm(join(root, STAGE_DIR, 'resume.cpio'), { force: true });
}

function pathEnv(): Record<string, string> {
  return { PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin:/usr/bin:/bin` };
}
