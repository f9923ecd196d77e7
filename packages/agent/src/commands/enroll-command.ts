import { mkdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { enrolDevice } from '../channel/enroll.js';
import { osFamily, readOsRelease } from '../collectors/linux/os.js';
import { AgentError, ExitCode } from '../errors.js';
import { Outbox } from '../outbox/outbox.js';
import { statusMessage } from '../outbox/status-message.js';
import { readDeviceFile, writeDeviceFile } from '../state/device-file.js';
import { statePaths } from '../state/state-dir.js';
import { acquireStateLock } from '../state/state-lock.js';
import { AGENT_VERSION } from '../version.js';
import type { CliIo } from './cli-io.js';

export interface EnrollArgs {
  token: string | undefined;
  stateDir: string;
  force: boolean;
  json: boolean;
}

/** `steward-agent enroll --token <token> [--state-dir <dir>] [--force] [--json]` */
export async function enrollCommand(args: EnrollArgs, io: CliIo): Promise<number> {
  if (args.token === undefined || args.token.trim() === '')
    throw new AgentError('USAGE', 'enroll needs --token <token>');
  const paths = statePaths(args.stateDir);
  let existing: Awaited<ReturnType<typeof readDeviceFile>>;
  try {
    existing = await readDeviceFile(args.stateDir);
  } catch (err) {
    // A damaged device.json can be replaced with --force; otherwise say what is wrong.
    if (!args.force) throw err;
    existing = undefined;
  }
  if (existing !== undefined && !args.force) {
    throw new AgentError(
      'ALREADY_ENROLLED',
      `already enrolled as device ${existing.deviceId} in site ${existing.siteCode}; use --force to enrol again`,
    );
  }
  await mkdir(args.stateDir, { recursive: true, mode: 0o700 });
  const release = await acquireStateLock(paths.lock);
  try {
    const rel = await readOsRelease();
    const device = await enrolDevice({
      token: args.token,
      hostname: hostname(),
      osFamily: osFamily(rel['ID'], rel['ID_LIKE']),
      agentVersion: AGENT_VERSION,
    });
    let discarded = 0;
    if (args.force) {
      // A new identity starts clean: reports of the old device could not be attributed to it.
      const outbox = await Outbox.open({ dir: paths.outbox });
      discarded = await outbox.clear();
      await rm(paths.inventoryState, { force: true });
      await rm(paths.policy, { force: true });
      await rm(paths.agentState, { force: true });
    }
    await writeDeviceFile(args.stateDir, device);
    const outbox = await Outbox.open({ dir: paths.outbox });
    await outbox.enqueueStatus(statusMessage('AGENT_ENROLLED', [device.siteCode, device.deviceId]));
    if (args.json) {
      io.out(
        JSON.stringify({
          deviceId: device.deviceId,
          siteCode: device.siteCode,
          url: device.url,
          stateDir: args.stateDir,
          discardedOutboxItems: discarded,
        }) + '\n',
      );
    } else {
      const note =
        discarded > 0
          ? ` (${discarded} undelivered reports of the previous enrolment discarded)`
          : '';
      io.out(
        `enrolled as device ${device.deviceId} in site ${device.siteCode} at ${device.url}; state in ${args.stateDir}${note}\n`,
      );
    }
    return ExitCode.ok;
  } finally {
    await release();
  }
}
