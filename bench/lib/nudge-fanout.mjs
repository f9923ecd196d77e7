// Nudge fan-out through the admin API, as an administrator's script would do it: one
// POST /api/v1/devices/:id/actions per device at a chosen concurrency (there is no bulk route).
// Measured: from the first request sent to the last frame received by a virtual agent, and per
// device from its request being sent to its frame arriving (matched by request id).
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LatencyRecorder, runPool, errorText } from '@steward/simulator';

const round = (n) => Math.round(n * 10) / 10;

/**
 * @param {{ api: import('@steward/protocol').ApiClient, push: import('@steward/simulator').PushChannels,
 *   agents: import('@steward/simulator').VirtualAgent[], concurrency: number, timeoutMs: number, action?: string }} o
 */
export async function measureNudgeFanout(o) {
  const action = o.action ?? 'policy:fetch';
  const targets = new Set(o.agents.map((a) => a.index));
  const sent = new Map(); // request id -> { sentAt, answeredAt }
  const arrived = new Set(); // device indexes that got a frame after t0
  let allArrived;
  const everyone = new Promise((resolve) => (allArrived = resolve));
  let t0 = 0;
  const off = o.push.onReceipt((r) => {
    if (r.receivedAt < t0 || !targets.has(r.deviceIndex) || arrived.has(r.deviceIndex)) return;
    arrived.add(r.deviceIndex);
    if (arrived.size === targets.size) allArrived();
  });
  const sampleErrors = [];
  // Open the client's sockets before timing: the fan-out measures the site, not TCP setup.
  await Promise.all(Array.from({ length: o.concurrency }, () => o.api.site()));
  t0 = performance.now();
  const { errors } = await runPool(
    o.agents.length,
    o.concurrency,
    async (i) => {
      const agent = o.agents[i];
      const sentAt = performance.now();
      const res = await o.api.requestDeviceAction(agent.deviceId, action);
      sent.set(res.id, { sentAt, answeredAt: performance.now(), deviceIndex: agent.index });
    },
    (_i, err) => {
      if (sampleErrors.length < 5) sampleErrors.push(errorText(err));
    },
  );
  const requestsDoneAt = performance.now();
  const timedOut = await Promise.race([
    everyone.then(() => false),
    sleep(o.timeoutMs).then(() => true),
  ]);
  off();

  const perDevice = new LatencyRecorder();
  const adminRequest = new LatencyRecorder();
  let lastAt = 0;
  let matched = 0;
  for (const [id, s] of sent) {
    adminRequest.record(s.answeredAt - s.sentAt);
    const receipt = o.push.receipts.get(id);
    if (!receipt) continue;
    matched++;
    perDevice.record(receipt.receivedAt - s.sentAt);
    lastAt = Math.max(lastAt, receipt.receivedAt);
  }
  // When the slowest requests started (ms after the first): all at one moment means the server
  // stalled once; spread out means steady queueing.
  const slowest = [...sent.values()]
    .map((s) => ({ startMs: round(s.sentAt - t0), ms: round(s.answeredAt - s.sentAt) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 10);
  return {
    slowestAdminRequests: slowest,
    devices: targets.size,
    concurrency: o.concurrency,
    requestErrors: errors,
    sampleErrors,
    framesReceived: matched,
    framesMissing: targets.size - matched,
    timedOut,
    /** First request sent -> last admin API answer. */
    requestsDurationMs: round(requestsDoneAt - t0),
    /** First request sent -> last frame received: the whole fan-out as the administrator sees it. */
    fanoutMs: round(lastAt > 0 ? lastAt - t0 : performance.now() - t0),
    requestsPerSecond: round((sent.size / (requestsDoneAt - t0)) * 1000),
    /** Per device: its request sent -> its frame received. */
    deliveryLatencyMs: perDevice.summary(),
    adminRequestLatencyMs: adminRequest.summary(),
  };
}
