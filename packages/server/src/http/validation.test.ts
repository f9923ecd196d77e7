import { Type } from '@sinclair/typebox';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@steward/protocol';
import { installErrorHandler } from './errors.js';
import { createFastify } from './fastify.js';
import { isKnownSafeText } from './safe-bodies.js';

async function app() {
  const a = createFastify(pino({ level: 'silent' }), { bodyLimit: 1024 * 1024 });
  installErrorHandler(a);
  const Body = Type.Object({ text: Type.String() });
  a.post('/strict/:id', { schema: { body: Body } }, (req) => ({ length: req.body.text.length }));
  a.post(
    '/cleans-itself/:id',
    { schema: { body: Type.Object({ text: Type.String() }, { allowUnsafeText: true }) } },
    (req) => ({ length: req.body.text.length }),
  );
  a.post('/marked', (req) => ({ safe: isKnownSafeText(req.body) }));
  await a.ready();
  return a;
}

const post = async (url: string, text: string) => {
  const a = await app();
  const r = await a.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ text }),
  });
  await a.close();
  return { status: r.statusCode, body: r.json<{ code?: string; length?: number }>() };
};

describe('unsafe text at the boundary', () => {
  it('refuses a NUL or a lone surrogate in a body with INVALID_TEXT', async () => {
    for (const text of ['a\u0000', '\udc00x', 'x\ud800']) {
      const r = await post('/strict/1', text);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe(ErrorCode.INVALID_TEXT);
    }
    expect((await post('/strict/1', '😀 ok')).status).toBe(200);
  });

  it('lets a route whose root body schema says allowUnsafeText take its body as sent', async () => {
    const r = await post('/cleans-itself/1', 'a\u0000b');
    expect(r).toEqual({ status: 200, body: { length: 3 } });
  });

  it('still checks the path and query string of such a route', async () => {
    expect((await post('/cleans-itself/a%00', 'x')).body.code).toBe(ErrorCode.INVALID_TEXT);
    expect((await post('/cleans-itself/1?q=%00', 'x')).body.code).toBe(ErrorCode.INVALID_TEXT);
  });
});

describe('the JSON parser', () => {
  const send = async (payload: string) => {
    const a = await app();
    const r = await a.inject({
      method: 'POST',
      url: '/marked',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    await a.close();
    return { status: r.statusCode, body: r.json<{ safe?: boolean; code?: string }>() };
  };

  it('marks a body whose text has no escaped NUL or surrogate, and only that', async () => {
    expect(await send('{"a":"x \\u00e9 😀"}')).toEqual({ status: 200, body: { safe: true } });
    // An escaped backslash before "u0000" is a false alarm: not marked, walked, accepted.
    expect(await send('{"a":"\\\\u0000"}')).toEqual({ status: 200, body: { safe: false } });
    expect((await send('{"a":"\\u0000"}')).body.code).toBe(ErrorCode.INVALID_TEXT);
  });

  it('keeps Fastify refusals: prototype poisoning and an empty body', async () => {
    expect((await send('{"__proto__":{"x":1}}')).status).toBe(400);
    expect((await send('')).status).toBe(400);
  });
});
