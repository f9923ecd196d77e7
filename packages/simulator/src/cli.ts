#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { checkFileLimit } from './fd-limit.js';
import { FleetModel } from './fleet-model.js';
import type { PhaseResult } from './phase.js';
import { formatTable } from './table.js';
import { resolveTemplate } from './template.js';
import { VirtualFleet } from './virtual-fleet.js';

const PHASES = ['enrol', 'inventory', 'policy', 'status', 'push'] as const;
type PhaseName = (typeof PHASES)[number];

const USAGE = `usage: steward-simulator --token <enrolment token> [options]
  --count N              virtual devices (default 100)
  --concurrency N        requests in flight per phase (default 32)
  --phases list          comma-separated, in order: ${PHASES.join(',')} (default: all)
  --policy-requests N    policy requests in the policy phase (default 3 x count)
  --status-messages N    status messages in the status phase (default 20 x count)
  --batch-size N         status messages per report batch (default 500)
  --template FILE        output of "steward-agent inventory --json" (default: ask the agent, else read this machine)
  --packages N           trim the template to about N packages
  --images N             image variants (default 20)   --drift R   share of drifted devices (default 0.1)
  --seed N               same seed, same fleet (default 1)
  --hostname-prefix P    devices are named P-00000, P-00001, ... (default sim)
  --hold                 after the phases keep the push channels open, answering nudges, until Ctrl-C
  --json                 print the phase results as JSON`;

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`--${name} must be a non-negative number, got "${value}"`);
  return n;
}

function phaseList(value: string | undefined): PhaseName[] {
  if (value === undefined) return [...PHASES];
  return value.split(',').map((p) => {
    const found = PHASES.find((x) => x === p.trim());
    if (!found) throw new Error(`unknown phase "${p}" (known: ${PHASES.join(', ')})`);
    return found;
  });
}

function row(r: PhaseResult): (string | number)[] {
  return [
    r.name,
    r.operations,
    r.errors,
    r.concurrency,
    (r.durationMs / 1000).toFixed(1),
    r.unitsPerSecond,
    r.unit,
    r.latencyMs.p50,
    r.latencyMs.p99,
    r.simulatorCpuPercent,
  ];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      token: { type: 'string' },
      count: { type: 'string' },
      concurrency: { type: 'string' },
      phases: { type: 'string' },
      'policy-requests': { type: 'string' },
      'status-messages': { type: 'string' },
      'batch-size': { type: 'string' },
      template: { type: 'string' },
      packages: { type: 'string' },
      images: { type: 'string' },
      drift: { type: 'string' },
      seed: { type: 'string' },
      'hostname-prefix': { type: 'string' },
      hold: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || values.token === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const count = int(values.count, 100, 'count');
  const concurrency = Math.max(1, int(values.concurrency, 32, 'concurrency'));
  const phases = phaseList(values.phases);
  if (phases.includes('push')) {
    const limit = checkFileLimit(count);
    if (!limit.ok) console.error(`warning: ${limit.advice}`);
  }
  const { template, source } = resolveTemplate(values.template);
  const packages = values.packages === undefined ? undefined : int(values.packages, 0, 'packages');
  const model = new FleetModel(template, {
    seed: int(values.seed, 1, 'seed'),
    images: int(values.images, 20, 'images'),
    driftRate: Number(values.drift ?? '0.1'),
    ...(values['hostname-prefix'] === undefined
      ? {}
      : { hostnamePrefix: values['hostname-prefix'] }),
    ...(packages === undefined ? {} : { packagesPerDevice: packages }),
  });
  console.error(
    `template: ${source} (${template.packages.length} packages); ${count} devices, ${model.images.length} images`,
  );
  const fleet = await VirtualFleet.connect({ token: values.token, count, model });
  const results: PhaseResult[] = [];
  for (const phase of phases) {
    console.error(`phase ${phase}...`);
    switch (phase) {
      case 'enrol':
        results.push(await fleet.enrolAll(concurrency));
        break;
      case 'inventory':
        results.push(await fleet.sendFullInventories(concurrency));
        break;
      case 'policy':
        results.push(
          await fleet.fetchPolicies(
            int(values['policy-requests'], 3 * count, 'policy-requests'),
            concurrency,
          ),
        );
        break;
      case 'status':
        results.push(
          await fleet.sendStatusMessages(
            int(values['status-messages'], 20 * count, 'status-messages'),
            int(values['batch-size'], 500, 'batch-size'),
            concurrency,
          ),
        );
        break;
      case 'push':
        results.push(await fleet.connectPush(concurrency));
        break;
    }
  }
  if (values.json) console.log(JSON.stringify(results, null, 2));
  else
    console.log(
      formatTable(
        [
          'phase',
          'ops',
          'errors',
          'conc',
          'seconds',
          'per second',
          'unit',
          'p50 ms',
          'p99 ms',
          'sim cpu%',
        ],
        results.map(row),
      ),
    );
  for (const r of results) for (const e of r.sampleErrors) console.error(`${r.name}: ${e}`);
  if (values.hold && phases.includes('push')) {
    console.error(`holding ${fleet.push.openCount} push channels open; Ctrl-C to stop`);
    fleet.push.onReceipt((r) =>
      console.error(`device ${r.deviceIndex}: ${r.action} (${r.requestId})`),
    );
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  }
  await fleet.close();
  return results.some((r) => r.errors > 0) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
