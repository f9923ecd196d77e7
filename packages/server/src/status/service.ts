import { Type } from '@sinclair/typebox';
import {
  renderStatusMessage,
  type ListStatusMessagesQuery,
  type StatusMessage,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize } from '../context.js';
import { checkRow, parseJsonColumn } from '../db/corrupt-row.js';
import { listStatusMessageRows } from './repository.js';

const InsertionStrings = Type.Array(Type.String());
const Attributes = Type.Record(Type.String(), Type.String());

/** The status-message viewer: filtered, paged backwards with `before`, tailed live with `after`. */
export async function listStatusMessages(
  ctx: SiteContext,
  actor: Actor,
  q: ListStatusMessagesQuery,
): Promise<{ items: StatusMessage[]; nextCursor: string | null }> {
  authorize(actor, 'read');
  const limit = q.limit ?? 100;
  const rows = await listStatusMessageRows(ctx.db.kysely, { ...q, limit });
  const items = rows.map((r): StatusMessage => {
    const id = String(r.id);
    checkRow('status_message', id, r);
    const insertionStrings = parseJsonColumn(InsertionStrings, r.insertion_strings, {
      table: 'status_message',
      id,
      column: 'insertion_strings',
    });
    return {
      id,
      messageId: r.message_id,
      severity: r.severity,
      type: r.type,
      component: r.component,
      deviceId: r.device_id,
      machine: r.machine,
      siteCode: r.site_code,
      at: r.at,
      receivedAt: r.received_at,
      insertionStrings,
      attributes: parseJsonColumn(Attributes, r.attributes, {
        table: 'status_message',
        id,
        column: 'attributes',
      }),
      text: renderStatusMessage(r.message_id, insertionStrings),
    };
  });
  const last = items[items.length - 1];
  return { items, nextCursor: !q.after && items.length === limit && last ? last.id : null };
}
