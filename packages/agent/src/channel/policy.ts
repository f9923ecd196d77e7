import { createPublicKey, verify } from 'node:crypto';
import {
  agentOps,
  ClientSettingsOptions,
  DEFAULT_SOFTWARE_SCAN_PATHS,
  PolicyDocument,
  settingsDefaults,
  SignedPolicy,
  type ClientSettings,
} from '@steward/protocol';
import { errorMessage } from '../errors.js';
import { parseJsonText, parseWith } from '../parse.js';
import type { HttpsClient } from './https-client.js';

/** Client settings before the first policy arrives (and when none could ever be verified). */
export const DEFAULT_CLIENT_SETTINGS: ClientSettings = {
  ...settingsDefaults(ClientSettingsOptions),
  softwareScanPaths: DEFAULT_SOFTWARE_SCAN_PATHS,
};

export type PolicyCheck =
  { ok: true; policy: PolicyDocument; signed: SignedPolicy } | { ok: false; reason: string };

/**
 * Verifies a signed policy with the site's Ed25519 key (from enrolment) and parses its payload.
 * An unsigned, wrongly signed or malformed policy is refused with a reason for status POLICY_REFUSED;
 * the caller keeps the policy it had.
 */
export function verifySignedPolicy(
  signed: unknown,
  signingKeyPem: string,
  expectedSiteCode?: string,
): PolicyCheck {
  let envelope: SignedPolicy;
  try {
    envelope = parseWith(SignedPolicy, signed, 'signed policy');
  } catch (err) {
    return { ok: false, reason: errorMessage(err) };
  }
  if (envelope.signature.trim() === '') return { ok: false, reason: 'the policy is not signed' };
  const signature = Buffer.from(envelope.signature, 'base64');
  if (signature.length !== 64)
    return { ok: false, reason: 'the policy signature is not an Ed25519 signature' };
  let valid: boolean;
  try {
    const key = createPublicKey(signingKeyPem);
    valid = verify(null, Buffer.from(envelope.payload, 'utf8'), key, signature);
  } catch (err) {
    return { ok: false, reason: `the policy signature could not be checked: ${errorMessage(err)}` };
  }
  if (!valid)
    return { ok: false, reason: 'the policy signature does not match the site signing key' };
  let policy: PolicyDocument;
  try {
    policy = parseWith(
      PolicyDocument,
      parseJsonText(envelope.payload, 'policy payload'),
      'policy payload',
    );
  } catch (err) {
    return { ok: false, reason: errorMessage(err) };
  }
  if (expectedSiteCode !== undefined && policy.siteCode !== expectedSiteCode) {
    return {
      ok: false,
      reason: `the policy is for site ${policy.siteCode}, this device belongs to ${expectedSiteCode}`,
    };
  }
  return { ok: true, policy, signed: envelope };
}

/**
 * A correctly signed policy older than the one applied is a replay (or a site restored from an
 * old backup): applying it would roll settings and inventory classes back to what an attacker
 * recorded. It is refused (status POLICY_REPLAY_REFUSED) and the applied one kept; the applied policy is
 * persisted (policy.json), so a restart does not reopen the window. Undefined when `incoming`
 * may be applied.
 */
export function olderPolicy(
  applied: Pick<PolicyDocument, 'version'> | undefined,
  incoming: Pick<PolicyDocument, 'version'>,
): { reason: string; insertionStrings: [string, string] } | undefined {
  if (applied === undefined || incoming.version >= applied.version) return undefined;
  return {
    reason: `policy version ${incoming.version} refused: older than the applied version ${applied.version}`,
    insertionStrings: [String(incoming.version), String(applied.version)],
  };
}

/** GET the policy. Transport errors throw; the signature check is left to verifySignedPolicy. */
export function fetchSignedPolicy(client: HttpsClient): Promise<unknown> {
  return client.callUnchecked(agentOps.device.policy, {});
}
