import type { InventoryInstance } from '@steward/protocol';
import { readText } from '../system.js';
import type { ClassCollector } from '../types.js';

/** Parses /proc/meminfo into kB values. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out.set(m[1], Number(m[2]));
  }
  return out;
}

function kbToMb(kb: number | undefined): number | null {
  return kb === undefined ? null : Math.round(kb / 1024);
}

export function memoryInstance(meminfo: Map<string, number>): InventoryInstance {
  return {
    totalMb: kbToMb(meminfo.get('MemTotal')),
    availableMb: kbToMb(meminfo.get('MemAvailable') ?? meminfo.get('MemFree')),
    swapTotalMb: kbToMb(meminfo.get('SwapTotal')),
  };
}

export const memoryCollector: ClassCollector = {
  className: 'memory',
  async collect(): Promise<InventoryInstance[]> {
    const text = await readText('/proc/meminfo');
    if (text === undefined) throw new Error('/proc/meminfo is not readable');
    return [memoryInstance(parseMeminfo(text))];
  },
};
