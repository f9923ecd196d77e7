/**
 * Fuzz of the admin API, derived from the running server's OpenAPI document (issue 7, "a fuzz
 * suite in CI"): every operation, both dialects. Each case poisons one thing (credentials, path,
 * content type, one field or parameter) with one representative value of its category; the suite
 * asserts no 5xx ever, a refusal with the right status and a stable `ErrorCode` where the input
 * must be refused, and no row written by a refused group (row counts read from the database).
 * Deterministic: STEWARD_FUZZ_SEED (default 7) picks the representatives. Figures are printed and
 * written to test-results/fuzz-admin-<dialect>.json with every failure (operation, input, answer).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@steward/protocol';
import {
  pgReachable,
  createTestSite,
  type Site,
  type TestDialect,
} from '../../../test-support/site.js';
import { PUBLIC_OPERATIONS, casesFor } from './fuzz/admin-cases.js';
import { operationsOf, type OpenApiDocument, type Operation } from './fuzz/openapi.js';
import { Figures, rowCounter, runGroup, send, type FuzzCase, type RowCounter } from './fuzz/run.js';
import { createSeeds, credentials } from './fuzz/seeds.js';

const dialects: TestDialect[] = ['sqlite', 'postgres'];
const hasPg = await pgReachable();
if (!hasPg) console.warn('PostgreSQL unreachable on 127.0.0.1:5432: its fuzz run is skipped');
const SEED = Number(process.env.STEWARD_FUZZ_SEED ?? 7);
const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));
/** Operations that end the fuzzing session if called for real are fuzzed last. */
const LAST = new Set(['POST /api/v1/auth/logout']);

function hash(s: string): number {
  let h = SEED;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

describe.each(dialects)('admin API fuzz (%s)', (dialect) => {
  const skip = dialect === 'postgres' && !hasPg;
  let site: Site;
  let counter: RowCounter;
  let ops: Operation[];
  let cases: FuzzCase[];
  const figures = new Figures();

  beforeAll(async () => {
    if (skip) return;
    // OS image builds (ADR 0093) fall back to the server's apt sources for their mirror: an
    // empty apt folder keeps a fuzzed build on the loopback mirrors the fuzz generates.
    site = await createTestSite({
      dialect,
      withEnrolledDevices: 0,
      env: { STEWARD_OS_IMAGE_APT_DIR: mkdtempSync(join(tmpdir(), 'fuzz-apt-')) },
    });
    const doc = JSON.parse(
      (
        await send(site.adminUrl, {
          method: 'GET',
          path: '/api/openapi.json',
          headers: {},
          body: undefined,
        })
      ).text,
    ) as OpenApiDocument;
    ops = operationsOf(doc).sort((a, b) => Number(LAST.has(a.id)) - Number(LAST.has(b.id)));
    const { token } = await site.api.login(site.adminUser, site.adminPassword);
    if (token === undefined) throw new Error('a bearer login returned no token');
    const seeds = await createSeeds(site, ops, token);
    const creds = await credentials(site, token);
    cases = ops.flatMap((op) => casesFor(op, seeds, creds, hash(op.id)));
    counter = await rowCounter(site);
  }, 300_000);
  afterAll(async () => {
    await counter?.close();
    await site?.stop();
  });

  it.skipIf(skip)('covers every operation of the document', () => {
    expect(ops.length).toBeGreaterThan(100);
    const covered = new Set(cases.map((c) => c.op));
    // A public operation without any input (health) has nothing to poison.
    const inert = (o: Operation) => PUBLIC_OPERATIONS.has(o.id) && !o.body && !o.params.length;
    expect(ops.filter((o) => !covered.has(o.id) && !inert(o)).map((o) => o.id)).toEqual([]);
  });

  it.skipIf(skip)(
    'refuses hostile input with a stable code, never a 5xx, and writes nothing on refusal',
    async () => {
      for (const op of ops) {
        const mine = cases.filter((c) => c.op === op.id);
        for (const category of new Set(mine.map((c) => c.category)))
          await runGroup({
            baseUrl: site.adminUrl,
            cases: mine.filter((c) => c.category === category),
            counter,
            figures,
            knownCodes: KNOWN_CODES,
            concurrency: 4,
          });
      }
      figures.publish(`fuzz-admin-${dialect}`, { seed: SEED, documentOperations: ops.length });
      for (const g of figures.groups())
        console.log(
          `${g.count} x ${g.key}\n    e.g. ${g.example.input} -> ${g.example.status} ${g.example.code ?? ''}`,
        );
      expect(figures.serverErrors).toBe(0);
      expect(figures.writesOnRefusal).toBe(0);
      expect(figures.groups().map((g) => g.key)).toEqual([]);
    },
    600_000,
  );
});
