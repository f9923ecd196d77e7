import { get } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFastify } from './fastify.js';
import type { App } from './types.js';

const CHUNK = 64 * 1024;
// 32 MB: more than socket buffers hold, so the server is still sending when the client resumes.
const CHUNKS = 512;

/** Resolves when the server closes a connection that sent `prefix` and then stalled. */
function stalledConnectionClosed(port: number, prefix: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(prefix));
    socket.on('data', () => undefined);
    socket.on('close', () => resolve());
    socket.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'ECONNRESET' ? resolve() : reject(err),
    );
  });
}

describe('agent listener timeouts', () => {
  let app: App;
  let port: number;
  beforeAll(async () => {
    process.env.STEWARD_AGENT_REQUEST_TIMEOUT_MS = '500';
    app = createFastify(pino({ level: 'silent' }), { bodyLimit: 64 * 1024, exposure: 'agent' });
    delete process.env.STEWARD_AGENT_REQUEST_TIMEOUT_MS;
    app.get('/big', (_req, reply) => {
      let sent = 0;
      const body = new Readable({
        read() {
          this.push(sent++ < CHUNKS ? Buffer.alloc(CHUNK, 1) : null);
        },
      });
      return reply.type('application/octet-stream').send(body);
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    await app.close();
  });

  it('closes stalled headers but lets a slow download outlive that deadline', async () => {
    let bytes = 0;
    let resumeDownload = (): void => undefined;
    let firstChunk = (): void => undefined;
    const started = new Promise<void>((resolve) => (firstChunk = resolve));
    const downloaded = new Promise<number>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/big' }, (res) => {
        res.once('data', (d: Buffer) => {
          bytes += d.length;
          res.pause();
          resumeDownload = () => res.resume();
          res.on('data', (more: Buffer) => (bytes += more.length));
          firstChunk();
        });
        res.on('end', () => resolve(bytes));
        res.on('error', reject);
      }).on('error', reject);
    });
    await started;
    await stalledConnectionClosed(port, 'POST /big HTTP/1.1\r\nHost: x\r\n');
    // The stalled request was cut after its deadline; the paused download is still open.
    resumeDownload();
    expect(await downloaded).toBe(CHUNK * CHUNKS);
  });
});
