import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InventoryReportBody } from '@steward/protocol';
import { Outbox } from './outbox.js';
import { statusMessage } from './status-message.js';

const freshDir = (): string => join(mkdtempSync(join(tmpdir(), 'steward-outbox-')), 'outbox');

const detail = (n: number) => statusMessage('POLICY_APPLIED', [String(n)]); // 40010 is a detail message
const milestone = (n: number) => statusMessage('INVENTORY_COLLECTED', ['delta', String(n), '0']);
const delta = (): InventoryReportBody => ({
  kind: 'delta',
  collectedAt: new Date().toISOString(),
  classes: {},
});
const full = (): InventoryReportBody => ({
  kind: 'full',
  collectedAt: new Date().toISOString(),
  classes: { os: [{ family: 'debian' }] },
});

describe('outbox durability', () => {
  it('a new instance on the same directory sees every item and continues the sequence', async () => {
    const dir = freshDir();
    const first = await Outbox.open({ dir });
    const seqs = [];
    for (let i = 0; i < 5; i++) seqs.push(await first.enqueueStatus(milestone(i)));
    seqs.push(await first.enqueueInventory(full()));
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6]);

    // No close, no flush: as if the process had been killed.
    const second = await Outbox.open({ dir });
    expect(second.depth).toBe(6);
    const items = await second.nextBatch(100);
    expect(items.map((i) => i.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(items[5]).toEqual(
      expect.objectContaining({
        type: 'inventory:report',
        body: expect.objectContaining({ kind: 'full' }),
      }),
    );
    expect(await second.enqueueStatus(milestone(9))).toBe(7);
  });

  it('never reuses a sequence number, even after everything was acknowledged', async () => {
    const dir = freshDir();
    const a = await Outbox.open({ dir });
    await a.enqueueStatus(milestone(1));
    await a.enqueueStatus(milestone(2));
    expect(await a.acknowledge(2)).toBe(2);
    expect(readdirSync(dir).filter((n) => n.endsWith('.json') && n !== 'meta.json')).toEqual([]);
    const b = await Outbox.open({ dir });
    expect(b.depth).toBe(0);
    expect(await b.enqueueStatus(milestone(3))).toBe(3);
  });

  it('recovers the sequence from the item files when meta.json is lost, and discards torn temp files', async () => {
    const dir = freshDir();
    const a = await Outbox.open({ dir });
    for (let i = 0; i < 3; i++) await a.enqueueStatus(milestone(i));
    writeFileSync(join(dir, 'meta.json'), '{"nextSeq": 1}'); // stale meta
    writeFileSync(join(dir, '.00000000000000000004.status-milestone.json.tmp-1-abcd'), '{"seq":4,'); // crash mid-write
    const b = await Outbox.open({ dir });
    expect(b.nextSeq).toBe(4);
    expect(readdirSync(dir).some((n) => n.includes('.tmp-'))).toBe(false);
    expect((await b.nextBatch(10)).map((i) => i.seq)).toEqual([1, 2, 3]);
  });

  it('deletes only up to the acknowledged sequence', async () => {
    const a = await Outbox.open({ dir: freshDir() });
    for (let i = 0; i < 5; i++) await a.enqueueStatus(milestone(i));
    expect(await a.acknowledge(3)).toBe(3);
    expect((await a.nextBatch(10)).map((i) => i.seq)).toEqual([4, 5]);
    expect(await a.acknowledge(0)).toBe(0);
    expect(a.depth).toBe(2);
  });

  it('batches by count and by bytes (at least one item)', async () => {
    const a = await Outbox.open({ dir: freshDir() });
    for (let i = 0; i < 10; i++) await a.enqueueStatus(milestone(i));
    expect(await a.nextBatch(4)).toHaveLength(4);
    expect(await a.nextBatch(100, 1)).toHaveLength(1);
    const perItem = Math.ceil(a.bytes / 10);
    expect((await a.nextBatch(100, perItem * 3)).length).toBeLessThanOrEqual(3);
  });

  it('quarantines a damaged item instead of deleting it', async () => {
    const dir = freshDir();
    const a = await Outbox.open({ dir });
    await a.enqueueStatus(milestone(1));
    await a.enqueueStatus(milestone(2));
    const victim = readdirSync(dir).find((n) => n.startsWith('00000000000000000001'));
    expect(victim).toBeDefined();
    writeFileSync(join(dir, victim ?? ''), '{"seq": 1, "type": "status:message", "body": {}}');
    const warnings: string[] = [];
    const b = await Outbox.open({ dir, warn: (m) => warnings.push(m) });
    expect((await b.nextBatch(10)).map((i) => i.seq)).toEqual([2]);
    expect(readdirSync(join(dir, 'corrupt'))).toEqual([victim]);
    expect(warnings.join('\n')).toMatch(/quarantined/);
  });
});

describe('outbox bounds', () => {
  it('drops the oldest detail messages first and says so with 40040', async () => {
    const warnings: string[] = [];
    const a = await Outbox.open({ dir: freshDir(), maxItems: 10, warn: (m) => warnings.push(m) });
    await a.enqueueStatus(milestone(0));
    for (let i = 1; i <= 9; i++) await a.enqueueStatus(detail(i));
    expect(a.depth).toBe(10);
    await a.enqueueStatus(milestone(10));
    const items = await a.nextBatch(100);
    const bodies = items.flatMap((i) => (i.type === 'status:message' ? [i.body] : []));
    // Milestones survive; the oldest details went; one 40040 tells how many.
    expect(bodies.filter((b) => b.messageId === 40020).map((b) => b.insertionStrings[1])).toEqual([
      '0',
      '10',
    ]);
    // 11 items do not fit in 10: drop to the 90% watermark (room for the new item and the notice).
    const notice = bodies.find((b) => b.messageId === 40040);
    expect(notice?.insertionStrings[0]).toBe('3');
    expect(notice?.attributes['droppedInventoryDeltas']).toBe('0');
    expect(bodies.filter((b) => b.messageId === 40010).map((b) => b.insertionStrings[0])).toEqual([
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
    expect(items.map((i) => i.seq)).toEqual([1, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(a.depth).toBeLessThanOrEqual(10);
    expect(a.fullInventoryRequired).toBe(false);
    expect(warnings).toHaveLength(1);
  });

  it('then drops inventory deltas and demands a full inventory, persisted', async () => {
    const dir = freshDir();
    const a = await Outbox.open({ dir, maxItems: 6 });
    await a.enqueueStatus(milestone(0));
    for (let i = 0; i < 5; i++) await a.enqueueInventory(delta());
    await a.enqueueStatus(milestone(1));
    expect(a.fullInventoryRequired).toBe(true);
    const kinds = (await a.nextBatch(100)).map((i) =>
      i.type === 'inventory:report'
        ? `inv-${i.body.kind}`
        : i.type === 'status:message'
          ? `msg-${i.body.messageId}`
          : i.type === 'deployment:state'
            ? `dep-${i.body.state}`
            : i.type === 'client-check:report'
              ? `check-${i.body.trigger}`
              : i.type === 'update-scan:report'
                ? `scan-${i.body.kind}`
                : `upgrade-${i.body.state}`,
    );
    expect(kinds[0]).toBe('msg-40020');
    expect(kinds.at(-1)).toBe('msg-40020');
    expect(kinds).toContain('msg-40040');
    expect(kinds.filter((k) => k === 'inv-delta').length).toBeLessThan(5);
    const reopened = await Outbox.open({ dir, maxItems: 6 });
    expect(reopened.fullInventoryRequired).toBe(true);
    await reopened.clearFullInventoryRequired();
    expect((await Outbox.open({ dir })).fullInventoryRequired).toBe(false);
  });

  it('refuses a new item when only milestones remain', async () => {
    const a = await Outbox.open({ dir: freshDir(), maxItems: 3 });
    for (let i = 0; i < 3; i++) await a.enqueueStatus(milestone(i));
    await expect(a.enqueueStatus(milestone(3))).rejects.toMatchObject({ code: 'OUTBOX_FULL' });
    expect(a.depth).toBe(3);
  });

  it('respects the byte bound too', async () => {
    const a = await Outbox.open({ dir: freshDir(), maxBytes: 4000 });
    for (let i = 0; i < 40; i++) await a.enqueueStatus(detail(i));
    expect(a.bytes).toBeLessThanOrEqual(4000);
    const items = await a.nextBatch(100);
    expect(items.some((i) => i.type === 'status:message' && i.body.messageId === 40040)).toBe(true);
  });
});
