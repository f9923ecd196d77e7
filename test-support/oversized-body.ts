import { request } from 'node:http';

/**
 * Announces a body larger than a server accepts and waits for the server's answer before
 * sending any of it. A server that refuses on `content-length` answers at once and closes the
 * connection (Fastify sets `connection: close`: the client would send the body anyway); a client
 * that was still writing the body then races the close and may see EPIPE or a reset instead of
 * the answer. Waiting for the answer makes the refusal observable every time; a server that
 * waited for the body instead would never answer, and the test fails on its time limit.
 */
export function refusalOfOversizedBody(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; contentLength: number },
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: opts.method ?? 'POST',
      headers: { ...opts.headers, 'content-length': String(opts.contentLength) },
      agent: false,
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: the raw text is the answer
        }
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}
