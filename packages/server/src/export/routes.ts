import { Readable } from 'node:stream';
import {
  ErrorCode,
  EXPORT_FORMATS,
  EXPORT_MEDIA_TYPES,
  type ExportSpec,
  InputError,
  isExportFormat,
  isRecord,
  type Operation,
  operationKey,
  ops,
} from '@steward/protocol';
import { registerOperation, runnerOf } from '../http/operations.js';
import type { App } from '../http/types.js';
import { encodeRows } from './encode.js';

type ExportOperation = Operation & { readonly export: ExportSpec };

/**
 * Serves every export of the operation table (ADR 0032) from its list's own handler: the list's
 * filters, permission checks and ordering are the export's, read chunk by chunk and written as
 * they come. Register after every other route: an export needs its list's handler.
 */
export function registerExportRoutes(app: App, now: () => Date): void {
  const exports: readonly ExportOperation[] = Object.values(ops.exports);
  for (const op of exports) {
    const list = runnerOf(app, op.export.list);
    if (!list) throw new Error(`${operationKey(op)}: its list is not served by this app`);
    registerOperation(app, op, async (req, reply) => {
      const { format: asked = 'csv', ...filters } = isRecord(req.query) ? req.query : {};
      if (!isExportFormat(asked))
        throw new InputError(
          ErrorCode.EXPORT_UNSUPPORTED_FORMAT,
          `export as one of ${EXPORT_FORMATS.join(', ')}`,
        );
      const chunks = chunksOf(op.export, filters, async (query) => {
        req.query = query;
        return itemsOf(await list(req, reply));
      });
      // The first chunk is read before answering: a refusal (an unknown collection, say) is
      // then a proper error answer instead of a broken download.
      const first = await chunks.next();
      const day = now().toISOString().slice(0, 10);
      void reply
        .header('content-type', EXPORT_MEDIA_TYPES[asked])
        .header('content-disposition', `attachment; filename="${op.export.file}-${day}.${asked}"`)
        .header('cache-control', 'no-store');
      return Readable.from(encodeRows(asked, op.export.columns, prepend(first, chunks)), {
        objectMode: false,
      });
    });
  }
}

/** The rows of a list's answer: a page's `items` or the array itself. */
function itemsOf(answer: unknown): readonly unknown[] {
  if (Array.isArray(answer)) return answer;
  if (isRecord(answer) && Array.isArray(answer.items)) return answer.items;
  throw new Error('an exported list answered neither an array nor a page');
}

type Fetch = (query: Record<string, unknown>) => Promise<readonly unknown[]>;

/**
 * Every row of a list, one chunk (its largest page) at a time: by offset, backwards by the last
 * row's id (keyset) for the lists paged with `before`, or the whole list in one call.
 */
export async function* chunksOf(
  spec: ExportSpec,
  filters: Record<string, unknown>,
  fetch: Fetch,
): AsyncGenerator<readonly unknown[]> {
  const limit = spec.chunk ?? 100;
  switch (spec.paging) {
    case 'whole':
      yield await fetch(spec.chunk === undefined ? filters : { ...filters, limit });
      return;
    case 'offset':
      for (let offset = 0; ; offset += limit) {
        const rows = await fetch({ ...filters, offset, limit });
        yield rows;
        if (rows.length < limit) return;
      }
    case 'cursor': {
      let before: unknown;
      for (;;) {
        const rows = await fetch({
          ...filters,
          limit,
          ...(before === undefined ? {} : { before }),
        });
        yield rows;
        const last = rows.at(-1);
        before = isRecord(last) ? last.id : undefined;
        if (rows.length < limit || typeof before !== 'string') return;
      }
    }
  }
}

async function* prepend<T>(first: IteratorResult<T>, rest: AsyncGenerator<T>): AsyncGenerator<T> {
  if (!first.done) yield first.value;
  yield* rest;
}
