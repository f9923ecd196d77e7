import { inflateRawSync } from 'node:zlib';
import { AdvisoryFormatError } from './parsed.js';

/** A zip's total uncompressed size this reader accepts (the OSV dumps of one release fit). */
const MAX_TOTAL = 512 * 1024 * 1024;

/**
 * The files of a zip archive (stored or deflated entries, as OSV's published dumps are), read
 * from its central directory. Directories are skipped; anything else malformed is a format error.
 */
export function readZip(buf: Buffer): { name: string; data: Buffer }[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--)
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw new AdvisoryFormatError('not a zip archive (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: { name: string; data: Buffer }[] = [];
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50)
      throw new AdvisoryFormatError(`zip: central directory entry ${n} is damaged`);
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    total += size;
    if (total > MAX_TOTAL) throw new AdvisoryFormatError('zip: more than 512 MiB uncompressed');
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50)
      throw new AdvisoryFormatError(`zip: ${name}: damaged local header`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + compressed);
    if (raw.length !== compressed) throw new AdvisoryFormatError(`zip: ${name} is truncated`);
    let data: Buffer;
    if (method === 0) data = raw;
    else if (method === 8) {
      try {
        data = inflateRawSync(raw, { maxOutputLength: size + 1 });
      } catch (err) {
        throw new AdvisoryFormatError(`zip: ${name}: ${err instanceof Error ? err.message : ''}`);
      }
    } else throw new AdvisoryFormatError(`zip: ${name}: compression method ${method} not read`);
    if (data.length !== size) throw new AdvisoryFormatError(`zip: ${name}: wrong size`);
    out.push({ name, data });
  }
  return out;
}
