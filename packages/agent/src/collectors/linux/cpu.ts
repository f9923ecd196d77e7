import { cpus } from 'node:os';
import type { InventoryInstance } from '@steward/protocol';
import { readAttr, readText } from '../system.js';
import type { ClassCollector } from '../types.js';

export interface CpuInfo {
  model: string | null;
  vendor: string | null;
  sockets: number;
  cores: number;
  threads: number;
  mhz: number | null;
}

/** Parses /proc/cpuinfo (x86 and ARM layouts): one block per logical processor. */
export function parseCpuinfo(text: string): CpuInfo {
  const blocks = text
    .split(/\n\s*\n/)
    .map((block) => {
      const fields = new Map<string, string>();
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0)
          fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      return fields;
    })
    .filter((f) => f.has('processor'));
  const first = blocks[0];
  const sockets = new Set(blocks.map((b) => b.get('physical id') ?? '0'));
  const cores = new Set(
    blocks.map(
      (b) => `${b.get('physical id') ?? '0'}:${b.get('core id') ?? b.get('processor') ?? ''}`,
    ),
  );
  const mhzText = first?.get('cpu mhz');
  const mhz = mhzText === undefined ? Number.NaN : Number.parseFloat(mhzText);
  return {
    model: first?.get('model name') ?? first?.get('hardware') ?? first?.get('cpu model') ?? null,
    vendor: first?.get('vendor_id') ?? first?.get('cpu implementer') ?? null,
    sockets: Math.max(1, sockets.size),
    cores: Math.max(1, cores.size),
    threads: Math.max(1, blocks.length),
    mhz: Number.isFinite(mhz) ? Math.round(mhz) : null,
  };
}

export const cpuCollector: ClassCollector = {
  className: 'cpu',
  async collect(): Promise<InventoryInstance[]> {
    const info = parseCpuinfo((await readText('/proc/cpuinfo')) ?? '');
    const nodeCpus = cpus();
    // The rated maximum is stable; the current clock drifts and would make every delta "changed".
    const maxKhz = Number(await readAttr('/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq'));
    const mhz =
      Number.isFinite(maxKhz) && maxKhz > 0
        ? Math.round(maxKhz / 1000)
        : (info.mhz ?? nodeCpus[0]?.speed ?? null);
    return [
      {
        model: info.model ?? nodeCpus[0]?.model ?? null,
        vendor: info.vendor,
        sockets: info.sockets,
        cores: info.cores,
        threads: Math.max(info.threads, nodeCpus.length),
        mhz,
      },
    ];
  },
};
