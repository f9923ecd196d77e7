import { readFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { connect as tlsSocket } from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { agentOps, DEVICE_AUTH_HEADER } from '@steward/protocol';
import { createTestSite, waitFor, type Site } from '../../../test-support/site.js';
import { CBC_SUITES, tls12Handshake } from '../../../test-support/tls.js';

/** The agent listener's whole-request deadline in these tests (the default is a minute). */
const REQUEST_TIMEOUT_MS = 2000;

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  json: { code?: string } | null;
}

function readReply(res: IncomingMessage): Promise<Reply> {
  return new Promise((resolve) => {
    let text = '';
    res.on('data', (d: Buffer) => (text += d.toString()));
    res.on('end', () => {
      let json: Reply['json'] = null;
      try {
        json = text ? (JSON.parse(text) as Reply['json']) : null;
      } catch {
        json = null;
      }
      resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
    });
  });
}

function target(url: string, path: string, extra: RequestOptions = {}): RequestOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port,
    path,
    rejectUnauthorized: false,
    agent: false,
    ...extra,
  };
}

/** A JSON call to the agent endpoint from `localAddress` (any 127.x address reaches the server). */
function call(
  url: string,
  path: string,
  opts: { method?: string; body?: unknown; auth?: string; localAddress?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request(
      target(url, path, {
        method: opts.method ?? (body === undefined ? 'GET' : 'POST'),
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(opts.auth ? { [DEVICE_AUTH_HEADER]: opts.auth } : {}),
        },
      }),
      (res) => void readReply(res).then(resolve),
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Declares a `declared`-byte JSON body, sends only its first 64 KB and waits for the answer: a
 * server that reads bodies before authenticating would wait for the rest (and time out, 408).
 */
function partialBody(
  url: string,
  path: string,
  declared: number,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      target(url, path, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(declared),
          ...headers,
        },
      }),
      (res) =>
        void readReply(res).then((r) => {
          resolve(r);
          req.destroy();
        }),
    );
    req.on('error', (err) => {
      if (!req.destroyed) reject(err);
    });
    req.write(Buffer.alloc(64 * 1024, 0x20));
  });
}

function deviceAuth(stateDir: string): string {
  const device = JSON.parse(readFileSync(join(stateDir, 'device.json'), 'utf8')) as {
    deviceId: string;
    deviceKey: string;
  };
  return `${device.deviceId}.${device.deviceKey}`;
}

function agentAddress(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

/** Resolves when the server closes a raw TCP connection that sends `prefix` and then stalls. */
function stalledConnectionClosed(url: string, prefix: string): Promise<void> {
  const { host, port } = agentAddress(url);
  return new Promise((resolve, reject) => {
    const socket = tlsSocket({ host, port, rejectUnauthorized: false }, () => socket.write(prefix));
    socket.on('data', () => undefined);
    socket.on('close', () => resolve());
    socket.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' ? resolve() : reject(err),
    );
  });
}

describe('the agent endpoint defends itself before authentication', () => {
  let site: Site;
  let auth: string;
  beforeAll(async () => {
    site = await createTestSite({
      withEnrolledDevices: 1,
      env: { STEWARD_AGENT_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) },
    });
    const agent = site.agents[0];
    if (!agent) throw new Error('no agent');
    auth = deviceAuth(agent.stateDir);
  }, 180_000);
  afterAll(async () => {
    await site?.stop();
  });

  it('refuses an unauthenticated 10 MB report (401) without reading its body', async () => {
    const r = await partialBody(site.agentUrl, agentOps.device.reports.path, 10 * 1024 * 1024);
    expect(r.status).toBe(401);
    expect(r.json?.code).toBe('DEVICE_AUTH_FAILED');
    expect(r.headers.connection).toBe('close');
    const wrongKey = await partialBody(
      site.agentUrl,
      agentOps.device.reports.path,
      10 * 1024 * 1024,
      {
        [DEVICE_AUTH_HEADER]: `${auth.split('.')[0] ?? ''}.wrong`,
      },
    );
    expect(wrongKey.status).toBe(401);
  });

  it('refuses an enrolment over the small unauthenticated limit with 413', async () => {
    const r = await partialBody(site.agentUrl, agentOps.device.enroll.path, 1024 * 1024);
    expect(r.status).toBe(413);
    expect(r.json?.code).toBe('BODY_TOO_LARGE');
  });

  it('closes slow headers and slow bodies; the push channel stays open', async () => {
    // The device's push channel is this test's alone (a newer connection replaces an older one).
    const agent = site.agents[0];
    await agent?.stop();
    const { host, port } = agentAddress(site.agentUrl);
    const ws = new WebSocket(`wss://${host}:${port}${agentOps.device.push.path}`, {
      rejectUnauthorized: false,
      headers: { [DEVICE_AUTH_HEADER]: auth },
    });
    const closed: number[] = [];
    ws.on('close', (code) => closed.push(code));
    await new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve());
      ws.once('error', reject);
    });
    await Promise.all([
      stalledConnectionClosed(
        site.agentUrl,
        `POST ${agentOps.device.enroll.path} HTTP/1.1\r\nHost: x\r\n`,
      ),
      stalledConnectionClosed(
        site.agentUrl,
        `POST ${agentOps.device.enroll.path} HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{`,
      ),
    ]);
    // Both stalled connections outlived the deadline; the upgraded push socket is not a request.
    expect(closed).toEqual([]);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
    agent?.start();
  });

  it('limits refused enrolments per address (429) while an enrolled device keeps reporting', async () => {
    const bad = {
      secret: 'not-a-token-of-this-site',
      hostname: 'flood',
      osFamily: 'linux',
      agentVersion: '1',
    };
    // The budget refills while the test runs (30 a minute), so on a loaded machine a few more
    // refusals may pass: flood until limited, within a bound no unlimited server would meet.
    const replies: Reply[] = [];
    while (replies.length < 200 && replies.every((r) => r.status !== 429))
      replies.push(await call(site.agentUrl, agentOps.device.enroll.path, { body: bad }));
    const limited = replies.filter((r) => r.status === 429);
    expect(limited.length).toBe(1);
    expect(limited[0]?.json?.code).toBe('AGENT_RATE_LIMITED');
    expect(Number(limited[0]?.headers['retry-after'])).toBeGreaterThan(0);
    expect(replies.filter((r) => r.status === 401).length).toBeGreaterThan(0);

    // The same address: a device with its key is never limited, a wrong key is.
    const heartbeat = await call(site.agentUrl, agentOps.device.heartbeat.path, {
      body: { agentVersion: '0.1.0' },
      auth,
    });
    expect(heartbeat.status).toBe(204);
    const wrong: Reply[] = [];
    while (wrong.length < 10 && wrong.every((r) => r.status !== 429))
      wrong.push(
        await call(site.agentUrl, agentOps.device.policy.path, {
          auth: `${auth.split('.')[0] ?? ''}.wrong`,
        }),
      );
    expect(wrong.map((r) => r.status)).toContain(429);
    const policy = await call(site.agentUrl, agentOps.device.policy.path, { auth });
    expect(policy.status).toBe(200);
    // Another address is not affected by this one's refusals.
    const other = await call(site.agentUrl, agentOps.device.enroll.path, {
      body: bad,
      localAddress: '127.0.0.9',
    });
    expect(other.status).toBe(401);
  });

  it('offers no CBC or SHA-1 suites over TLS 1.2, only ECDHE with AEAD', async () => {
    expect(await tls12Handshake(site.agentUrl, CBC_SUITES)).toBe(false);
    expect(await tls12Handshake(site.agentUrl, 'ECDHE-ECDSA-AES128-GCM-SHA256')).toBe(true);
    expect(await tls12Handshake(site.agentUrl, 'ECDHE-ECDSA-CHACHA20-POLY1305')).toBe(true);
  });
});

describe('refused enrolments write a bounded number of status messages', () => {
  let site: Site;
  beforeAll(async () => {
    // One interval for the whole test: the summary is written when the server stops.
    site = await createTestSite({
      withEnrolledDevices: 0,
      env: { STEWARD_ENROLMENT_DIGEST_SECONDS: '3600' },
    });
  }, 180_000);
  afterAll(async () => {
    await site?.stop();
  });

  it('records the first refusal per address, at most 20, and counts the rest in one summary', async () => {
    const addresses = Array.from({ length: 25 }, (_, i) => `127.0.0.${i + 2}`);
    for (const localAddress of addresses)
      for (let n = 0; n < 2; n++) {
        const r = await call(site.agentUrl, agentOps.device.enroll.path, {
          body: {
            secret: 'not-a-token-of-this-site',
            hostname: `h${n}`,
            osFamily: 'linux',
            agentVersion: '1',
          },
          localAddress,
        });
        expect(r.status).toBe(401);
      }
    const itemised = await site.api.listStatusMessages({ messageId: 50012, limit: 1000 });
    expect(itemised.items).toHaveLength(20);
    expect(new Set(itemised.items.map((m) => m.insertionStrings[2])).size).toBe(20);

    await site.restartServer();
    const summary = await waitFor('the refusal summary', async () => {
      const list = await site.api.listStatusMessages({ messageId: 50013, limit: 10 });
      return list.items[0];
    });
    expect(summary.insertionStrings.slice(0, 2)).toEqual(['30', '25']);
    expect(summary.insertionStrings[4]).toBe('2');
  });
});
