import { cp, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { dearmorKeyring, type UpgradeSpec } from '@steward/protocol';
import { writeFileAtomic } from '../state/atomic-file.js';

/**
 * The apt sources of an in-place upgrade (ADR 0102). The machine's own sources (sources.list
 * and sources.list.d) are copied to a backup folder before anything changes, then replaced by
 * ONE deb822 file naming the target release with the package's keyring as its only Signed-By.
 * Third-party sources are left out on purpose: they are written for the old release, and are
 * what most often breaks an upgrade; the backup keeps them to add back.
 *
 * The backup is complete only once its `complete` marker is written, so an upgrade stopped
 * half-way (power cut) is recognised at the next run and the machine's sources restored first.
 */

export const UPGRADE_SOURCES_FILE = 'steward-upgrade.sources';
export const UPGRADE_KEYRING_FILE = 'steward-upgrade.gpg';
const MARKER = 'complete';

export interface SourcesPaths {
  aptDir: string;
  backupDir: string;
  keyring: string;
}

export function sourcesPaths(root: string): SourcesPaths {
  return {
    aptDir: join(root, 'etc/apt'),
    backupDir: join(root, 'var/lib/steward/os-upgrade/sources-backup'),
    keyring: join(root, 'etc/apt/keyrings', UPGRADE_KEYRING_FILE),
  };
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

/** The deb822 stanzas for the target release. */
export function deb822Of(spec: UpgradeSpec, keyringPath: string): string {
  return spec.sources
    .map((s) =>
      [
        `Types: deb`,
        `URIs: ${s.url}`,
        `Suites: ${s.suite}`,
        `Components: ${s.components.join(' ')}`,
        `Signed-By: ${keyringPath}`,
        '',
      ].join('\n'),
    )
    .join('\n');
}

/** True when a complete backup from an earlier, interrupted run is waiting. */
export async function backupWaiting(p: SourcesPaths): Promise<boolean> {
  return exists(join(p.backupDir, MARKER));
}

/** Copies the machine's sources to the backup folder (and marks it complete). */
async function backup(p: SourcesPaths): Promise<void> {
  await rm(p.backupDir, { recursive: true, force: true });
  await mkdir(p.backupDir, { recursive: true });
  for (const name of ['sources.list', 'sources.list.d'])
    if (await exists(join(p.aptDir, name)))
      await cp(join(p.aptDir, name), join(p.backupDir, name), {
        recursive: true,
        preserveTimestamps: true,
      });
  await writeFile(join(p.backupDir, MARKER), '');
}

/** Backs the sources up, then writes the target's sources and keyring in their place. */
export async function switchSources(p: SourcesPaths, spec: UpgradeSpec): Promise<void> {
  const key = dearmorKeyring(spec.keyring);
  if ('error' in key) throw new Error(`the upgrade package's keyring: ${key.error}`);
  await backup(p);
  await mkdir(join(p.aptDir, 'keyrings'), { recursive: true });
  await writeFileAtomic(p.keyring, Buffer.from(key.bytes), { mode: 0o644 });
  await rm(join(p.aptDir, 'sources.list'), { force: true });
  const dir = join(p.aptDir, 'sources.list.d');
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(dir))
    await rm(join(dir, name), { recursive: true, force: true });
  await writeFileAtomic(join(dir, UPGRADE_SOURCES_FILE), deb822Of(spec, p.keyring), {
    mode: 0o644,
  });
}

/**
 * Puts the backed-up sources back (the target's file and keyring go) and drops the backup.
 * Without a complete backup nothing is touched: the sources were never switched.
 */
export async function restoreSources(p: SourcesPaths): Promise<boolean> {
  if (!(await backupWaiting(p))) return false;
  await rm(join(p.aptDir, 'sources.list'), { force: true });
  await rm(join(p.aptDir, 'sources.list.d'), { recursive: true, force: true });
  await mkdir(join(p.aptDir, 'sources.list.d'), { recursive: true });
  for (const name of ['sources.list', 'sources.list.d'])
    if (await exists(join(p.backupDir, name)))
      await cp(join(p.backupDir, name), join(p.aptDir, name), {
        recursive: true,
        preserveTimestamps: true,
      });
  await rm(p.keyring, { force: true });
  await rm(p.backupDir, { recursive: true, force: true });
  return true;
}

/**
 * After a successful upgrade the backup is kept beside, under the release it came from (the
 * third-party sources left out are there to add back), no longer a backup waiting to restore.
 */
export async function retireBackup(p: SourcesPaths, fromCodename: string): Promise<string> {
  const kept = join(dirname(p.backupDir), `sources-before-${fromCodename}`);
  await rm(kept, { recursive: true, force: true });
  await rm(join(p.backupDir, MARKER), { force: true });
  await rename(p.backupDir, kept);
  return kept;
}
