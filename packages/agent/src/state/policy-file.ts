import type { PolicyDocument, SignedPolicy } from '@steward/protocol';
import { verifySignedPolicy } from '../channel/policy.js';
import { parseJsonText } from '../parse.js';
import { readFileIfExists, writeFileAtomic } from './atomic-file.js';
import type { DeviceFile } from './device-file.js';
import { statePaths } from './state-dir.js';

/**
 * The last accepted policy is kept as received (payload + signature) and verified again on every
 * load: a policy file edited on disk is refused like a forged one from the network.
 */
export async function loadPolicy(
  stateDir: string,
  device: DeviceFile,
): Promise<PolicyDocument | undefined> {
  const text = await readFileIfExists(statePaths(stateDir).policy);
  if (text === undefined) return undefined;
  try {
    const check = verifySignedPolicy(
      parseJsonText(text, 'policy.json'),
      device.policySigningKey,
      device.siteCode,
    );
    return check.ok ? check.policy : undefined;
  } catch {
    return undefined;
  }
}

export async function savePolicy(stateDir: string, signed: SignedPolicy): Promise<void> {
  const { payload, signature } = signed;
  await writeFileAtomic(
    statePaths(stateDir).policy,
    JSON.stringify({ payload, signature }) + '\n',
    { mode: 0o600 },
  );
}
