import type { ClientCheckResult } from '@steward/protocol';
import { sendHeartbeat } from '../channel/heartbeat.js';
import { HttpsClient } from '../channel/https-client.js';
import { DEFAULT_CLIENT_SETTINGS } from '../channel/policy.js';
import { ExitCode } from '../errors.js';
import { checkSettings, runClientCheck, type CheckEnvironment } from '../health/checks.js';
import { runAndReportClientCheck } from '../health/client-check-runner.js';
import { Outbox } from '../outbox/outbox.js';
import { deviceAuthHeaders, requireDeviceFile } from '../state/device-file.js';
import { loadPolicy } from '../state/policy-file.js';
import { acquireStateLock } from '../state/state-lock.js';
import { statePaths } from '../state/state-dir.js';
import { AGENT_VERSION } from '../version.js';
import type { CliIo } from './cli-io.js';
import { runningPid } from './status-command.js';

export interface CheckArgs {
  stateDir: string;
  json: boolean;
}

/**
 * `steward-agent check`: the client check on demand. With the service running, the service is
 * asked (SIGUSR2) to run and report it, and this command prints what it sees itself without
 * repairing anything (the service does). Without it, this command runs the check with the
 * policy's remediation (a restart under systemd brings the service back), puts the report in
 * the outbox for the service to deliver, and prints it. Exit 1 when a check failed.
 */
export async function checkCommand(args: CheckArgs, io: CliIo): Promise<number> {
  const device = await requireDeviceFile(args.stateDir);
  const paths = statePaths(args.stateDir);
  const policy = await loadPolicy(args.stateDir, device);
  const settings = policy?.settings ?? DEFAULT_CLIENT_SETTINGS;
  const http = new HttpsClient({
    baseUrl: device.url,
    caPem: device.caPem,
    headers: deviceAuthHeaders(device),
    timeoutMs: 10_000,
  });
  const pid = await runningPid(paths.lock);
  try {
    const env = (outbox: CheckEnvironment['outbox']): CheckEnvironment => ({
      stateDir: args.stateDir,
      settings,
      now: () => new Date(),
      outbox,
      siteClock: async () => {
        await sendHeartbeat(http, {
          agentVersion: AGENT_VERSION,
          ...(policy ? { policyVersion: policy.version } : {}),
        });
        return http.lastSiteClock;
      },
      inService: false,
      serviceRunning: async () => (await runningPid(paths.lock)) !== undefined,
    });
    let results: ClientCheckResult[];
    let note: string;
    if (pid !== undefined) {
      process.kill(pid, 'SIGUSR2');
      const seen = await Outbox.inspect(paths.outbox);
      results = await runClientCheck(
        env({ depth: seen.depth, firstSeq: seen.oldestSeq }),
        'notify-only',
      );
      note = `the running service (pid ${pid}) was asked to run the client check and report it`;
    } else {
      const release = await acquireStateLock(paths.lock);
      try {
        const outbox = await Outbox.open({ dir: paths.outbox, warn: (m) => io.err(`${m}\n`) });
        const report = await runAndReportClientCheck(
          env({ depth: outbox.depth, firstSeq: outbox.firstSeq }),
          outbox,
          'command',
        );
        results = report.results;
        note = `report queued in the outbox (mode ${report.mode}); the service delivers it`;
      } finally {
        await release();
      }
    }
    if (args.json) {
      io.out(
        JSON.stringify({ mode: checkSettings(settings).clientCheckMode, note, results }, null, 2) +
          '\n',
      );
    } else {
      for (const r of results)
        io.out(`${r.outcome.padEnd(10)} ${r.check.padEnd(16)} ${r.detail}\n`);
      io.out(`${note}\n`);
    }
    return results.some((r) => r.outcome === 'failed') ? ExitCode.failure : ExitCode.ok;
  } finally {
    http.close();
  }
}
