import { performance } from 'node:perf_hooks';
import { LatencyRecorder, type LatencySummary } from './stats.js';
import { runPool } from './semaphore.js';

/** What one load phase measured, from the simulator's side. */
export interface PhaseResult {
  name: string;
  /** Requests (or connections) made. */
  operations: number;
  /** What the phase counts: inventories, messages, policies, connections. */
  unit: string;
  units: number;
  errors: number;
  /** The first few error texts, so a failing run says why. */
  sampleErrors: string[];
  concurrency: number;
  durationMs: number;
  operationsPerSecond: number;
  unitsPerSecond: number;
  /** Per-request latency as the device saw it. */
  latencyMs: LatencySummary;
  /** CPU the simulator itself used, % of one core: above ~90 the simulator, not the server, limits. */
  simulatorCpuPercent: number;
}

export interface OperationOutcome {
  units: number;
  /** The request's own latency (excluding any wait for the device's outbox lock). */
  ms: number;
}

const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs `operations` operations at the given concurrency and measures throughput and latency. */
export async function runPhase(
  name: string,
  unit: string,
  operations: number,
  concurrency: number,
  op: (i: number) => Promise<OperationOutcome>,
): Promise<PhaseResult> {
  const latency = new LatencyRecorder();
  const sampleErrors: string[] = [];
  let units = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { errors } = await runPool(
    operations,
    concurrency,
    async (i) => {
      const outcome = await op(i);
      units += outcome.units;
      latency.record(outcome.ms);
    },
    (_i, err) => {
      if (sampleErrors.length < 5) sampleErrors.push(errorText(err));
    },
  );
  const durationMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const seconds = durationMs / 1000;
  return {
    name,
    operations,
    unit,
    units,
    errors,
    sampleErrors,
    concurrency,
    durationMs: round(durationMs),
    operationsPerSecond: round((operations - errors) / seconds),
    unitsPerSecond: round(units / seconds),
    latencyMs: latency.summary(),
    simulatorCpuPercent: round(((cpu.user + cpu.system) / 1000 / durationMs) * 100),
  };
}

/** Times one request. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t };
}
