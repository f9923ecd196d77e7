import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import {
  ErrorCode,
  OutboxItem,
  toSafeText,
  withSafeText,
  type RejectedReportItem,
  type ReportBatch,
} from '@steward/protocol';
import { isKnownSafeText } from '../http/safe-bodies.js';

const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false });
ajv.addKeyword('kind').addKeyword('modifier');
addFormats.default(ajv);
/** Each item type's schema, so a refusal says what is wrong in that type's terms. */
const variants = new Map<string, (typeof OutboxItem.anyOf)[number]>(
  OutboxItem.anyOf.map((v) => [v.properties.type.const, v]),
);
/** Its validator, compiled at the first item of the type (ADR 0080: not at every start). */
const checkers = new Map<string, ValidateFunction<OutboxItem>>();
function checkerOf(type: string): ValidateFunction<OutboxItem> | undefined {
  const known = checkers.get(type);
  if (known) return known;
  const variant = variants.get(type);
  if (!variant) return undefined;
  const compiled = ajv.compile<OutboxItem>(variant);
  checkers.set(type, compiled);
  return compiled;
}

export interface ScreenedItems {
  accepted: OutboxItem[];
  rejected: RejectedReportItem[];
}

/**
 * Validates each report item on its own (ADR 0004): an item that can never be stored (wrong
 * shape, unknown type, a number beyond its column's range) is refused alone with a code, so the
 * rest of the batch is stored and the device's outbox keeps moving. Everything in a report is
 * the machine's own data, which it cannot send differently, so NULs and lone surrogates are
 * cleaned (`withSafeText`) rather than refused: PostgreSQL would refuse them in text and jsonb.
 */
export function screenReportItems(items: ReportBatch['items']): ScreenedItems {
  const accepted: OutboxItem[] = [];
  const rejected: RejectedReportItem[] = [];
  // The batch's JSON text held no NUL and no surrogate: nothing to clean (safe-bodies.ts).
  const clean = isKnownSafeText(items);
  for (const raw of items) {
    const item: unknown = clean ? raw : withSafeText<unknown>(raw);
    const check = checkerOf(raw.type);
    if (check?.(item)) {
      accepted.push(item);
      continue;
    }
    const first = check?.errors?.[0];
    rejected.push({
      seq: raw.seq,
      code: ErrorCode.REPORT_ITEM_INVALID,
      message:
        check === undefined
          ? `unknown item type "${toSafeText(raw.type)}"`
          : `${raw.type} item: ${first?.instancePath || '/'} ${first?.message ?? 'is invalid'}`,
    });
  }
  return { accepted, rejected };
}
