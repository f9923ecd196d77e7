/**
 * Fuzz of the agent API (the management point, HTTPS on every address), both dialects (issue 7,
 * "a fuzz suite in CI"): enrolment without a valid secret, device authentication on every route
 * and on the push channel, a device's own inputs poisoned, and report batches with one poisoned
 * item between two valid ones. It asserts no 5xx, a stable code on every refusal, nothing written
 * by a refusal (a refused enrolment may raise one status message, counted), and that a poisoned
 * item never stops a device's reporting: its valid neighbours and its next report are stored.
 * Figures go to test-results/fuzz-agent-<dialect>.json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AgentPaths, DEVICE_AUTH_HEADER, ErrorCode } from '@steward/protocol';
import { decodeEnrolmentToken } from '@steward/protocol/node';
import { pgReachable, startSite, type Site, type TestDialect } from '../../../test-support/site.js';
import { deviceAuthCases, deviceInputCases, enrolCases, reportCases, type ReportCase } from './fuzz/agent-cases.js'; // prettier-ignore
import { Figures, pool, rowCounter, runGroup, sendCase, type FuzzCase, type RowCounter } from './fuzz/run.js'; // prettier-ignore
import { enrolDevice, type FuzzDevice } from './fuzz/seeds.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();
if (!hasPg) console.warn('PostgreSQL unreachable on 127.0.0.1:5432: its fuzz run is skipped');
const SEED = Number(process.env.STEWARD_FUZZ_SEED ?? 7);
const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));
const MAX_SAFE_SEQ = 2 ** 53;

function statusItem(seq: number): string {
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

describe.each(dialects)('agent API fuzz (%s)', (dialect) => {
  const skip = dialect === 'postgres' && !hasPg;
  let site: Site;
  let counter: RowCounter;
  let device: FuzzDevice;
  let revoked: FuzzDevice;
  const figures = new Figures();

  beforeAll(async () => {
    if (skip) return;
    site = await startSite({ dialect, agents: 0 });
    device = await enrolDevice(site, 'fuzz-device');
    revoked = await enrolDevice(site, 'fuzz-revoked');
    await site.api.revokeDevice(revoked.deviceId);
    counter = await rowCounter(site);
  });
  afterAll(async () => {
    if (!skip) figures.publish(`fuzz-agent-${dialect}`, { seed: SEED });
    await counter?.close();
    await site?.stop();
  });

  const group = (cases: FuzzCase[], allowance?: { table: string; perRequest: number }) =>
    runGroup({ baseUrl: site.agentUrl, cases, counter, figures, knownCodes: KNOWN_CODES, concurrency: 4, ...(allowance ? { allowance } : {}) }); // prettier-ignore

  /** Asserts no failure was recorded since `since` (a count of failures), printing them. */
  const expectNoFailures = (since: number) => {
    const groups = figures.groups().filter((g) => figures.failures.indexOf(g.example) >= since);
    for (const g of groups)
      console.log(`${g.count} x ${g.key}\n    e.g. ${g.example.input} -> ${g.example.status} ${g.example.code ?? ''}`); // prettier-ignore
    expect(groups.map((g) => g.key)).toEqual([]);
  };

  it.skipIf(skip)('refuses every hostile enrolment, and writes at most its status message', async () => {
    const since = figures.failures.length;
    const revokedToken = await site.api.createToken({ maxUses: 5 });
    await site.api.revokeToken(revokedToken.id);
    const usedUp = await site.api.createToken({ maxUses: 1 });
    const secret = (t: { token?: string | null }) => {
      const d = decodeEnrolmentToken(t.token ?? '');
      return d.ok ? d.value.secret : '';
    };
    // The used-up token: enrol once with it, then it is exhausted.
    const first = await sendCase(site.agentUrl, { op: 'seed', category: 'bad-token', input: 'first use', method: 'POST', path: AgentPaths.enroll, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ secret: secret(usedUp), hostname: 'fuzz-first', osFamily: 'debian', agentVersion: 'fuzz' }), expect: { refuse: false } }, new Figures(), KNOWN_CODES); // prettier-ignore
    expect(first.status).toBe(200);
    const cases = enrolCases({ revoked: secret(revokedToken), exhausted: secret(usedUp) }, SEED);
    for (const category of new Set(cases.map((c) => c.category)))
      await group(cases.filter((c) => c.category === category), { table: 'status_message', perRequest: 1 }); // prettier-ignore
    expectNoFailures(since);
  });

  it.skipIf(skip)('refuses every route and the push channel without a valid device', async () => {
    const since = figures.failures.length;
    await group(deviceAuthCases(device, revoked.auth));
    for (const [label, header] of [
      ['no device header', undefined],
      ['wrong key', `${device.deviceId}.wrong-key`],
      ['revoked device', revoked.auth],
    ] as const) {
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`${site.agentUrl.replace('https', 'wss')}${AgentPaths.push}`, {
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
      const c: FuzzCase = { op: `GET ${AgentPaths.push} (websocket)`, category: 'device-auth', input: label, method: 'GET', path: AgentPaths.push, headers: {}, body: undefined, expect: { refuse: true, status: [401, 403], codes: KNOWN_CODES } }; // prettier-ignore
      const problem = status === 101 ? 'upgraded without a valid device' : status >= 500 || status === 0 ? `status ${status}` : undefined; // prettier-ignore
      figures.record(c, { status, headers: {}, text: '' }, problem);
    }
    expectNoFailures(since);
  });

  it.skipIf(skip)("refuses a device's hostile heartbeat and content query with a code", async () => {
    const since = figures.failures.length;
    const cases = deviceInputCases(device.auth, SEED);
    for (const category of new Set(cases.map((c) => c.category)))
      await group(cases.filter((c) => c.category === category));
    expectNoFailures(since);
  });

  it.skipIf(skip)(
    'a poisoned report item never stops a device: its neighbours and its next report are stored',
    async () => {
      const since = figures.failures.length;
      const cases = reportCases(SEED);
      const post = (body: string, input: string, category: ReportCase['category']) =>
        sendCase(site.agentUrl, { op: `POST ${AgentPaths.reports}`, category, input, method: 'POST', path: AgentPaths.reports, headers: { [DEVICE_AUTH_HEADER]: device.auth, 'content-type': 'application/json' }, body, expect: { refuse: false } }, figures, KNOWN_CODES); // prettier-ignore
      const stored = (seqs: number[]) =>
        counter.scalar(`select count(*) from status_message where device_id = '${device.deviceId}' and device_seq in (${seqs.join(',')})`); // prettier-ignore
      const problems: string[] = [];
      await pool(cases, 4, async (rc) => {
        const s = 1000 + cases.indexOf(rc) * 10;
        const batch = `{"items":[${statusItem(s)},${rc.item.replace('$SEQ', String(s + 1))},${statusItem(s + 2)}]}`; // prettier-ignore
        const r = await post(batch, rc.input, rc.category);
        if (r.status === 200 && (await stored([s, s + 2])) !== 2)
          problems.push(`${rc.input}: acknowledged, but its valid neighbours were not both stored`);
        const next = await post(`{"items":[${statusItem(s + 3)}]}`, `after ${rc.input}`, rc.category); // prettier-ignore
        const ack = next.status === 200 ? (JSON.parse(next.text) as { ackSeq: number }).ackSeq : -1;
        if (ack !== s + 3 || (await stored([s + 3])) !== 1)
          problems.push(`${rc.input}: the next report was not acknowledged and stored (${next.status} ack ${ack})`); // prettier-ignore
      });
      // A batch over the protocol's limit is refused whole, and writes nothing.
      const huge = `{"items":[${Array.from({ length: 5001 }, (_, i) => statusItem(900_000 + i)).join(',')}]}`; // prettier-ignore
      await group([{ op: `POST ${AgentPaths.reports}`, category: 'huge-batch', input: '5001 items', method: 'POST', path: AgentPaths.reports, headers: { [DEVICE_AUTH_HEADER]: device.auth, 'content-type': 'application/json' }, body: huge, expect: { refuse: true, status: [400], codes: new Set([ErrorCode.INVALID_INPUT]) } }]); // prettier-ignore
      const maxSeq = await counter.scalar(`select max(device_seq) from status_message where device_id = '${device.deviceId}'`); // prettier-ignore
      const deviceSeq = await counter.scalar(`select max(report_seq) from device where id = '${device.deviceId}'`); // prettier-ignore
      const inventorySeq = await counter.scalar(`select max(inventory_seq) from device where id = '${device.deviceId}'`); // prettier-ignore
      for (const [what, n] of [['status message seq', maxSeq], ['device report_seq', deviceSeq], ['device inventory_seq', inventorySeq]] as const) // prettier-ignore
        if (!(n < MAX_SAFE_SEQ)) problems.push(`${what} stored as ${n}: beyond 2^53`);
      for (const problem of problems)
        figures.failures.push({ op: `POST ${AgentPaths.reports}`, category: 'number', input: problem, status: 0, code: undefined, problem: 'device reporting harmed' }); // prettier-ignore
      for (const p of problems) console.log(p);
      expectNoFailures(since);
      expect(problems).toEqual([]);
    },
    300_000,
  );
});
