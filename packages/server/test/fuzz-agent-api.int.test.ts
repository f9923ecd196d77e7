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
import { DEVICE_AUTH_HEADER, ErrorCode, agentOps } from '@steward/protocol';
import {
  pgReachable,
  createTestSite,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import {
  deviceAuthCases,
  deviceInputCases,
  enrolCases,
  reportCases,
  type ReportCase,
} from './fuzz/agent-cases.js';
import {
  deviceSeqProblems,
  probeReport,
  pushUpgradeStatus,
  statusItem,
} from './fuzz/agent-probes.js';
import { Figures, pool, rowCounter, runGroup, type FuzzCase, type RowCounter } from './fuzz/run.js';
import {
  enrolDevice,
  enrolWithSecret,
  membershipSettled,
  tokenSecret,
  type FuzzDevice,
} from './fuzz/seeds.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();
if (!hasPg) console.warn('PostgreSQL unreachable on 127.0.0.1:5432: its fuzz run is skipped');
const SEED = Number(process.env.STEWARD_FUZZ_SEED ?? 7);
const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

describe.each(dialects)('agent API fuzz (%s)', (dialect) => {
  const skip = dialect === 'postgres' && !hasPg;
  let site: Site;
  let counter: RowCounter;
  let device: FuzzDevice;
  let revoked: FuzzDevice;
  const figures = new Figures();

  beforeAll(async () => {
    if (skip) return;
    // Every hostile input must reach its own check, not the per-address refusal budget (429),
    // which agent-endpoint.int.test.ts tests on its own.
    site = await createTestSite({
      dialect,
      withEnrolledDevices: 0,
      env: { STEWARD_AGENT_REFUSALS_PER_MINUTE: '0' },
    });
    device = await enrolDevice(site, 'fuzz-device');
    revoked = await enrolDevice(site, 'fuzz-revoked');
    await membershipSettled(site, device.deviceId, true);
    await membershipSettled(site, revoked.deviceId, true);
    await site.api.revokeDevice(revoked.deviceId);
    await membershipSettled(site, revoked.deviceId, false);
    counter = await rowCounter(site);
  }, 300_000);
  afterAll(async () => {
    if (!skip) figures.publish(`fuzz-agent-${dialect}`, { seed: SEED });
    await counter?.close();
    await site?.stop();
  });

  const group = (cases: FuzzCase[], allowance?: { table: string; perRequest: number }) =>
    runGroup({
      baseUrl: site.agentUrl,
      cases,
      counter,
      figures,
      knownCodes: KNOWN_CODES,
      concurrency: 4,
      ...(allowance ? { allowance } : {}),
    });
  const byCategory = async (
    cases: FuzzCase[],
    allowance?: { table: string; perRequest: number },
  ) => {
    for (const category of new Set(cases.map((c) => c.category)))
      await group(
        cases.filter((c) => c.category === category),
        allowance,
      );
  };

  /** Asserts no failure was recorded since `since` (a count of failures), printing them. */
  const expectNoFailures = (since: number) => {
    const groups = figures.groups().filter((g) => figures.failures.indexOf(g.example) >= since);
    for (const g of groups)
      console.log(
        `${g.count} x ${g.key}\n    e.g. ${g.example.input} -> ${g.example.status} ${g.example.code ?? ''}`,
      );
    expect(groups.map((g) => g.key)).toEqual([]);
  };

  it.skipIf(skip)(
    'refuses every hostile enrolment, and writes at most its status message',
    async () => {
      const since = figures.failures.length;
      const revokedToken = await site.api.createToken({ maxUses: 5 });
      await site.api.revokeToken(revokedToken.id);
      // A token used once and so used up.
      const usedUp = await site.api.createToken({ maxUses: 1 });
      const first = await enrolWithSecret(site, tokenSecret(usedUp), 'fuzz-first');
      await membershipSettled(site, first.deviceId, true);
      const secrets = { revoked: tokenSecret(revokedToken), exhausted: tokenSecret(usedUp) };
      // A refused enrolment raises one status message (issue 7 bounds their rate and retention).
      await byCategory(enrolCases(secrets, SEED), { table: 'status_message', perRequest: 1 });
      expectNoFailures(since);
    },
  );

  it.skipIf(skip)('refuses every route and the push channel without a valid device', async () => {
    const since = figures.failures.length;
    await group(deviceAuthCases(device, revoked.auth));
    for (const [label, header] of [
      ['no device header', undefined],
      ['wrong key', `${device.deviceId}.wrong-key`],
      ['revoked device', revoked.auth],
    ] as const) {
      const status = await pushUpgradeStatus(site.agentUrl, header);
      const c: FuzzCase = {
        op: `GET ${agentOps.device.push.path} (websocket)`,
        category: 'device-auth',
        input: label,
        method: 'GET',
        path: agentOps.device.push.path,
        headers: {},
        body: undefined,
        expect: { refuse: true, status: [401, 403], codes: KNOWN_CODES },
      };
      const refused = status >= 400 && status < 500;
      figures.record(
        c,
        { status, headers: {}, text: '' },
        refused ? undefined : `status ${status}`,
      );
    }
    expectNoFailures(since);
  });

  it.skipIf(skip)(
    "refuses a device's hostile heartbeat and content query with a code",
    async () => {
      const since = figures.failures.length;
      await byCategory(deviceInputCases(device.auth, SEED));
      expectNoFailures(since);
    },
  );

  it.skipIf(skip)(
    'a poisoned report item never stops a device: its neighbours and its next report are stored',
    async () => {
      const since = figures.failures.length;
      const probe = { agentUrl: site.agentUrl, device, counter, figures, knownCodes: KNOWN_CODES };
      const cases = reportCases(SEED);
      const probeAll = (list: ReportCase[]) =>
        pool(list, 4, (rc) => probeReport(probe, rc, 1000 + cases.indexOf(rc) * 10));
      const found = [
        ...(await probeAll(cases.filter((c) => !c.hostileSeq))),
        ...(await probeAll(cases.filter((c) => c.hostileSeq))),
      ];
      // A batch over the protocol's limit is refused whole, and writes nothing.
      const items = Array.from({ length: 5001 }, (_, i) => statusItem(900_000 + i));
      await group([
        {
          op: `POST ${agentOps.device.reports.path}`,
          category: 'huge-batch',
          input: '5001 items',
          method: 'POST',
          path: agentOps.device.reports.path,
          headers: { [DEVICE_AUTH_HEADER]: device.auth, 'content-type': 'application/json' },
          body: `{"items":[${items.join(',')}]}`,
          expect: { refuse: true, status: [400], codes: new Set([ErrorCode.INVALID_INPUT]) },
        },
      ]);
      const problems = [...found.flat(), ...(await deviceSeqProblems(counter, device.deviceId))];
      for (const problem of problems)
        figures.failures.push({
          op: `POST ${agentOps.device.reports.path}`,
          category: 'device-reporting',
          input: 'poisoned report items',
          status: 0,
          code: undefined,
          problem,
        });
      expectNoFailures(since);
    },
    300_000,
  );
});
