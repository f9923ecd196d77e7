import { createPublicKey, verify } from 'node:crypto';
import { join } from 'node:path';
import { agentOps, AssignmentsDocument, SignedAssignments } from '@steward/protocol';
import type { HttpsClient } from '../channel/https-client.js';
import { errorMessage } from '../errors.js';
import { parseJsonText, parseWith } from '../parse.js';
import { readFileIfExists, writeFileAtomic } from '../state/atomic-file.js';

export type AssignmentsCheck =
  | { ok: true; document: AssignmentsDocument; signed: SignedAssignments }
  | { ok: false; reason: string };

export function assignmentsPath(stateDir: string): string {
  return join(stateDir, 'assignments.json');
}

/**
 * Verifies signed assignments with the site's Ed25519 policy key, exactly as the policy is
 * verified (channel/policy.ts), and parses the payload. A document for another device is
 * refused too: the agent runs programs as root from it.
 */
export function verifySignedAssignments(
  signed: unknown,
  signingKeyPem: string,
  deviceId: string,
): AssignmentsCheck {
  let envelope: SignedAssignments;
  try {
    envelope = parseWith(SignedAssignments, signed, 'signed assignments');
  } catch (err) {
    return { ok: false, reason: errorMessage(err) };
  }
  if (envelope.signature.trim() === '')
    return { ok: false, reason: 'the assignments are not signed' };
  const signature = Buffer.from(envelope.signature, 'base64');
  if (signature.length !== 64)
    return { ok: false, reason: 'the assignments signature is not an Ed25519 signature' };
  let valid: boolean;
  try {
    valid = verify(
      null,
      Buffer.from(envelope.payload, 'utf8'),
      createPublicKey(signingKeyPem),
      signature,
    );
  } catch (err) {
    return { ok: false, reason: `the signature could not be checked: ${errorMessage(err)}` };
  }
  if (!valid)
    return { ok: false, reason: 'the assignments signature does not match the site signing key' };
  let document: AssignmentsDocument;
  try {
    document = parseWith(
      AssignmentsDocument,
      parseJsonText(envelope.payload, 'assignments payload'),
      'assignments payload',
    );
  } catch (err) {
    return { ok: false, reason: errorMessage(err) };
  }
  if (document.deviceId !== deviceId)
    return {
      ok: false,
      reason: `the assignments are for device ${document.deviceId}, this is ${deviceId}`,
    };
  return { ok: true, document, signed: envelope };
}

/** GET the assignments. Transport errors throw; the signature is checked by the caller. */
export function fetchSignedAssignments(http: Pick<HttpsClient, 'callUnchecked'>): Promise<unknown> {
  return http.callUnchecked(agentOps.device.assignments, {});
}

/**
 * The last accepted assignments, verified again on load (an edited file is refused like a
 * forged download), so windows and schedules keep being evaluated while the site is away.
 */
export async function loadAssignments(
  stateDir: string,
  signingKeyPem: string,
  deviceId: string,
): Promise<AssignmentsDocument | undefined> {
  const text = await readFileIfExists(assignmentsPath(stateDir));
  if (text === undefined) return undefined;
  try {
    const check = verifySignedAssignments(
      parseJsonText(text, 'assignments.json'),
      signingKeyPem,
      deviceId,
    );
    return check.ok ? check.document : undefined;
  } catch {
    return undefined;
  }
}

export async function saveAssignments(stateDir: string, signed: SignedAssignments): Promise<void> {
  const { payload, signature } = signed;
  await writeFileAtomic(assignmentsPath(stateDir), JSON.stringify({ payload, signature }) + '\n', {
    mode: 0o600,
  });
}
