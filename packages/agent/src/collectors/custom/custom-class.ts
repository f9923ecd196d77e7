import { open } from 'node:fs/promises';
import { normalize } from 'node:path';
import {
  findUnsafeText,
  withSafeText,
  type CustomClassDefinition,
  type CustomClassProperty,
  type InventoryInstance,
} from '@steward/protocol';
import { errorMessage } from '../../errors.js';
import { runShell } from '../system.js';
import { coerceValue, getPath, parseIni, parseKeyValue } from './parsers.js';

const MAX_SOURCE_BYTES = 16 * 1024 * 1024;
const MAX_INSTANCES = 100_000;
const DEFAULT_COMMAND_TIMEOUT_SECONDS = 30;

/** A custom class that could not be collected (status CUSTOM_CLASS_FAILED); the class is left out of the report. */
export class CustomClassError extends Error {}

async function readBounded(path: string, maxBytes: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const info = await handle.stat();
    if (!info.isFile() && !path.startsWith('/proc/') && !path.startsWith('/sys/')) {
      throw new CustomClassError(`${path} is not a regular file`);
    }
    const buffer = Buffer.alloc(Math.min(maxBytes, info.size > 0 ? info.size : 64 * 1024));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

function instanceFrom(
  props: readonly CustomClassProperty[],
  lookup: (from: string) => unknown,
): InventoryInstance {
  return Object.fromEntries(props.map((p) => [p.name, coerceValue(lookup(p.from), p.type)]));
}

function fromMap(
  def: CustomClassDefinition,
  map: ReadonlyMap<string, string>,
): InventoryInstance[] {
  return [instanceFrom(def.properties, (from) => map.get(from))];
}

function fromJson(
  def: CustomClassDefinition,
  text: string,
  instancesPath: string | undefined,
): InventoryInstance[] {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new CustomClassError(`not valid JSON: ${errorMessage(err)}`);
  }
  if (instancesPath === undefined || instancesPath === '') {
    return [instanceFrom(def.properties, (from) => getPath(root, from))];
  }
  const list = getPath(root, instancesPath);
  if (!Array.isArray(list)) throw new CustomClassError(`"${instancesPath}" is not an array`);
  const elements: unknown[] = def.multiInstance ? list : list.slice(0, 1);
  return elements.map((el) => instanceFrom(def.properties, (from) => getPath(el, from)));
}

function fromRegex(
  def: CustomClassDefinition,
  text: string,
  pattern: string | undefined,
): InventoryInstance[] {
  if (pattern === undefined) throw new CustomClassError('a regex class needs a pattern');
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'gm');
  } catch (err) {
    throw new CustomClassError(`bad pattern: ${errorMessage(err)}`);
  }
  const out: InventoryInstance[] = [];
  for (const m of text.matchAll(re)) {
    // `from` names a capture group, or gives its number.
    out.push(
      instanceFrom(def.properties, (from) =>
        /^\d+$/.test(from) ? m[Number(from)] : m.groups?.[from],
      ),
    );
    if (!def.multiInstance || out.length >= MAX_INSTANCES) break;
    if (m[0] === '') re.lastIndex++;
  }
  return out;
}

/** Only /proc and /sys may be read by a kernel class, and `..` cannot climb out of them. */
export function kernelPath(from: string): string {
  const path = normalize(from);
  if (!path.startsWith('/proc/') && !path.startsWith('/sys/')) {
    throw new CustomClassError(`"${from}" is not under /proc or /sys`);
  }
  return path;
}

async function kernelInstance(def: CustomClassDefinition): Promise<InventoryInstance[]> {
  const values = new Map<string, string | undefined>();
  for (const p of def.properties) {
    const path = kernelPath(p.from);
    // An absent attribute (no such device, module not loaded) is a null value, not a failure.
    values.set(
      p.from,
      await readBounded(path, 1024 * 1024).then(
        (t) => t.trim(),
        () => undefined,
      ),
    );
  }
  return [instanceFrom(def.properties, (from) => values.get(from))];
}

/**
 * Collects one custom inventory class from policy (the SMS_def.mof extension analog): a file
 * (keyvalue, ini, json), a shell command (regex, json, keyvalue) or kernel attributes. Values are
 * coerced to the declared types; NULs are removed and lone surrogates replaced (safe text). Throws CustomClassError (or a read error) when the class cannot
 * be collected; the caller raises CUSTOM_CLASS_FAILED and leaves the class out.
 */
export async function collectCustomClass(def: CustomClassDefinition): Promise<InventoryInstance[]> {
  const source = def.source;
  let instances: InventoryInstance[];
  switch (source.kind) {
    case 'file': {
      const text = await readBounded(source.path, MAX_SOURCE_BYTES).catch((err: unknown) => {
        throw new CustomClassError(`cannot read ${source.path}: ${errorMessage(err)}`);
      });
      if (source.format === 'json') instances = fromJson(def, text, source.instancesPath);
      else instances = fromMap(def, source.format === 'ini' ? parseIni(text) : parseKeyValue(text));
      break;
    }
    case 'command': {
      const timeoutSeconds = source.timeoutSeconds ?? DEFAULT_COMMAND_TIMEOUT_SECONDS;
      const res = await runShell(source.command, {
        timeoutMs: timeoutSeconds * 1000,
        maxOutputBytes: MAX_SOURCE_BYTES,
      }).catch((err: unknown) => {
        throw new CustomClassError(errorMessage(err));
      });
      if (res.exitCode !== 0) {
        throw new CustomClassError(
          `command exited with ${res.exitCode}${res.stderr.trim() === '' ? '' : `: ${res.stderr.trim().slice(0, 500)}`}`,
        );
      }
      if (source.format === 'regex') instances = fromRegex(def, res.stdout, source.pattern);
      else if (source.format === 'json')
        instances = fromJson(def, res.stdout, source.instancesPath);
      else instances = fromMap(def, parseKeyValue(res.stdout));
      break;
    }
    case 'kernel':
      instances = await kernelInstance(def);
      break;
  }
  const kept = instances.slice(0, def.multiInstance ? MAX_INSTANCES : 1);
  // A file or a command may hold NULs or broken UTF-16: cleaned here, so the inventory state
  // the next delta is computed from holds what the site will store.
  return findUnsafeText(kept) === undefined ? kept : withSafeText(kept);
}
