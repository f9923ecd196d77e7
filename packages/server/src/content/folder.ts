import { InputError, ErrorCode } from '@steward/protocol';
import { createReadStream } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { ManifestEntry } from '@steward/protocol';
import { READ_HIGH_WATER_MARK, type ContentStore } from './content-store.js';
import type { OnStored } from './archive.js';

interface FolderFile {
  path: string;
  abs: string;
  mode: number;
}

/** Regular files under `root`, sorted; symbolic links are not followed (they could leave it). */
async function walk(root: string, prefix = ''): Promise<FolderFile[]> {
  const out: FolderFile[] = [];
  const dir = await opendir(join(root, prefix));
  const names: string[] = [];
  for await (const d of dir) names.push(d.name);
  names.sort();
  for (const name of names) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const abs = join(root, rel);
    const st = await lstat(abs);
    if (st.isDirectory()) out.push(...(await walk(root, rel)));
    else if (st.isFile()) out.push({ path: rel, abs, mode: st.mode & 0o7777 });
  }
  return out;
}

function invalid(message: string, path: string): InputError {
  return new InputError(ErrorCode.INVALID_FOLDER, message, { path });
}

/**
 * Stores every regular file under a folder of the site server (the SMS "package source") and
 * returns the manifest. The folder is read with the server's own permissions: only
 * administrators holding software:write get here.
 */
export async function importFolder(
  store: ContentStore,
  folder: string,
  onStored: OnStored,
): Promise<ManifestEntry[]> {
  if (!isAbsolute(folder)) throw invalid(`"${folder}" is not an absolute path`, folder);
  let files: FolderFile[];
  try {
    if (!(await lstat(folder)).isDirectory()) throw invalid(`"${folder}" is not a folder`, folder);
    files = await walk(folder);
  } catch (err) {
    if (err instanceof InputError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw invalid(`"${folder}" cannot be read: ${why}`, folder);
  }
  if (files.length === 0) throw invalid(`"${folder}" holds no files`, folder);
  const manifest: ManifestEntry[] = [];
  for (const f of files) {
    const stored = await store.putStream(
      createReadStream(f.abs, { highWaterMark: READ_HIGH_WATER_MARK }),
    );
    await onStored(stored);
    manifest.push({ path: f.path, sha256: stored.sha256, size: stored.size, mode: f.mode });
  }
  return manifest;
}
