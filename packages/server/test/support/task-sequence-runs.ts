import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ops, type TaskSequenceRun } from '@steward/protocol';
import { waitFor, type Site } from '../../../../test-support/site.js';

/** Waits for a device's run of a task-sequence deployment to reach `state` (after `after`). */
export async function waitForRun(
  site: Site,
  q: { deploymentId: string; deviceId: string; state: string; after?: string },
): Promise<TaskSequenceRun> {
  let last = '';
  try {
    return await waitFor(
      `run ${q.state}`,
      async () => {
        const r = await site.api.call(ops.taskSequenceDeployments.run, {
          params: { id: q.deploymentId, deviceId: q.deviceId },
        });
        last = JSON.stringify(r);
        return r.state === q.state && (q.after === undefined || (r.updatedAt ?? '') > q.after)
          ? r
          : undefined;
      },
      120_000,
      250,
    );
  } catch (err) {
    throw new Error(`${String(err)}; last run ${last}`);
  }
}

/**
 * Makes the device's restart command a harmless script that appends "restarted" to the returned
 * marker file, and waits until the agent holds the policy naming it.
 */
export async function observeRestarts(site: Site, deviceId: string, work: string): Promise<string> {
  const marker = join(work, 'rebooted');
  const rebootScript = join(work, 'reboot.sh');
  writeFileSync(rebootScript, `#!/bin/sh\necho restarted >> '${marker}'\n`);
  chmodSync(rebootScript, 0o755);
  await site.api.updateClientSettings({ rebootCommand: rebootScript });
  await site.api.requestDeviceAction(deviceId, 'policy:fetch');
  await waitFor('the agent to hold the policy with the restart command', async () => {
    const r = await site.api.call(ops.clientSettingsObjects.resultant, {
      params: { id: deviceId },
    });
    return (r.devicePolicyVersion ?? 0) >= r.policyVersion ? r : undefined;
  });
  return marker;
}
