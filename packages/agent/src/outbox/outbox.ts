import { mkdir, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import {
  findUnsafeText,
  OutboxItem,
  withSafeText,
  type AgentUpgradeReport,
  type UpdateScanReport,
  type ClientCheckReport,
  type DeploymentStateReport,
  type InventoryReportBody,
  type StatusMessageBody,
} from '@steward/protocol';
import { AgentError, errorMessage } from '../errors.js';
import { Mutex } from '../mutex.js';
import { parseJsonText, parseWith } from '../parse.js';
import {
  fsyncDir,
  isTempFileName,
  readFileIfExists,
  writeFileAtomic,
} from '../state/atomic-file.js';
import { statusMessage } from './status-message.js';

export const DEFAULT_OUTBOX_MAX_ITEMS = 20_000;
export const DEFAULT_OUTBOX_MAX_BYTES = 100 * 1024 * 1024;
export const DEFAULT_BATCH_MAX_BYTES = 4 * 1024 * 1024;
/** When the outbox is full it drops down to this fraction, so the OUTBOX_FULL notice stays rare. */
const LOW_WATERMARK = 0.9;
const NOTICE_RESERVE_BYTES = 1024;

const ENTRY_TAGS = [
  'status-detail',
  'status-milestone',
  'status-audit',
  'inventory-full',
  'inventory-delta',
  'deployment-state',
  'client-check',
  'agent-upgrade',
  'update-scan',
] as const;
type EntryTag = (typeof ENTRY_TAGS)[number];
interface Entry {
  seq: number;
  tag: EntryTag;
  file: string;
  bytes: number;
}

const ITEM_FILE = new RegExp(`^(\\d{20})\\.(${ENTRY_TAGS.join('|')})\\.json$`);
const META_FILE = 'meta.json';
const OutboxMeta = Type.Object({
  nextSeq: Type.Integer({ minimum: 1 }),
  fullInventoryRequired: Type.Boolean({ default: false }),
});

function parseTag(value: string): EntryTag | undefined {
  return ENTRY_TAGS.find((tag) => tag === value);
}

type NewItem =
  | { type: 'status:message'; body: StatusMessageBody }
  | { type: 'inventory:report'; body: InventoryReportBody }
  | { type: 'deployment:state'; body: DeploymentStateReport }
  | { type: 'client-check:report'; body: ClientCheckReport }
  | { type: 'agent-upgrade:report'; body: AgentUpgradeReport }
  | { type: 'update-scan:report'; body: UpdateScanReport };

function tagOf(item: NewItem): EntryTag {
  switch (item.type) {
    case 'status:message':
      return `status-${item.body.type}`;
    case 'inventory:report':
      return `inventory-${item.body.kind}`;
    case 'deployment:state':
      // Never picked by the drop policy: a run's outcome must reach the site.
      return 'deployment-state';
    case 'client-check:report':
      // Small, one a day: never dropped either (the site's health view depends on it).
      return 'client-check';
    case 'agent-upgrade:report':
      // A few per upgrade: never dropped (client deployment status depends on it).
      return 'agent-upgrade';
    case 'update-scan:report':
      // One a week per device: never dropped (the scan audit proves every client scanned).
      return 'update-scan';
  }
}

export class OutboxFullError extends AgentError {
  constructor(message: string) {
    super('OUTBOX_FULL', message);
  }
}

export interface OutboxOptions {
  dir: string;
  maxItems?: number;
  maxBytes?: number;
  /** Told about quarantined files and drops; the outbox never throws for them. */
  warn?: (message: string) => void;
}

export interface DropSummary {
  detailMessages: number;
  inventoryDeltas: number;
  inventoryFull: number;
}

/**
 * Durable on-disk outbox (DESIGN.md section 5). One file per item, named by its zero-padded
 * sequence number plus a tag that lets the drop policy choose without reading files. Every write
 * is atomic (tmp + fsync + rename + fsync dir) and the next sequence number is persisted before
 * an item is written, so a number is never handed out twice, even across crashes. Items leave
 * only when the site acknowledged them, or through the documented drop policy when full.
 */
export class Outbox {
  private readonly lock = new Mutex();
  private totalBytes: number;

  private constructor(
    private readonly dir: string,
    private readonly entries: Entry[],
    private meta: { nextSeq: number; fullInventoryRequired: boolean },
    private readonly maxItems: number,
    private readonly maxBytes: number,
    private readonly warn: (message: string) => void,
  ) {
    this.totalBytes = entries.reduce((sum, e) => sum + e.bytes, 0);
  }

  static async open(options: OutboxOptions): Promise<Outbox> {
    const { dir } = options;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const entries: Entry[] = [];
    for (const name of await readdir(dir)) {
      if (isTempFileName(name)) {
        // A write that crashed before its rename: it was never part of the outbox.
        await unlink(join(dir, name)).catch(() => undefined);
        continue;
      }
      const m = ITEM_FILE.exec(name);
      const tag = m?.[2] === undefined ? undefined : parseTag(m[2]);
      if (m?.[1] === undefined || tag === undefined) continue;
      const info = await stat(join(dir, name));
      entries.push({ seq: Number(m[1]), tag, file: name, bytes: info.size });
    }
    entries.sort((a, b) => a.seq - b.seq);
    const metaPath = join(dir, META_FILE);
    const metaText = await readFileIfExists(metaPath);
    let meta = { nextSeq: 1, fullInventoryRequired: false };
    if (metaText !== undefined) {
      try {
        meta = parseWith(OutboxMeta, parseJsonText(metaText, metaPath), metaPath);
      } catch (err) {
        options.warn?.(`outbox meta unreadable, rebuilt from the items: ${errorMessage(err)}`);
      }
    }
    const last = entries.at(-1);
    if (last !== undefined && last.seq >= meta.nextSeq) meta.nextSeq = last.seq + 1;
    return new Outbox(
      dir,
      entries,
      meta,
      options.maxItems ?? DEFAULT_OUTBOX_MAX_ITEMS,
      options.maxBytes ?? DEFAULT_OUTBOX_MAX_BYTES,
      options.warn ?? (() => undefined),
    );
  }

  /**
   * Counts the items of an outbox without opening it for writing (no temp-file cleanup), so
   * `steward-agent status` can look while the service is running.
   */
  static async inspect(dir: string): Promise<{
    depth: number;
    bytes: number;
    nextSeq: number | undefined;
    oldestSeq: number | undefined;
  }> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return { depth: 0, bytes: 0, nextSeq: undefined, oldestSeq: undefined };
    }
    let depth = 0;
    let bytes = 0;
    let oldestSeq: number | undefined;
    for (const name of names) {
      const m = ITEM_FILE.exec(name);
      if (m?.[1] === undefined) continue;
      const info = await stat(join(dir, name)).catch(() => undefined);
      if (info === undefined) continue;
      depth++;
      bytes += info.size;
      const seq = Number(m[1]);
      if (oldestSeq === undefined || seq < oldestSeq) oldestSeq = seq;
    }
    const metaText = await readFileIfExists(join(dir, META_FILE)).catch(() => undefined);
    let nextSeq: number | undefined;
    if (metaText !== undefined) {
      try {
        nextSeq = parseWith(OutboxMeta, parseJsonText(metaText, META_FILE), META_FILE).nextSeq;
      } catch {
        nextSeq = undefined;
      }
    }
    return { depth, bytes, nextSeq, oldestSeq };
  }

  /** Number of items waiting for acknowledgement. */
  get depth(): number {
    return this.entries.length;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** The sequence number the next item will get. */
  get nextSeq(): number {
    return this.meta.nextSeq;
  }

  /** Inventory deltas were dropped: the next inventory must be a full report. */
  get fullInventoryRequired(): boolean {
    return this.meta.fullInventoryRequired;
  }

  async clearFullInventoryRequired(): Promise<void> {
    await this.lock.run(async () => {
      if (!this.meta.fullInventoryRequired) return;
      this.meta = { ...this.meta, fullInventoryRequired: false };
      await this.writeMeta();
    });
  }

  enqueueStatus(body: StatusMessageBody): Promise<number> {
    return this.enqueue({ type: 'status:message', body });
  }

  enqueueInventory(body: InventoryReportBody): Promise<number> {
    return this.enqueue({ type: 'inventory:report', body });
  }

  enqueueDeploymentState(body: DeploymentStateReport): Promise<number> {
    return this.enqueue({ type: 'deployment:state', body });
  }

  enqueueClientCheck(body: ClientCheckReport): Promise<number> {
    return this.enqueue({ type: 'client-check:report', body });
  }

  enqueueUpdateScan(body: UpdateScanReport): Promise<number> {
    return this.enqueue({ type: 'update-scan:report', body });
  }

  enqueueAgentUpgrade(body: AgentUpgradeReport): Promise<number> {
    return this.enqueue({ type: 'agent-upgrade:report', body });
  }

  /**
   * Returns the sequence number given to the item. Throws OutboxFullError if nothing can make room.
   * NULs and lone surrogates (a file or a command's output) are cleaned here, once for every
   * source: the site could never store them as they are.
   */
  enqueue(newItem: NewItem): Promise<number> {
    const item = findUnsafeText(newItem) === undefined ? newItem : withSafeText(newItem);
    return this.lock.run(async () => {
      const size = Buffer.byteLength(JSON.stringify({ seq: this.meta.nextSeq, ...item }));
      if (size > this.maxBytes)
        throw new OutboxFullError(`item of ${size} bytes exceeds the outbox size limit`);
      if (!this.hasRoom(1, size, 1)) await this.makeRoom(size, tagOf(item));
      if (!this.hasRoom(1, size, 1)) {
        throw new OutboxFullError(
          `outbox holds ${this.entries.length} items (${this.totalBytes} bytes); a ${tagOf(item)} item was refused`,
        );
      }
      return this.write(item);
    });
  }

  /** The oldest items, in sequence order, up to `maxItems` and about `maxBytes` (at least one item). */
  nextBatch(maxItems: number, maxBytes = DEFAULT_BATCH_MAX_BYTES): Promise<OutboxItem[]> {
    return this.lock.run(async () => {
      const items: OutboxItem[] = [];
      let bytes = 0;
      for (const entry of [...this.entries]) {
        if (items.length >= maxItems) break;
        if (items.length > 0 && bytes + entry.bytes > maxBytes) break;
        const item = await this.readItem(entry);
        if (item === undefined) continue;
        items.push(item);
        bytes += entry.bytes;
      }
      return items;
    });
  }

  /** The sequence number of the oldest item waiting, if any. */
  get firstSeq(): number | undefined {
    return this.entries[0]?.seq;
  }

  /**
   * Deletes the items the site acknowledged: those of `sent` with seq <= ackSeq, or, without
   * `sent`, every item with seq <= ackSeq. Returns how many. (An item sent out of order to
   * isolate a poison item must not take the unsent ones below it along.)
   */
  acknowledge(ackSeq: number, sent?: readonly number[]): Promise<number> {
    const wanted = sent === undefined ? undefined : new Set(sent);
    return this.lock.run(async () => {
      const done = this.entries.filter(
        (e) => e.seq <= ackSeq && (wanted === undefined || wanted.has(e.seq)),
      );
      if (done.length === 0) return 0;
      await this.remove(done);
      return done.length;
    });
  }

  /** Deletes every item (forced re-enrolment: the items belong to the old identity). */
  clear(): Promise<number> {
    return this.lock.run(async () => {
      const all = [...this.entries];
      await this.remove(all);
      return all.length;
    });
  }

  private hasRoom(extraItems: number, extraBytes: number, fraction: number): boolean {
    return (
      this.entries.length + extraItems <= Math.floor(this.maxItems * fraction) &&
      this.totalBytes + extraBytes <= Math.floor(this.maxBytes * fraction)
    );
  }

  /**
   * The drop policy: oldest detail status messages first, then the oldest inventory deltas (and
   * the next inventory becomes full), then, for an incoming full inventory only, older full
   * inventories it supersedes. Drops go down to the low watermark and one OUTBOX_FULL says what went.
   */
  private async makeRoom(size: number, incoming: EntryTag): Promise<void> {
    const dropped: DropSummary = { detailMessages: 0, inventoryDeltas: 0, inventoryFull: 0 };
    const victims = new Set<Entry>();
    let victimBytes = 0;
    // Room for the incoming item and the OUTBOX_FULL notice, below the low watermark.
    const need = (): boolean =>
      this.entries.length - victims.size + 2 > Math.floor(this.maxItems * LOW_WATERMARK) ||
      this.totalBytes - victimBytes + size + NOTICE_RESERVE_BYTES >
        Math.floor(this.maxBytes * LOW_WATERMARK);
    const pick = (tag: EntryTag): number => {
      let count = 0;
      for (const entry of this.entries) {
        if (!need()) break;
        if (entry.tag !== tag) continue;
        victims.add(entry);
        victimBytes += entry.bytes;
        count++;
      }
      return count;
    };
    dropped.detailMessages = pick('status-detail');
    dropped.inventoryDeltas = pick('inventory-delta');
    if (incoming === 'inventory-full') dropped.inventoryFull = pick('inventory-full');
    if (victims.size === 0) return;
    await this.remove([...victims]);
    if (dropped.inventoryDeltas > 0 || dropped.inventoryFull > 0) {
      this.meta = { ...this.meta, fullInventoryRequired: true };
      await this.writeMeta();
    }
    this.warn(
      `outbox full: dropped ${dropped.detailMessages} detail messages, ${dropped.inventoryDeltas} inventory deltas, ${dropped.inventoryFull} older full inventories`,
    );
    const notice = statusMessage('OUTBOX_FULL', [String(dropped.detailMessages)], {
      droppedDetailMessages: String(dropped.detailMessages),
      droppedInventoryDeltas: String(dropped.inventoryDeltas),
      droppedInventoryFull: String(dropped.inventoryFull),
    });
    if (this.hasRoom(1, NOTICE_RESERVE_BYTES, 1))
      await this.write({ type: 'status:message', body: notice });
  }

  private forget(entry: Entry): void {
    const index = this.entries.indexOf(entry);
    if (index < 0) return;
    this.entries.splice(index, 1);
    this.totalBytes -= entry.bytes;
  }

  private async write(item: NewItem): Promise<number> {
    const seq = this.meta.nextSeq;
    // Persist the next number first: after a crash the number is skipped, never reused.
    this.meta = { ...this.meta, nextSeq: seq + 1 };
    await this.writeMeta();
    const full: OutboxItem = { seq, ...item };
    const text = JSON.stringify(full);
    const tag = tagOf(item);
    const file = `${String(seq).padStart(20, '0')}.${tag}.json`;
    await writeFileAtomic(join(this.dir, file), text, { mode: 0o600 });
    const bytes = Buffer.byteLength(text);
    this.entries.push({ seq, tag, file, bytes });
    this.totalBytes += bytes;
    return seq;
  }

  private async writeMeta(): Promise<void> {
    await writeFileAtomic(join(this.dir, META_FILE), JSON.stringify(this.meta) + '\n', {
      mode: 0o600,
    });
  }

  private async readItem(entry: Entry): Promise<OutboxItem | undefined> {
    const path = join(this.dir, entry.file);
    try {
      const item = parseWith(
        OutboxItem,
        parseJsonText(await readFile(path, 'utf8'), path),
        path,
        'OUTBOX_CORRUPT',
      );
      if (item.seq !== entry.seq)
        throw new AgentError('OUTBOX_CORRUPT', `${path} holds seq ${item.seq}`);
      return item;
    } catch (err) {
      // Never silently delete: move the file aside for an administrator and carry on.
      this.warn(`outbox item ${entry.file} quarantined: ${errorMessage(err)}`);
      const quarantine = join(this.dir, 'corrupt');
      await mkdir(quarantine, { recursive: true });
      await rename(path, join(quarantine, entry.file)).catch(() => undefined);
      this.forget(entry);
      return undefined;
    }
  }

  private async remove(victims: readonly Entry[]): Promise<void> {
    for (const entry of victims) {
      await unlink(join(this.dir, entry.file)).catch((err: unknown) => {
        if (!(err instanceof Error && 'code' in err && err.code === 'ENOENT')) throw err;
      });
      this.forget(entry);
    }
    await fsyncDir(this.dir);
  }
}
