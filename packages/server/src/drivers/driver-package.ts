import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { ErrorCode, InputError, type DriverModule } from '@steward/protocol';
import { NotElfError, readModInfo } from './modinfo.js';

const run = promisify(execFile);

/** What a driver package holds, read from the .deb itself. */
export interface DriverPackageContents {
  package: string;
  version: string;
  architecture: string;
  description: string;
  modules: DriverModule[];
  firmwareFiles: string[];
}

const MODULE = /\.ko(\.(xz|gz|zst))?$/;
const FIRMWARE = /^(usr\/)?lib\/firmware\//;
const RELEASE_IN_PATH = /^(?:usr\/)?lib\/modules\/([^/]+)\//;

function invalid(message: string): InputError {
  return new InputError(ErrorCode.DRIVER_INVALID_PACKAGE, message);
}

async function control(
  file: string,
): Promise<Omit<DriverPackageContents, 'modules' | 'firmwareFiles'>> {
  let out: string;
  try {
    ({ stdout: out } = await run(
      'dpkg-deb',
      ['--field', file, 'Package', 'Version', 'Architecture', 'Description'],
      { maxBuffer: 1 << 20 },
    ));
  } catch {
    throw invalid('the upload is not a Debian binary package (dpkg-deb cannot read it)');
  }
  const fields = new Map<string, string>();
  let last = '';
  for (const line of out.split('\n')) {
    const m = /^([A-Za-z-]+):\s?(.*)$/.exec(line);
    if (m?.[1] !== undefined) {
      last = m[1];
      fields.set(last, m[2] ?? '');
    }
  }
  const pkg = fields.get('Package');
  const version = fields.get('Version');
  const architecture = fields.get('Architecture');
  if (!pkg || !version || !architecture)
    throw invalid('the package has no Package, Version or Architecture field');
  return { package: pkg, version, architecture, description: fields.get('Description') ?? '' };
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(path)));
    else if (e.isFile()) out.push(path);
  }
  return out;
}

/** A module file's bytes, decompressed as kmod does for `.ko.xz`, `.ko.gz` and `.ko.zst`. */
async function moduleBytes(path: string): Promise<Buffer> {
  if (path.endsWith('.ko')) return readFile(path);
  if (path.endsWith('.gz')) return gunzipSync(await readFile(path));
  const tool = path.endsWith('.xz') ? 'xz' : 'zstd';
  try {
    const { stdout } = await run(tool, ['-dc', path], {
      encoding: 'buffer',
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  } catch {
    throw invalid(`${path.split(sep).slice(-1)[0] ?? path}: cannot be decompressed with ${tool}`);
  }
}

function one(fields: Map<string, string[]>, key: string): string | null {
  return fields.get(key)?.[0] ?? null;
}

async function readModule(root: string, file: string): Promise<DriverModule> {
  const path = relative(root, file).split(sep).join('/');
  let fields: Map<string, string[]>;
  try {
    ({ fields } = readModInfo(await moduleBytes(file)));
  } catch (err) {
    if (err instanceof NotElfError) throw invalid(`${path}: ${err.message}`);
    throw err;
  }
  const fileName = path.split('/').pop() ?? path;
  const vermagic = one(fields, 'vermagic');
  return {
    name: one(fields, 'name') ?? fileName.replace(MODULE, '').replace(/-/g, '_'),
    path,
    kernelRelease: RELEASE_IN_PATH.exec(path)?.[1] ?? vermagic?.split(' ')[0] ?? null,
    version: one(fields, 'version'),
    description: one(fields, 'description'),
    license: one(fields, 'license'),
    aliases: [...new Set(fields.get('alias') ?? [])],
    firmware: [...new Set(fields.get('firmware') ?? [])],
  };
}

/**
 * Reads a driver package: its control fields, then (unpacked with dpkg-deb into a private
 * temporary folder, removed afterwards) every kernel module's `.modinfo` and every firmware file.
 */
export async function readDriverPackage(file: string): Promise<DriverPackageContents> {
  const head = await control(file);
  const dir = await mkdtemp(join(tmpdir(), 'steward-driver-'));
  try {
    try {
      await run('dpkg-deb', ['-x', file, dir], { maxBuffer: 1 << 20 });
    } catch {
      throw invalid('the package cannot be unpacked (dpkg-deb -x failed)');
    }
    const files = (await walk(dir)).sort();
    const modules: DriverModule[] = [];
    for (const f of files.filter((f) => MODULE.test(f))) modules.push(await readModule(dir, f));
    const firmwareFiles = files
      .map((f) => relative(dir, f).split(sep).join('/'))
      .filter((p) => FIRMWARE.test(p));
    if (modules.length === 0 && firmwareFiles.length === 0)
      throw new InputError(
        ErrorCode.DRIVER_NO_CONTENT,
        `${head.package} holds no kernel module (*.ko) and no firmware (lib/firmware): not a driver package`,
      );
    return { ...head, modules, firmwareFiles };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
