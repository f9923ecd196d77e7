import { open } from 'node:fs/promises';

export const OUTPUT_TAIL_BYTES = 4096;

/**
 * The last `maxBytes` of a file as UTF-8, starting on a character boundary: continuation bytes
 * (10xxxxxx) at the cut are skipped so the tail never begins with a broken character.
 */
export async function readOutputTail(path: string, maxBytes = OUTPUT_TAIL_BYTES): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, size - length);
    return utf8Tail(buf, size > length);
  } finally {
    await handle.close();
  }
}

/** Decodes `buf`; when it was cut from a longer text, drops a partial leading character. */
export function utf8Tail(buf: Buffer, cut: boolean): string {
  let start = 0;
  if (cut) {
    const firstByte = (i: number): number => buf[i] ?? 0;
    while (start < buf.length && start < 3 && (firstByte(start) & 0xc0) === 0x80) start++;
  }
  return buf.subarray(start).toString('utf8');
}
