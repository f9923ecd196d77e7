import {
  isRecord,
  NUDGE_ACTIONS,
  type EnrollResponse,
  type NudgeAction,
  type ReportAck,
  type SignedPolicy,
} from '@steward/protocol';

// Answers from the site are parsed, not cast (CONVENTIONS.md): a server bug shows up as a
// failed request in the phase's error count, not as a simulator crash later.

function str(o: Record<string, unknown>, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new Error(`${what}: "${key}" is not a string`);
  return v;
}

export function parseEnrollResponse(value: unknown): EnrollResponse {
  if (!isRecord(value)) throw new Error('enrol response is not an object');
  const w = 'enrol response';
  return {
    deviceId: str(value, 'deviceId', w),
    deviceKey: str(value, 'deviceKey', w),
    siteCode: str(value, 'siteCode', w),
    policySigningKey: str(value, 'policySigningKey', w),
  };
}

export function parseSignedPolicy(value: unknown): SignedPolicy {
  if (!isRecord(value)) throw new Error('policy is not an object');
  return { payload: str(value, 'payload', 'policy'), signature: str(value, 'signature', 'policy') };
}

export function parseReportAck(value: unknown): ReportAck {
  if (
    !isRecord(value) ||
    typeof value.ackSeq !== 'number' ||
    typeof value.inventoryResync !== 'boolean'
  )
    throw new Error('report ack is malformed');
  return { ackSeq: value.ackSeq, inventoryResync: value.inventoryResync };
}

export type ServerPushFrame =
  { type: 'nudge'; action: NudgeAction; requestId: string } | { type: 'hello'; deviceId: string };

export function parsePushFrame(text: string): ServerPushFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  if (value.type === 'hello' && typeof value.deviceId === 'string')
    return { type: 'hello', deviceId: value.deviceId };
  const action = NUDGE_ACTIONS.find((a) => a === value.action);
  if (value.type === 'nudge' && action !== undefined && typeof value.requestId === 'string')
    return { type: 'nudge', action, requestId: value.requestId };
  return undefined;
}

/** Policy version from a verified payload (the rest of the document is not needed here). */
export function policyVersion(payload: string): number {
  const doc: unknown = JSON.parse(payload);
  if (!isRecord(doc) || typeof doc.version !== 'number')
    throw new Error('policy payload has no version');
  return doc.version;
}
