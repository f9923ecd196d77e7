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
