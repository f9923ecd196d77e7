import { Type, type Static } from '@sinclair/typebox';
import type { OutboxItem } from '@steward/protocol';
import { Mutex } from '../mutex.js';
import { parseJsonText, parseWith } from '../parse.js';
import { readFileIfExists, writeFileAtomic } from '../state/atomic-file.js';

/** At most this many dead letters are kept, the oldest dropped first. */
export const DEAD_LETTER_MAX_ITEMS = 100;
/** ...and at most about this many bytes of them. */
export const DEAD_LETTER_MAX_BYTES = 1024 * 1024;
/** A larger item is kept as the start of its JSON text. */
const ITEM_MAX_BYTES = 64 * 1024;

export const DeadLetter = Type.Object({
  /** When it was set aside (UTC). */
  at: Type.String(),
  seq: Type.Number(),
  type: Type.String(),
  /** The site's `ErrorCode` for a refusal, or the error that made every batch holding it fail. */
  code: Type.String(),
  message: Type.String(),
  /** The item as it was sent, or `itemText` (its first 64 KiB of JSON) when larger. */
  item: Type.Optional(Type.Unknown()),
  itemText: Type.Optional(Type.String()),
});
export type DeadLetter = Static<typeof DeadLetter>;

const DeadLetterFileBody = Type.Object({
  /** Items ever set aside, including those since dropped from the file. */
  total: Type.Integer({ minimum: 0 }),
  items: Type.Array(DeadLetter),
});
type DeadLetterFileBody = Static<typeof DeadLetterFileBody>;

async function readBody(path: string): Promise<DeadLetterFileBody> {
  const text = await readFileIfExists(path);
  if (text === undefined) return { total: 0, items: [] };
  try {
    return parseWith(DeadLetterFileBody, parseJsonText(text, path), path);
  } catch {
    // Only for an administrator's look: a damaged file is started afresh.
    return { total: 0, items: [] };
  }
}

function entryFor(item: OutboxItem, code: string, message: string, at: Date): DeadLetter {
  const text = JSON.stringify(item);
  const base = { at: at.toISOString(), seq: item.seq, type: item.type, code, message };
  return Buffer.byteLength(text) <= ITEM_MAX_BYTES
    ? { ...base, item }
    : { ...base, itemText: text.slice(0, ITEM_MAX_BYTES) };
}

/**
 * The agent's dead-letter file (`<state-dir>/dead-letter.json`, 0600): report items the site
 * refused for good, or that made every batch holding them fail, moved out of the outbox so the
 * rest keeps flowing. Bounded by count and size, oldest dropped; written atomically before the
 * item leaves the outbox, so nothing vanishes without a trace.
 */
export class DeadLetterFile {
  private readonly lock = new Mutex();

  constructor(private readonly path: string) {}

  /** How many items the file holds now and how many were ever set aside. */
  static async count(path: string): Promise<{ kept: number; total: number }> {
    const body = await readBody(path);
    return { kept: body.items.length, total: body.total };
  }

  add(entries: readonly { item: OutboxItem; code: string; message: string }[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.lock.run(async () => {
      const body = await readBody(this.path);
      const now = new Date();
      const items = [
        ...body.items,
        ...entries.map((e) => entryFor(e.item, e.code, e.message, now)),
      ];
      const sizes = items.map((i) => Buffer.byteLength(JSON.stringify(i)));
      let bytes = sizes.reduce((a, b) => a + b, 0);
      while (
        items.length > 1 &&
        (items.length > DEAD_LETTER_MAX_ITEMS || bytes > DEAD_LETTER_MAX_BYTES)
      ) {
        items.shift();
        bytes -= sizes.shift() ?? 0;
      }
      const next: DeadLetterFileBody = { total: body.total + entries.length, items };
      await writeFileAtomic(this.path, JSON.stringify(next, null, 1) + '\n', { mode: 0o600 });
    });
  }
}
