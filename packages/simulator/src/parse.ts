import { isRecord, NUDGE_ACTIONS, type NudgeAction } from '@steward/protocol';

// Answers from the site are parsed, not cast (CONVENTIONS.md): a server bug shows up as a
// failed request in the phase's error count, not as a simulator crash later.

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
