import {
  StatusMessages,
  type InsertionStrings,
  type StatusMessageBody,
  type StatusMessageName,
} from '@steward/protocol';

const MAX_INSERTION_LENGTH = 2000;
const MAX_ATTRIBUTE_LENGTH = 256;

function clip(value: string, max: number): string {
  return value.length <= max ? value : value.slice(0, max - 1) + '…';
}

/**
 * Builds a status message from the protocol catalog: id, severity, type and component come from
 * the catalog entry so the agent cannot contradict it, and the compiler checks the insertion
 * strings against its declared insertions. Insertion strings and attributes are clipped to the
 * protocol limits rather than refused: a long error text must not lose the message.
 */
export function statusMessage<K extends StatusMessageName>(
  message: K,
  insertionStrings: InsertionStrings<K>,
  attributes: Readonly<Record<string, string>> = {},
  at: Date = new Date(),
): StatusMessageBody {
  const entry = StatusMessages[message];
  const strings: readonly string[] = insertionStrings;
  return {
    messageId: entry.id,
    severity: entry.severity,
    type: entry.type,
    component: entry.component,
    at: at.toISOString(),
    insertionStrings: strings.slice(0, 10).map((s) => clip(s, MAX_INSERTION_LENGTH)),
    attributes: Object.fromEntries(
      Object.entries(attributes).map(([k, v]) => [k.slice(0, 64), clip(v, MAX_ATTRIBUTE_LENGTH)]),
    ),
  };
}
