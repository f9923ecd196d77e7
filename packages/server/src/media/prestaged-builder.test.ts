import { describe, expect, it } from 'vitest';
import { mediaFileName } from '@steward/protocol';
import { prestagedLayout } from './prestaged-builder.js';

const MiB = 1024 * 1024;

describe('prestaged disk layout (ADR 0097)', () => {
  it('gives a small boot image a 64 MiB ESP and the root its image plus room', () => {
    const l = prestagedLayout(30 * MiB, 400 * MiB);
    expect(l.espStart).toBe(MiB);
    expect(l.espBytes).toBe(64 * MiB);
    expect(l.rootStart).toBe(65 * MiB);
    expect(l.rootBytes).toBe(564 * MiB); // 400 * 1.25 + 64
    expect(l.totalBytes).toBe(l.rootStart + l.rootBytes + MiB); // the backup GPT
  });

  it('grows the ESP with a large boot image, in whole MiB', () => {
    const l = prestagedLayout(150 * MiB + 1, 1);
    expect(l.espBytes).toBe(167 * MiB);
    expect(l.rootBytes % MiB).toBe(0);
  });

  it('names the file by kind: a disk image for prestaged media, an ISO for the others', () => {
    expect(mediaFileName({ name: 'factory', kind: 'prestaged' })).toBe('factory.img');
    expect(mediaFileName({ name: 'kiosk', kind: 'standalone' })).toBe('kiosk.iso');
  });
});
