// Targets of the check-in benchmark and the terminal summary of a run.
import { formatTable } from '@steward/simulator';

export const TARGETS = {
  policyPerSecond: 2000,
  statusMessagesPerSecond: 20000,
  inventoriesPerSecond: 200,
  nudgeP99Ms: 2000,
  serverRssMb: 1536,
};

const met = (value, target, higherIsBetter = true) => ({
  target,
  value: value ?? null,
  met: value === undefined ? false : higherIsBetter ? value >= target : value <= target,
});

/** Each target with the measured value and whether it was met. */
export function evaluateTargets(phases, serverPeakRssMb, devices) {
  const fanout = phases['nudge-fanout'];
  const connected = phases['push-connect']?.open ?? 0;
  const nudge = met(fanout?.deliveryLatencyMs.p99, TARGETS.nudgeP99Ms, false);
  return {
    policyRequestsPerSecond: met(phases.policy?.operationsPerSecond, TARGETS.policyPerSecond),
    statusMessagesPerSecond: met(phases.status?.unitsPerSecond, TARGETS.statusMessagesPerSecond),
    inventoriesPerSecond: met(phases.inventory?.unitsPerSecond, TARGETS.inventoriesPerSecond),
    nudgeDeliveryP99Ms: {
      ...nudge,
      // Only counts with the whole fleet connected and every frame delivered.
      met: nudge.met && connected >= devices && fanout?.framesMissing === 0,
      connected,
      wholeFanoutMs: fanout?.fanoutMs ?? null,
      note: 'per device: admin API request sent -> nudge frame received, all devices requested at --nudge-concurrency; wholeFanoutMs: first request sent -> last frame received',
    },
    serverPeakRssMb: met(serverPeakRssMb, TARGETS.serverRssMb, false),
  };
}

function phaseRow(name, r, withDatabase) {
  const lat = r.latencyMs ?? r.deliveryLatencyMs;
  const rate = r.unitsPerSecond ?? r.requestsPerSecond;
  const errors = r.errors ?? r.requestErrors + r.framesMissing;
  return [
    name,
    r.operations ?? r.devices,
    errors,
    ((r.durationMs ?? r.fanoutMs) / 1000).toFixed(1),
    `${rate} ${r.unit ?? 'nudges'}/s`,
    lat.p50,
    lat.p99,
    r.server?.cpuAvgPercent ?? '',
    r.server?.cpuPeakPercent ?? '',
    r.server?.rssPeakMb ?? '',
    r.server?.benchmarkProcessCpuPercent ?? '',
    ...(withDatabase ? [r.server?.databaseCpuPercent ?? ''] : []),
    r.server?.otherProcessesCpuPercent ?? '',
  ];
}

/** The compact table printed at the end of a run. */
export function printSummary(report) {
  const withDatabase = report.setup.dialect === 'postgres';
  const headers = [
    'phase',
    'count',
    'errors',
    'secs',
    'rate',
    'p50 ms',
    'p99 ms',
    'srv cpu%',
    'srv peak%',
    'srv rss MB',
    'sim cpu%',
    ...(withDatabase ? ['pg cpu%'] : []),
    'other cpu%',
  ];
  const m = report.machine;
  console.log(
    `\ncheck-in benchmark, ${report.setup.dialect}, ${report.setup.devices} devices (${m.cpus} cpus, node ${m.node})`,
  );
  console.log(
    formatTable(
      headers,
      Object.entries(report.phases).map(([n, r]) => phaseRow(n, r, withDatabase)),
    ),
  );
  const f = report.phases['nudge-fanout'];
  if (f)
    console.log(
      `nudge fan-out: ${f.framesReceived}/${f.devices} frames in ${(f.fanoutMs / 1000).toFixed(1)} s (admin requests ${f.requestsPerSecond}/s)`,
    );
  console.log(
    formatTable(
      ['target', 'value', 'target', 'met'],
      Object.entries(report.targets).map(([k, t]) => [
        k,
        t.value ?? '-',
        t.target,
        t.met ? 'yes' : 'NO',
      ]),
    ),
  );
  for (const e of report.errors) console.log(`error: ${e}`);
}
