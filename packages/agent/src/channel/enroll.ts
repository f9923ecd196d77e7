import { agentOps, type EnrollRequest } from '@steward/protocol';
import { decodeEnrolmentToken, fetchPinnedCa, SiteTrustError } from '@steward/protocol/node';
import { AgentError } from '../errors.js';
import type { DeviceFile } from '../state/device-file.js';
import { HttpsClient } from './https-client.js';

export interface EnrolOptions {
  token: string;
  hostname: string;
  osFamily: string;
  agentVersion: string;
}

/**
 * Enrols with the site named in the token: pins the site CA by the token's fingerprint, then
 * sends the secret over a connection that trusts only that CA. Returns the identity to store.
 */
export async function enrolDevice(options: EnrolOptions): Promise<DeviceFile> {
  const decoded = decodeEnrolmentToken(options.token);
  if (!decoded.ok)
    throw new AgentError('TOKEN_MALFORMED', `not a Steward enrolment token: ${decoded.error}`);
  const { url, caFingerprint, secret } = decoded.value;
  const caPem = await fetchPinnedCa(url, caFingerprint).catch((err: unknown) => {
    throw err instanceof SiteTrustError
      ? new AgentError(err.code, err.message, { cause: err })
      : err;
  });
  const client = new HttpsClient({ baseUrl: url, caPem });
  try {
    const body: EnrollRequest = {
      secret,
      hostname: options.hostname.slice(0, 253) || 'unknown',
      osFamily: options.osFamily.slice(0, 64),
      agentVersion: options.agentVersion,
    };
    const res = await client.call(agentOps.device.enroll, { body });
    return {
      deviceId: res.deviceId,
      deviceKey: res.deviceKey,
      url,
      caPem,
      policySigningKey: res.policySigningKey,
      siteCode: res.siteCode,
      enrolledAt: new Date().toISOString(),
    };
  } finally {
    client.close();
  }
}
