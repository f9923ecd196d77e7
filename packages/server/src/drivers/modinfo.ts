/**
 * Reads a kernel module's `.modinfo` section straight from its ELF file, as modinfo(8) does:
 * NUL-separated `key=value` strings (alias, firmware, license, description, version, vermagic,
 * name, depends). Parsed in process (no kmod on the site server), for 32- and 64-bit, little- and
 * big-endian ELF, so arm64 and x86 modules read alike.
 */

export interface ModInfo {
  /** Every key's values in order (alias and firmware repeat). */
  fields: Map<string, string[]>;
}

export class NotElfError extends Error {}

const MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

interface Reader {
  u16(at: number): number;
  u32(at: number): number;
  word(at: number): number;
}

function readerOf(buf: Buffer, is64: boolean, little: boolean): Reader {
  const need = (at: number, n: number) => {
    if (at < 0 || at + n > buf.length)
      throw new NotElfError('truncated ELF header or section table');
  };
  const u16 = (at: number) => (need(at, 2), little ? buf.readUInt16LE(at) : buf.readUInt16BE(at));
  const u32 = (at: number) => (need(at, 4), little ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const u64 = (at: number) => {
    need(at, 8);
    const v = little ? buf.readBigUInt64LE(at) : buf.readBigUInt64BE(at);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new NotElfError('ELF offset out of range');
    return Number(v);
  };
  return { u16, u32, word: is64 ? u64 : u32 };
}

interface Section {
  name: number;
  offset: number;
  size: number;
}

/** The sections of an ELF file (name offsets into the section-name string table). */
function sections(buf: Buffer): { list: Section[]; names: Section } {
  if (buf.length < 52 || !buf.subarray(0, 4).equals(MAGIC))
    throw new NotElfError('not an ELF file');
  const cls = buf[4];
  const data = buf[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2))
    throw new NotElfError('unknown ELF class or byte order');
  const is64 = cls === 2;
  const r = readerOf(buf, is64, data === 1);
  const shoff = r.word(is64 ? 0x28 : 0x20);
  const shentsize = r.u16(is64 ? 0x3a : 0x2e);
  const shnum = r.u16(is64 ? 0x3c : 0x30);
  const shstrndx = r.u16(is64 ? 0x3e : 0x32);
  if (shnum === 0 || shstrndx >= shnum || shentsize < (is64 ? 64 : 40))
    throw new NotElfError('ELF file without a usable section table');
  if (shoff + shnum * shentsize > buf.length)
    throw new NotElfError('ELF section table beyond the end of the file');
  const list: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    const offset = r.word(at + (is64 ? 0x18 : 0x10));
    const size = r.word(at + (is64 ? 0x20 : 0x14));
    if (offset + size > buf.length) throw new NotElfError('ELF section beyond the end of the file');
    list.push({ name: r.u32(at), offset, size });
  }
  const names = list[shstrndx];
  if (!names) throw new NotElfError('ELF file without section names');
  return { list, names };
}

function cString(buf: Buffer, at: number, end: number): string {
  const stop = buf.indexOf(0, at);
  return buf.toString('utf8', at, stop === -1 || stop > end ? end : stop);
}

/** The `.modinfo` fields of a kernel module (an ELF relocatable file). */
export function readModInfo(buf: Buffer): ModInfo {
  const { list, names } = sections(buf);
  const fields = new Map<string, string[]>();
  const section = list.find(
    (s) =>
      s.name < names.size &&
      cString(buf, names.offset + s.name, names.offset + names.size) === '.modinfo',
  );
  if (!section) return { fields };
  const text = buf.toString('utf8', section.offset, section.offset + section.size);
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const key = entry.slice(0, eq);
    fields.set(key, [...(fields.get(key) ?? []), entry.slice(eq + 1)]);
  }
  return { fields };
}

/**
 * Whether a modalias matches an alias pattern, with fnmatch(3) semantics as kmod uses them:
 * `*` any run, `?` one character, `[...]` a class (`!` or `^` negates).
 */
export function aliasMatches(pattern: string, modalias: string): boolean {
  return globRegExp(pattern).test(modalias);
}

const cache = new Map<string, RegExp>();

function globRegExp(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let out = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) out += '\\[';
      else {
        let body = pattern.slice(i + 1, close);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        out += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
        i = close;
      }
    } else out += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  const re = new RegExp(out + '$', 's');
  if (cache.size > 10_000) cache.clear();
  cache.set(pattern, re);
  return re;
}

/**
 * The enabled drivers' aliases each hardware modalias matches (fnmatch, as kmod): one answer for
 * the site's driver view of a device (`forDevice`) and the boot environment's auto match.
 */
export function matchModaliases<A extends { alias: string }>(
  aliases: readonly A[],
  modaliases: readonly string[],
): Map<string, A[]> {
  const out = new Map<string, A[]>();
  for (const modalias of modaliases)
    out.set(
      modalias,
      aliases.filter((a) => aliasMatches(a.alias, modalias)),
    );
  return out;
}
