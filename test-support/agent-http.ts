import { request } from 'node:https';
import { DEVICE_AUTH_HEADER } from '@steward/protocol';

/**
 * A bare HTTPS POST to a site's agent endpoint (TLS not verified: trust is not under test). A
 * string body is sent byte for byte, as a careless client would; anything else as JSON.
 */
export function postToAgent(
  url: string,
  path: string,
  body: string | object,
  auth?: string,
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method: 'POST',
        rejectUnauthorized: false,
        headers: {
          'content-type': 'application/json',
          ...(auth ? { [DEVICE_AUTH_HEADER]: auth } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : null }),
        );
      },
    );
    req.on('error', reject);
    req.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
}

/**
 * A raw request to the agent listener: chunked unless a length is declared. A refusal may close
 * the connection before the body is sent: the answer, once it arrived, is what counts.
 */
export function sendToAgent(
  url: string,
  method: string,
  path: string,
  o: { token?: string; contentType: string; contentLength?: number; chunks: Buffer[] },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let text = '';
    const req = request(
      `${url}${path}`,
      {
        method,
        rejectUnauthorized: false,
        // A connection of its own: one a refusal left with an unread body is not reused.
        agent: false,
        headers: {
          'content-type': o.contentType,
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
          ...(o.contentLength === undefined ? {} : { 'content-length': String(o.contentLength) }),
        },
      },
      (res) => {
        status = res.statusCode ?? 0;
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status, text }));
        res.on('error', () => resolve({ status, text }));
      },
    );
    req.on('error', (err) => {
      if (status !== 0) resolve({ status, text });
      else reject(new Error(`${method} ${path}: ${String(err)}`));
    });
    for (const c of o.chunks) req.write(c);
    req.end();
  });
}
