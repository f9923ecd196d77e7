import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memoryCollector, memoryInstance, parseMeminfo } from './memory.js';

const MEMINFO = `MemTotal:       16318412 kB
MemFree:         1236920 kB
MemAvailable:    9874236 kB
Buffers:          612340 kB
SwapTotal:       2097148 kB
HugePages_Total:       0
Active(anon):    2841844 kB
`;

describe('meminfo', () => {
  it('parses kB values and counters', () => {
    const m = parseMeminfo(MEMINFO);
    expect(m.get('MemTotal')).toBe(16318412);
    expect(m.get('HugePages_Total')).toBe(0);
    expect(m.get('Active(anon)')).toBe(2841844);
    expect(memoryInstance(m)).toEqual({ totalMb: 15936, availableMb: 9643, swapTotalMb: 2048 });
  });

  it('matches /proc/meminfo on this machine', async () => {
    const [mem] = await memoryCollector.collect({
      startedAt: new Date(),
      softwareScanPaths: [],
      maxSoftwareFiles: 1,
    });
    const total = /^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
    expect(total).toBeDefined();
    expect(mem?.['totalMb']).toBe(Math.round(Number(total) / 1024));
    expect(Number(mem?.['availableMb'])).toBeGreaterThan(0);
  });
});
