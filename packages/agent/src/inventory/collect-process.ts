import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseJsonText, parseWith } from '../parse.js';
import type { CollectedInventory, CollectOptions } from './collect.js';
import { CollectResponse } from './collect-schema.js';

/**
 * V8 flags of the collection process: a 1 MB young generation instead of 16 MB. The collectors
 * make many short-lived objects, and the default semi-spaces alone raised the peak RSS by 17 MB.
 */
export const COLLECT_PROCESS_NODE_FLAGS = ['--max-semi-space-size=1'];
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

export interface ChildCollection {
  inventory: CollectedInventory;
  stats: { collectMs: number; cpuMs: number; peakRssMb: number; wallMs: number };
}

/** The hidden command of the agent's CLI that runs collect-child.ts. */
export const COLLECT_COMMAND = '__collect-inventory';

/**
 * The collectors-only bundle (src/collect-main.ts) that the .deb and the tarball ship beside
 * steward-agent.mjs (packaging/bundle.sh): the collection process starts it instead of the whole
 * agent when it is there.
 */
export const COLLECT_BUNDLE = 'steward-collect.mjs';

/**
 * What the collection process runs, after the V8 flags: the collectors-only bundle beside the
 * agent's bundle when there is one, else the agent entry itself with its hidden command (the
 * workspace's bin, a single executable, or an install that has no collectors-only bundle).
 */
export function collectCommand(entry: string): string[] {
  if (entry.endsWith('.mjs')) {
    const bundle = join(dirname(entry), COLLECT_BUNDLE);
    if (existsSync(bundle)) return [bundle];
  }
  return [entry, COLLECT_COMMAND];
}

/**
 * The agent's own entry point (bin/steward-agent.js, or the bundled steward-agent.mjs of the
 * .deb), which this process was started from; `undefined` when it was not (a test runner).
 */
export function agentEntryPoint(): string | undefined {
  const entry = process.argv[1];
  return entry !== undefined && /steward-agent(\.m?js)?$/.test(entry) && existsSync(entry)
    ? entry
    : undefined;
}

/**
 * Collects in a separate, short-lived Node process, so that what a full inventory allocates is
 * returned to the system when it exits instead of staying in the service's heap (ADR 0021).
 * Rejects when the process cannot run or prints something that is not a CollectResponse.
 */
export function collectInChildProcess(
  options: CollectOptions,
  entry: string | undefined = agentEntryPoint(),
): Promise<ChildCollection> {
  if (entry === undefined)
    return Promise.reject(new Error(`not started as steward-agent (${process.argv[1] ?? '?'})`));
  const request = {
    ...options,
    startedAt: options.startedAt?.toISOString(),
  };
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...COLLECT_PROCESS_NODE_FLAGS, ...collectCommand(entry)],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) child.kill('SIGKILL');
      else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) {
        const why = Buffer.concat(err).toString('utf8').trim().slice(-500);
        reject(
          new Error(
            `collection process ${signal ?? `exited ${String(code)}`}${why ? `: ${why}` : ''}`,
          ),
        );
        return;
      }
      try {
        const text = Buffer.concat(out).toString('utf8');
        const res = parseWith(
          CollectResponse,
          parseJsonText(text, 'collection output'),
          'collection output',
        );
        const inv = res.inventory;
        const inventory: CollectedInventory = {
          collectedAt: inv.collectedAt,
          classes: inv.classes,
          packages: inv.packages,
          failures: inv.failures,
          partial: inv.partial,
        };
        if (inv.softwareScan !== undefined) inventory.softwareScan = inv.softwareScan;
        resolve({ inventory, stats: { ...res.stats, wallMs: Math.round(performance.now() - t0) } });
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    child.stdin.end(JSON.stringify(request));
  });
}
