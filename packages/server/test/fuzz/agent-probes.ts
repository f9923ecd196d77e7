/**
 * Agent API probes that are more than one request: the push channel's upgrade, and a report batch
 * with one poisoned item whose consequences (neighbours stored, next report stored) are checked.
 */
import WebSocket from 'ws';
import { DEVICE_AUTH_HEADER, agentOps } from '@steward/protocol';
import type { ReportCase } from './agent-cases.js';
import { sendCase, type Figures, type RowCounter } from './run.js';

/** The HTTP status of a push-channel upgrade (101 when it was upgraded). */
export function pushUpgradeStatus(agentUrl: string, header: string | undefined): Promise<number> {
  return new Promise<number>((resolve) => {
    const ws = new WebSocket(`${agentUrl.replace('https', 'wss')}${agentOps.device.push.path}`, {
      rejectUnauthorized: false,
      headers: header ? { [DEVICE_AUTH_HEADER]: header } : {},
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', () => resolve(0));
  });
}

/** A valid status message item whose first insertion string names its sequence number. */
export function statusItem(seq: number): string {
  return JSON.stringify({
    seq,
    type: 'status:message',
    body: {
      messageId: 40030,
      severity: 'informational',
      type: 'audit',
      component: 'fuzz',
      at: new Date(0).toISOString(),
      insertionStrings: [`fuzz-${seq}`],
      attributes: {},
    },
  });
}

export interface ReportProbe {
  agentUrl: string;
  device: { deviceId: string; auth: string };
  counter: RowCounter;
  figures: Figures;
  knownCodes: ReadonlySet<string>;
}

/**
 * Sends [valid s, poisoned s+1, valid s+2], then [valid s+3]. Whatever the site does with the
 * poisoned item (refuse the batch, refuse the item, clean it), it must not answer 5xx (judged and
 * recorded by sendCase), must store both neighbours when it acknowledges the batch, and must
 * acknowledge and store the device's next report. Returns what went wrong.
 */
export async function probeReport(p: ReportProbe, rc: ReportCase, s: number): Promise<string[]> {
  const problems: string[] = [];
  const post = (body: string, input: string) =>
    sendCase(
      p.agentUrl,
      {
        op: `POST ${agentOps.device.reports.path}`,
        category: rc.category,
        input,
        method: 'POST',
        path: agentOps.device.reports.path,
        headers: { [DEVICE_AUTH_HEADER]: p.device.auth, 'content-type': 'application/json' },
        body,
        expect: { refuse: false },
      },
      p.figures,
      p.knownCodes,
    );
  const stored = (seqs: number[]) =>
    p.counter.scalar(
      `select count(*) from status_message where device_id = '${p.device.deviceId}' and device_seq in (${seqs.join(',')})`,
    );
  const poisoned = rc.item.replace('"$SEQ"', String(s + 1));
  const r = await post(`{"items":[${statusItem(s)},${poisoned},${statusItem(s + 2)}]}`, rc.input);
  if (rc.category === 'control' && r.status !== 200)
    problems.push(`${rc.input}: a valid item was not acknowledged (${r.status} ${r.text})`);
  if (r.status === 200 && (await stored([s, s + 2])) !== 2)
    problems.push(`${rc.input}: acknowledged, but its valid neighbours were not both stored`);
  const next = await post(`{"items":[${statusItem(s + 3)}]}`, `after ${rc.input}`);
  const ack = next.status === 200 ? (JSON.parse(next.text) as { ackSeq: number }).ackSeq : -1;
  if (ack !== s + 3 || (await stored([s + 3])) !== 1)
    problems.push(
      `${rc.input}: the next report was not acknowledged and stored (${next.status} ack ${ack})`,
    );
  return problems;
}

/** Sequence numbers the site keeps for a device must stay exact integers (within 2^53). */
export async function deviceSeqProblems(counter: RowCounter, deviceId: string): Promise<string[]> {
  const queries = [
    [
      'status message seq',
      `select max(device_seq) from status_message where device_id = '${deviceId}'`,
    ],
    ['device report_seq', `select max(report_seq) from device where id = '${deviceId}'`],
    ['device inventory_seq', `select max(inventory_seq) from device where id = '${deviceId}'`],
  ] as const;
  const problems: string[] = [];
  for (const [what, sql] of queries) {
    const n = await counter.scalar(sql);
    if (!(n < 2 ** 53)) problems.push(`${what} stored as ${n}: beyond 2^53`);
  }
  return problems;
}
