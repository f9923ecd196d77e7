/**
 * The content manager against real HTTPS: a stand-in management point answering content
 * locations and stand-in DPs serving files with Range, all with certificates from a throwaway
 * site CA. DPs can die mid-body, fail, corrupt bytes or refuse the access token.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentOps,
  type AgentDeployment,
  type AgentProgram,
  type ContentLocation,
  type StatusMessageBody,
} from '@steward/protocol';
import { makeCerts, type TestCerts } from '../../../test/test-site.js';
import { deployment as sharedDeployment } from '../../../test/software-fixtures.js';
import { HttpsClient } from '../../channel/https-client.js';
import { silentLogger } from '../../logger.js';
import { ContentManager, ContentUnavailableError } from './content-manager.js';

type Behaviour = 'ok' | 'die-mid-body' | 'status-500' | 'corrupt';

interface Seen {
  sha: string;
  range: string | undefined;
  auth: string | undefined;
}

/** One HTTPS server: a DP, and (for the first one) the management point's locations route. */
class StandIn {
  files = new Map<string, Buffer>();
  behaviour: Behaviour = 'ok';
  /** For die-mid-body: bytes of the body sent before the connection is cut. */
  dieAfter = 100_000;
  acceptedToken = 'token-1';
  seen: Seen[] = [];
  locationCalls = 0;
  locations: () => { locations: ContentLocation[]; slow?: boolean; token?: string } = () => ({
    locations: [],
  });

  private constructor(private readonly server: Server) {}

  static async start(certs: TestCerts): Promise<StandIn> {
    const ref: { s?: StandIn } = {};
    const server = createServer({ key: certs.serverKey, cert: certs.serverChain }, (req, res) =>
      ref.s?.handle(req, res),
    );
    const s = new StandIn(server);
    ref.s = s;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return s;
  }

  get url(): string {
    const a = this.server.address();
    return `https://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`;
  }

  location(name: string, tier: ContentLocation['tier'] = 'local', afterMinutes = 0) {
    return { dpId: `dp-${name}`, name, url: this.url, tier, afterMinutes };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://x');
    if (url.pathname === agentOps.distribution.contentLocations.path) {
      this.locationCalls++;
      const l = this.locations();
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          packageVersionId: url.searchParams.get('packageVersionId'),
          clientAddress: '127.0.0.1',
          boundaryGroupIds: [],
          slow: l.slow ?? false,
          locations: l.locations,
          accessToken: l.token ?? 'token-1',
          accessTokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        }),
      );
      return;
    }
    const m = /^\/content\/v1\/files\/([0-9a-f]{64})$/.exec(url.pathname);
    const sha = m?.[1] ?? '';
    this.seen.push({ sha, range: req.headers.range, auth: req.headers.authorization });
    if (req.headers.authorization !== `Bearer ${this.acceptedToken}`) {
      res.writeHead(401).end();
      return;
    }
    const body = this.files.get(sha);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    if (this.behaviour === 'status-500') {
      res.writeHead(500).end();
      return;
    }
    this.serve(req, res, body);
  }

  private serve(req: IncomingMessage, res: ServerResponse, file: Buffer): void {
    let body =
      this.behaviour === 'corrupt' ? Buffer.from(file.map((b, i) => (i === 7 ? b ^ 1 : b))) : file;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range?.[1] !== undefined) {
      const start = Number(range[1]);
      res.writeHead(206, {
        'content-range': `bytes ${start}-${file.length - 1}/${file.length}`,
        'content-length': String(file.length - start),
      });
      body = body.subarray(start);
    } else {
      res.writeHead(200, { 'content-length': String(file.length) });
    }
    if (this.behaviour === 'die-mid-body') {
      res.write(body.subarray(0, this.dieAfter), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  }
}

let certs: TestCerts;
let site: StandIn;
let dp2: StandIn;
let clients: HttpsClient[] = [];
const managers: ContentManager[] = [];

beforeAll(async () => {
  certs = makeCerts();
  site = await StandIn.start(certs);
  dp2 = await StandIn.start(certs);
});
afterAll(async () => {
  for (const m of managers) m.close();
  for (const c of clients) c.close();
  clients = [];
  await site.close();
  await dp2.close();
});

function reset(): void {
  for (const s of [site, dp2]) {
    s.behaviour = 'ok';
    s.acceptedToken = 'token-1';
    s.seen = [];
    s.locationCalls = 0;
    s.files.clear();
  }
  site.locations = () => ({ locations: [site.location('site')] });
}

function content(n: number): { body: Buffer; sha256: string } {
  const body = randomBytes(n);
  return { body, sha256: createHash('sha256').update(body).digest('hex') };
}

function program(
  files: { path: string; body: Buffer; mode?: number }[],
  versionId = 'pv-1',
): AgentProgram {
  return {
    id: 'prog-1',
    name: 'Install',
    packageId: 'pkg-1',
    packageName: 'Tools',
    packageVersionId: versionId,
    files: files.map((f) => ({
      path: f.path,
      sha256: createHash('sha256').update(f.body).digest('hex'),
      size: f.body.length,
      mode: f.mode ?? 0o644,
    })),
    commandLine: './install.sh',
    workingDirectory: '.',
    runAs: 'root',
    maxRunMinutes: 10,
    successExitCodes: [0],
    rebootExitCodes: [],
    requirements: {},
    dependsOnProgramId: null,
    disabled: false,
  };
}

/** The shared agent fixture (every option at its declared default), with what these tests use. */
function deployment(changes: Partial<AgentDeployment> = {}): AgentDeployment {
  return sharedDeployment({
    name: 'Tools',
    triggers: [],
    preDownload: false,
    runOverSlowBoundary: false,
    allowFallback: false,
    targetedAt: new Date().toISOString(),
    ...changes,
  });
}

interface Harness {
  stateDir: string;
  manager: ContentManager;
  messages: StatusMessageBody[];
  clock: { now(): Date; advance(ms: number): void };
}

function harness(
  o: { stateDir?: string; maxCacheBytes?: number; clockMs?: number; rate?: number } = {},
): Harness {
  const stateDir = o.stateDir ?? mkdtempSync(join(tmpdir(), 'steward-content-'));
  let t = o.clockMs ?? Date.parse('2026-11-22T10:00:00Z');
  const clock = { now: () => new Date(t), advance: (ms: number) => void (t += ms) };
  const http = new HttpsClient({ baseUrl: site.url, caPem: certs.caPem });
  clients.push(http);
  const messages: StatusMessageBody[] = [];
  const opts = {
    stateDir,
    http,
    caPem: certs.caPem,
    clock,
    log: silentLogger,
    env: {},
    ...(o.rate === undefined ? {} : { rateLimitBytesPerSec: o.rate }),
    report: async (m: StatusMessageBody) => void messages.push(m),
  };
  const manager = new ContentManager(
    o.maxCacheBytes === undefined ? opts : { ...opts, maxCacheBytes: o.maxCacheBytes },
  );
  managers.push(manager);
  return { stateDir, manager, messages, clock };
}

const ids = (h: Harness) => h.messages.map((m) => m.messageId);

async function rejection(p: Promise<unknown>): Promise<ContentUnavailableError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ContentUnavailableError))
    throw new Error(`expected ContentUnavailableError, got ${String(err)}`);
  return err;
}

describe('content manager (real HTTPS DPs)', () => {
  it('downloads, verifies and lays out a package by hard links; the cache serves it next time', async () => {
    reset();
    const script = Buffer.from('#!/bin/sh\necho installed\n');
    const data = content(300_000);
    site.files.set(createHash('sha256').update(script).digest('hex'), script);
    site.files.set(data.sha256, data.body);
    const h = harness();
    const prog = program([
      { path: 'install.sh', body: script, mode: 0o755 },
      { path: 'data/blob.bin', body: data.body },
      { path: 'data/copy.bin', body: data.body },
    ]);
    const progress: number[] = [];
    const prepared = await h.manager.prepare({
      program: prog,
      deployment: deployment(),
      onProgress: (p) => progress.push(p.bytesDone),
    });
    expect(prepared.dir).toBe(join(h.stateDir, 'packages', 'pv-1'));
    expect(statSync(join(prepared.dir, 'install.sh')).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(prepared.dir, 'data/copy.bin')).equals(data.body)).toBe(true);
    const cached = join(h.stateDir, 'cache', 'files', data.sha256);
    expect(statSync(join(prepared.dir, 'data/blob.bin')).ino).toBe(statSync(cached).ino);
    expect(site.seen).toHaveLength(2); // the duplicated hash was fetched once
    expect(progress.at(-1)).toBe(script.length + data.body.length);
    expect(ids(h)).toEqual([40100, 40101]);
    expect(h.messages[0]?.insertionStrings).toEqual([
      'Tools',
      String(script.length + 300_000),
      'site',
    ]);
    await prepared.release();
    expect(existsSync(prepared.dir)).toBe(false);

    const again = await h.manager.prepare({ program: prog, deployment: deployment() });
    expect(site.seen).toHaveLength(2);
    expect(site.locationCalls).toBe(1); // nothing missing: the site was not even asked
    expect(readFileSync(join(again.dir, 'install.sh')).equals(script)).toBe(true);
    await again.release();
  });

  it('resumes a download cut mid-body from the partial file after an agent restart', async () => {
    reset();
    const data = content(400_000);
    site.files.set(data.sha256, data.body);
    site.behaviour = 'die-mid-body';
    site.dieAfter = 150_000;
    const first = harness();
    const prog = program([{ path: 'big.bin', body: data.body }]);
    const err = await rejection(first.manager.prepare({ program: prog, deployment: deployment() }));
    expect(err.code).toBe('DOWNLOAD_FAILED');
    expect(ids(first)).toContain(40102);
    const partial = join(first.stateDir, 'cache', 'partial', data.sha256);
    const kept = statSync(partial).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(data.body.length);

    site.behaviour = 'ok';
    site.seen = [];
    const restarted = harness({ stateDir: first.stateDir });
    const prepared = await restarted.manager.prepare({ program: prog, deployment: deployment() });
    expect(site.seen.map((s) => s.range)).toEqual([`bytes=${kept}-`]);
    expect(readFileSync(join(prepared.dir, 'big.bin')).equals(data.body)).toBe(true);
    expect(existsSync(partial)).toBe(false);
    await prepared.release();
  });

  it('moves to the next DP when one dies mid-body, resuming the same partial there', async () => {
    reset();
    const data = content(400_000);
    site.files.set(data.sha256, data.body);
    dp2.files.set(data.sha256, data.body);
    site.behaviour = 'die-mid-body';
    site.dieAfter = 120_000;
    site.locations = () => ({ locations: [site.location('near'), dp2.location('second')] });
    const h = harness();
    const prepared = await h.manager.prepare({
      program: program([{ path: 'big.bin', body: data.body }]),
      deployment: deployment(),
    });
    expect(readFileSync(join(prepared.dir, 'big.bin')).equals(data.body)).toBe(true);
    expect(site.seen).toHaveLength(1);
    expect(dp2.seen).toHaveLength(1);
    expect(dp2.seen[0]?.range).toMatch(/^bytes=\d+-$/);
    expect(dp2.seen[0]?.range).not.toBe('bytes=0-');
    expect(ids(h)).toEqual([40100, 40102, 40100, 40101]);
    expect(h.messages[1]?.insertionStrings[1]).toBe('near');
    await prepared.release();
  });

  it('skips a DP answering 5xx and one that refuses connections', async () => {
    reset();
    const data = content(1000);
    dp2.files.set(data.sha256, data.body);
    site.files.set(data.sha256, data.body);
    site.behaviour = 'status-500';
    site.locations = () => ({
      locations: [
        {
          dpId: 'dp-gone',
          name: 'gone',
          url: 'https://127.0.0.1:1',
          tier: 'local',
          afterMinutes: 0,
        },
        site.location('broken'),
        dp2.location('good'),
      ],
    });
    const h = harness();
    const prepared = await h.manager.prepare({
      program: program([{ path: 'a', body: data.body }]),
      deployment: deployment(),
    });
    expect(
      h.messages.filter((m) => m.messageId === 40102).map((m) => m.insertionStrings[1]),
    ).toEqual(['gone', 'broken']);
    await prepared.release();
  });

  it('never lays out content that failed its hash: two bad DPs give HASH_MISMATCH', async () => {
    reset();
    const data = content(5000);
    site.files.set(data.sha256, data.body);
    dp2.files.set(data.sha256, data.body);
    site.behaviour = 'corrupt';
    dp2.behaviour = 'corrupt';
    site.locations = () => ({ locations: [site.location('a'), dp2.location('b')] });
    const h = harness();
    const err = await rejection(
      h.manager.prepare({
        program: program([{ path: 'x', body: data.body }]),
        deployment: deployment(),
      }),
    );
    expect(err.code).toBe('HASH_MISMATCH');
    expect(ids(h).filter((i) => i === 40103)).toHaveLength(2);
    expect(existsSync(join(h.stateDir, 'packages'))).toBe(false);
    expect(readdirSync(join(h.stateDir, 'cache', 'files'))).toEqual([]);
    expect(readdirSync(join(h.stateDir, 'cache', 'partial'))).toEqual([]);

    // One bad DP, one good: the file is fetched again from the good one.
    dp2.behaviour = 'ok';
    const ok = await h.manager.prepare({
      program: program([{ path: 'x', body: data.body }]),
      deployment: deployment(),
    });
    expect(readFileSync(join(ok.dir, 'x')).equals(data.body)).toBe(true);
    await ok.release();
  });

  it('re-hashes a cached file changed through a hard link and downloads it again', async () => {
    reset();
    const data = content(2000);
    site.files.set(data.sha256, data.body);
    const h = harness();
    const prog = program([{ path: 'x', body: data.body }]);
    const first = await h.manager.prepare({ program: prog, deployment: deployment() });
    writeFileSync(join(first.dir, 'x'), randomBytes(2000)); // the program scribbled on its file
    await first.release();
    const second = await h.manager.prepare({ program: prog, deployment: deployment() });
    expect(site.seen).toHaveLength(2);
    expect(readFileSync(join(second.dir, 'x')).equals(data.body)).toBe(true);
    await second.release();
  });

  it('refetches the locations once when a DP refuses the access token', async () => {
    reset();
    const data = content(1000);
    site.files.set(data.sha256, data.body);
    site.acceptedToken = 'token-2';
    site.locations = () => ({
      locations: [site.location('site')],
      token: site.locationCalls > 1 ? 'token-2' : 'token-1',
    });
    const h = harness();
    const prepared = await h.manager.prepare({
      program: program([{ path: 'a', body: data.body }]),
      deployment: deployment(),
    });
    expect(site.locationCalls).toBe(2);
    expect(site.seen.map((s) => s.auth)).toEqual(['Bearer token-1', 'Bearer token-2']);
    await prepared.release();
  });

  it('refuses a slow boundary unless the deployment runs over one', async () => {
    reset();
    const data = content(1000);
    site.files.set(data.sha256, data.body);
    site.locations = () => ({ locations: [site.location('site')], slow: true });
    const h = harness();
    const prog = program([{ path: 'a', body: data.body }]);
    const err = await rejection(h.manager.prepare({ program: prog, deployment: deployment() }));
    expect(err.code).toBe('SLOW_BOUNDARY');
    expect(site.seen).toHaveLength(0);
    expect(ids(h)).toEqual([40104]);
    const ok = await h.manager.prepare({
      program: prog,
      deployment: deployment({ runOverSlowBoundary: true }),
    });
    await ok.release();
  });

  it('uses fallback DPs only when allowed and after failing locally for afterMinutes', async () => {
    reset();
    const data = content(1000);
    site.files.set(data.sha256, data.body);
    dp2.files.set(data.sha256, data.body);
    site.behaviour = 'status-500';
    site.locations = () => ({
      locations: [site.location('local'), dp2.location('neighbour', 'neighbour', 120)],
    });
    const prog = program([{ path: 'a', body: data.body }]);

    const noFallback = harness();
    await expect(
      noFallback.manager.prepare({ program: prog, deployment: deployment() }),
    ).rejects.toMatchObject({ code: 'DOWNLOAD_FAILED' });
    expect(dp2.seen).toHaveLength(0);

    const h = harness();
    const dep = deployment({ allowFallback: true });
    const err = await rejection(h.manager.prepare({ program: prog, deployment: dep }));
    expect(err.code).toBe('DOWNLOAD_FAILED');
    expect(dp2.seen).toHaveLength(0);
    expect(err.retryAfterMs).toBeLessThanOrEqual(10 * 60_000);
    h.clock.advance(119 * 60_000);
    await expect(h.manager.prepare({ program: prog, deployment: dep })).rejects.toMatchObject({
      code: 'DOWNLOAD_FAILED',
      retryAfterMs: 60_000,
    });
    // The first-failure time is persisted: a restarted agent two hours on may use the neighbour.
    const later = harness({ stateDir: h.stateDir, clockMs: h.clock.now().getTime() + 60_000 });
    const prepared = await later.manager.prepare({ program: prog, deployment: dep });
    expect(dp2.seen).toHaveLength(1);
    await prepared.release();

    // Only fallback DPs and no fallback allowed: no location at all (40104).
    site.locations = () => ({ locations: [dp2.location('far', 'fallback', 0)] });
    const none = harness();
    const noLoc = await rejection(
      none.manager.prepare({ program: prog, deployment: deployment() }),
    );
    expect(noLoc.code).toBe('NO_LOCATION');
    expect(ids(none)).toEqual([40104]);
  });

  it('runs from the DP in a throw-away directory without filling the cache', async () => {
    reset();
    const data = content(3000);
    site.files.set(data.sha256, data.body);
    const h = harness();
    const prepared = await h.manager.prepare({
      program: program([{ path: 'run/me.bin', body: data.body, mode: 0o700 }]),
      deployment: deployment({ contentMode: 'from-dp' }),
    });
    expect(prepared.dir.startsWith(join(h.stateDir, 'transient'))).toBe(true);
    expect(statSync(join(prepared.dir, 'run/me.bin')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(h.stateDir, 'cache', 'files'))).toEqual([]);
    await prepared.release();
    expect(readdirSync(join(h.stateDir, 'transient'))).toEqual([]);
  });

  it('keeps the cache bounded: evicts released packages, never pinned ones', async () => {
    reset();
    const [a, b] = [content(60_000), content(60_000)];
    site.files.set(a.sha256, a.body);
    site.files.set(b.sha256, b.body);
    const h = harness({ maxCacheBytes: 100_000 });
    const progA = program([{ path: 'a', body: a.body }], 'pv-a');
    const progB = program([{ path: 'b', body: b.body }], 'pv-b');
    const heldA = await h.manager.prepare({ program: progA, deployment: deployment() });
    const err = await rejection(h.manager.prepare({ program: progB, deployment: deployment() }));
    expect(err.message).toMatch(/held by content prepared for other deployments/);
    await heldA.release();
    const heldB = await h.manager.prepare({ program: progB, deployment: deployment() });
    expect(readdirSync(join(h.stateDir, 'cache', 'files'))).toEqual([b.sha256]);
    await heldB.release();

    const huge = program([{ path: 'h', body: randomBytes(150_000) }], 'pv-h');
    const tooBig = await rejection(h.manager.prepare({ program: huge, deployment: deployment() }));
    expect(tooBig.message).toMatch(/needs 150000 bytes but the content cache holds at most 100000/);
  });

  it("follows the site's client settings for the cache bound, after the environment", async () => {
    reset();
    const data = content(150_000);
    site.files.set(data.sha256, data.body);
    const h = harness({ maxCacheBytes: 100_000 });
    const prog = program([{ path: 'p', body: data.body }], 'pv-p');
    await rejection(h.manager.prepare({ program: prog, deployment: deployment() }));
    h.manager.applyLimits({ maxCacheBytes: 1_000_000 });
    await (await h.manager.prepare({ program: prog, deployment: deployment() })).release();

    const http = new HttpsClient({ baseUrl: site.url, caPem: certs.caPem });
    clients.push(http);
    const pinned = new ContentManager({
      stateDir: mkdtempSync(join(tmpdir(), 'steward-content-')),
      http,
      caPem: certs.caPem,
      clock: { now: () => new Date() },
      log: silentLogger,
      env: { STEWARD_AGENT_CACHE_MB: '1' },
      report: async () => undefined,
    });
    managers.push(pinned);
    pinned.applyLimits({ maxCacheBytes: 5 });
    expect(pinned.maxCacheBytes).toBe(1024 * 1024);
  });

  it('throttles, and an abort keeps the partial for the next attempt', async () => {
    reset();
    const data = content(3 * 1024 * 1024);
    site.files.set(data.sha256, data.body);
    const h = harness({ rate: 2 * 1024 * 1024 });
    const prog = program([{ path: 'big', body: data.body }]);
    const abort = new AbortController();
    const seen: { bytesDone: number; dpName?: string }[] = [];
    const err = await h.manager
      .prepare({
        program: prog,
        deployment: deployment(),
        signal: abort.signal,
        onProgress: (p) => {
          seen.push(p);
          abort.abort();
        },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(Error);
    expect(err instanceof Error && err.name).toBe('AbortError');
    expect(seen[0]?.dpName).toBe('site');
    const partial = statSync(join(h.stateDir, 'cache', 'partial', data.sha256)).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(data.body.length);
    const prepared = await h.manager.prepare({ program: prog, deployment: deployment() });
    expect(site.seen.at(-1)?.range).toBe(`bytes=${partial}-`);
    expect(readFileSync(join(prepared.dir, 'big')).equals(data.body)).toBe(true);
    // 40100 says what still has to cross the wire: all of it, then only the rest.
    const announced = h.messages.filter((m) => m.messageId === 40100);
    expect(announced.map((m) => m.insertionStrings[1])).toEqual([
      String(data.body.length),
      String(data.body.length - partial),
    ]);
    await prepared.release();
  });
});
