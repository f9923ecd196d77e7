// A fetch for the admin API client over node:http with a fixed pool of keep-alive sockets.
// Why not the global fetch: undici queues requests behind a connection that is still being
// opened, so in a burst of 64 requests on a cold pool some waited seconds behind others on one
// socket; the benchmark then measured its own client, not the site. A pool of exactly
// `concurrency` sockets, opened before timing starts, measures the server.
import { Agent, request } from 'node:http';

/** @returns {{ fetch: typeof fetch, close: () => void }} */
export function createAdminFetch(maxSockets) {
  const agent = new Agent({
    keepAlive: true,
    maxSockets,
    maxFreeSockets: maxSockets,
    scheduling: 'fifo',
  });
  const doFetch = (input, init = {}) =>
    new Promise((resolve, reject) => {
      const url = new URL(typeof input === 'string' ? input : input.url);
      const headers = { ...(init.headers ?? {}) };
      const body = init.body === undefined ? undefined : Buffer.from(String(init.body));
      if (body) headers['content-length'] = String(body.length);
      const req = request(url, { method: init.method ?? 'GET', headers, agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks);
          const empty = status === 204 || status === 304 || text.length === 0;
          resolve(
            new Response(empty ? null : text, { status, statusText: res.statusMessage ?? '' }),
          );
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  return {
    fetch: doFetch,
    close: () => agent.destroy(),
  };
}
