/**
 * The short-lived process that collects an inventory for the agent service (collect-process.ts):
 * options as JSON on stdin, CollectResponse as JSON on stdout. The service
 * stays small because the collectors, their subprocess output and the software scan's buffers
 * live and die here (ADR 0021).
 */
import { readFile } from 'node:fs/promises';
import { parseJsonText, parseWith } from '../parse.js';
import { collectInventory, type CollectOptions } from './collect.js';
import { CollectRequest } from './collect-schema.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) if (chunk instanceof Buffer) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function peakRssMb(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

/**
 * `steward-agent __collect-inventory` (not in the usage text: only the service runs it, through
 * collect-process.ts). Reads a CollectRequest on stdin and prints a CollectResponse.
 */
export async function collectChildMain(): Promise<number> {
  const request = parseWith(
    CollectRequest,
    parseJsonText(await readStdin(), 'collection request'),
    'collection request',
  );
  const options: CollectOptions = {
    ...(request.customClasses ? { customClasses: request.customClasses } : {}),
    ...(request.softwareScanPaths ? { softwareScanPaths: request.softwareScanPaths } : {}),
    ...(request.includeSoftwareScan !== undefined
      ? { includeSoftwareScan: request.includeSoftwareScan }
      : {}),
    ...(request.only ? { only: request.only } : {}),
    ...(request.startedAt ? { startedAt: new Date(request.startedAt) } : {}),
    ...(request.maxSoftwareFiles !== undefined
      ? { maxSoftwareFiles: request.maxSoftwareFiles }
      : {}),
  };
  const t0 = performance.now();
  const inventory = await collectInventory(options);
  const collectMs = Math.round(performance.now() - t0);
  const cpu = process.cpuUsage();
  const stats = {
    collectMs,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    peakRssMb: await peakRssMb(),
  };
  await new Promise<void>((resolve) =>
    process.stdout.write(JSON.stringify({ inventory, stats }), () => resolve()),
  );
  return 0;
}
