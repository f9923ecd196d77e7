import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { CollectContext } from '../types.js';
import { readAttr } from '../system.js';

/** The root the sysfs/procfs collectors read under (`/`, or a fixture tree in tests). */
export function rootOf(ctx: Pick<CollectContext, 'root'>): string {
  return ctx.root ?? '/';
}

/** Path of `parts` under `root`: `under('/tmp/fx', '/sys/block')` is `/tmp/fx/sys/block`. */
export function under(root: string, ...parts: string[]): string {
  return join(root, ...parts);
}

export type AttrResult = { value: string | null; unreadable: boolean };

/**
 * One sysfs attribute, telling "absent or empty" (null) from "present but not readable by this
 * agent" (`unreadable`, e.g. product_serial for a non-root agent), so the reason can be recorded.
 */
export async function readAttrChecked(path: string): Promise<AttrResult> {
  const value = await readAttr(path);
  if (value !== undefined) return { value, unreadable: false };
  try {
    await access(path, constants.F_OK);
  } catch {
    return { value: null, unreadable: false };
  }
  try {
    await access(path, constants.R_OK);
    return { value: null, unreadable: false };
  } catch {
    return { value: null, unreadable: true };
  }
}

/** `0x8086` -> `8086`: the form lspci prints and pci.ids uses. */
export function hexId(value: string | undefined | null, width = 4): string | null {
  if (value === undefined || value === null) return null;
  const m = /^(?:0x)?([0-9a-fA-F]+)$/.exec(value.trim());
  return m?.[1] === undefined ? null : m[1].toLowerCase().padStart(width, '0');
}
