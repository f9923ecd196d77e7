import { describe, expect, it } from 'vitest';
import { buildModuleObject } from '../../../../test-support/driver-package.js';
import { aliasMatches, matchModaliases, NotElfError, readModInfo } from './modinfo.js';

/** A minimal ELF relocatable: sections [null, .modinfo, .shstrtab], in any class and byte order. */
function handMadeElf(opts: { is64: boolean; little: boolean; modinfo: string }): Buffer {
  const { is64, little } = opts;
  const names = Buffer.from('\0.modinfo\0.shstrtab\0');
  const info = Buffer.from(opts.modinfo);
  const ehsize = is64 ? 64 : 52;
  const shentsize = is64 ? 64 : 40;
  const infoAt = ehsize;
  const namesAt = infoAt + info.length;
  const shoff = namesAt + names.length;
  const buf = Buffer.alloc(shoff + 3 * shentsize);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, little ? 1 : 2, 1]).copy(buf, 0);
  const u16 = (v: number, at: number) =>
    little ? buf.writeUInt16LE(v, at) : buf.writeUInt16BE(v, at);
  const u32 = (v: number, at: number) =>
    little ? buf.writeUInt32LE(v, at) : buf.writeUInt32BE(v, at);
  const word = (v: number, at: number) =>
    is64
      ? little
        ? buf.writeBigUInt64LE(BigInt(v), at)
        : buf.writeBigUInt64BE(BigInt(v), at)
      : u32(v, at);
  word(shoff, is64 ? 0x28 : 0x20);
  u16(shentsize, is64 ? 0x3a : 0x2e);
  u16(3, is64 ? 0x3c : 0x30);
  u16(2, is64 ? 0x3e : 0x32);
  info.copy(buf, infoAt);
  names.copy(buf, namesAt);
  const section = (i: number, name: number, offset: number, size: number) => {
    const at = shoff + i * shentsize;
    u32(name, at);
    word(offset, at + (is64 ? 0x18 : 0x10));
    word(size, at + (is64 ? 0x20 : 0x14));
  };
  section(1, 1, infoAt, info.length);
  section(2, 10, namesAt, names.length);
  return buf;
}

describe('readModInfo', () => {
  it('reads the .modinfo of a module compiled by gcc, repeated keys in order', () => {
    const obj = buildModuleObject([
      ['alias', 'pci:v00008086d000010D3sv*sd*bc*sc*i*'],
      ['alias', 'pci:v00008086d000015B8sv*sd*bc*sc*i*'],
      ['firmware', 'e1000e/fw.bin'],
      ['license', 'GPL'],
      ['name', 'e1000e'],
    ]);
    const { fields } = readModInfo(obj);
    expect(fields.get('alias')).toEqual([
      'pci:v00008086d000010D3sv*sd*bc*sc*i*',
      'pci:v00008086d000015B8sv*sd*bc*sc*i*',
    ]);
    expect(fields.get('firmware')).toEqual(['e1000e/fw.bin']);
    expect(fields.get('name')).toEqual(['e1000e']);
  });

  it.each([
    { is64: true, little: true },
    { is64: true, little: false },
    { is64: false, little: true },
    { is64: false, little: false },
  ])('reads 32- and 64-bit, little- and big-endian ELF (%o)', (shape) => {
    const buf = handMadeElf({ ...shape, modinfo: 'alias=usb:v0BDAp8153d*\0license=GPL\0' });
    expect(readModInfo(buf).fields.get('alias')).toEqual(['usb:v0BDAp8153d*']);
  });

  it('refuses what is not ELF or is cut short, with NotElfError', () => {
    expect(() =>
      readModInfo(Buffer.from('not an elf file at all, just some text here....')),
    ).toThrow(NotElfError);
    const whole = handMadeElf({ is64: true, little: true, modinfo: 'alias=x\0' });
    expect(() => readModInfo(whole.subarray(0, whole.length - 10))).toThrow(NotElfError);
  });

  it('gives no fields for an ELF file without .modinfo', () => {
    const buf = handMadeElf({ is64: true, little: true, modinfo: '' });
    buf.write('.nomodinf', 64 + 1); // rename the section
    expect(readModInfo(buf).fields.size).toBe(0);
  });
});

describe('aliasMatches (fnmatch, as kmod)', () => {
  const pci = 'pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00';
  it.each([
    ['pci:v00008086d000010D3sv*sd*bc*sc*i*', pci, true],
    ['pci:v00008086d000010D4sv*sd*bc*sc*i*', pci, false],
    ['pci:v*d*sv*sd*bc02sc00i*', pci, true],
    ['pci:v0000808?d000010D3*', pci, true],
    ['pci:v0000808[5-7]d000010D3*', pci, true],
    ['pci:v0000808[0-5]d000010D3*', pci, false],
    ['pci:v0000808[!6]d000010D3*', pci, false],
    [
      'usb:v0BDAp8153d*dc*dsc*dp*ic*isc*ip*in*',
      'usb:v0BDAp8153d3000dc00dsc00dp00icFFisc06ip00in00',
      true,
    ],
    ['pci:v00008086d000010D3sv*sd*bc*sc*i*', pci + 'x', true],
    ['pci:v00008086', pci, false],
    ['a.b(c)+', 'a.b(c)+', true],
    ['a.b', 'axb', false],
  ])('%s ~ %s -> %s', (pattern, modalias, expected) => {
    expect(aliasMatches(pattern, modalias)).toBe(expected);
  });
});

describe('matchModaliases', () => {
  it('lists, per modalias, every alias that matches it, and none for unmatched hardware', () => {
    const aliases = [
      { alias: 'pci:v00008086d000015B8sv*sd*bc*sc*i*', driver: 'e1000e' },
      { alias: 'pci:v00008086d*sv*sd*bc02sc00i*', driver: 'generic-intel-net' },
      { alias: 'usb:v0BDAp8153d*', driver: 'r8152' },
    ];
    const nic = 'pci:v00008086d000015B8sv00001028sd000007A1bc02sc00i00';
    const gpu = 'pci:v000010DEd00001C82sv00001043sd00008613bc03sc00i00';
    const got = matchModaliases(aliases, [nic, gpu]);
    expect(got.get(nic)?.map((a) => a.driver)).toEqual(['e1000e', 'generic-intel-net']);
    expect(got.get(gpu)).toEqual([]);
    expect([...got.keys()]).toEqual([nic, gpu]);
  });
});
