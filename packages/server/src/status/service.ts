import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import {
  renderStatusMessage,
  type ListStatusMessagesQuery,
  type StatusMessage,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../context.js';
import { authorize } from '../context.js';
import { checkRow, parseJsonColumn } from '../db/corrupt-row.js';

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
  let query = ctx.db.kysely.selectFrom('status_message').selectAll();
  if (q.deviceId) query = query.where('device_id', '=', q.deviceId);
  if (q.component) query = query.where('component', '=', q.component);
  if (q.messageId) query = query.where('message_id', '=', q.messageId);
  if (q.severity) query = query.where('severity', '=', q.severity);
  if (q.since) query = query.where('at', '>=', new Date(q.since).toISOString());
  if (q.until) query = query.where('at', '<=', new Date(q.until).toISOString());
  if (q.before) query = query.where(sql<boolean>`id < ${Number(q.before)}`);
  let rows;
  if (q.after) {
    rows = (
      await query
        .where(sql<boolean>`id > ${Number(q.after)}`)
        .orderBy('id', 'asc')
        .limit(limit)
        .execute()
    ).reverse();
  } else {
    rows = await query.orderBy('id', 'desc').limit(limit).execute();
  }
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
