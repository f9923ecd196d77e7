import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from './api-client.js';
import { ops } from './operation-table.js';

function clientAnswering(status: number, body: unknown, seen: string[] = []): ApiClient {
  return new ApiClient({
    baseUrl: 'http://127.0.0.1:1',
    fetch: (input, init) => {
      seen.push(`${init?.method ?? 'GET'} ${String(input)}`);
      return Promise.resolve(new Response(JSON.stringify(body), { status }));
    },
  });
}

describe('ApiClient.call', () => {
  it('builds the path and query from the operation', async () => {
    const seen: string[] = [];
    const client = clientAnswering(200, [], seen);
    await client.call(ops.devices.history, { params: { id: 'web 01' }, query: { limit: 5 } });
    expect(seen).toEqual([
      'GET http://127.0.0.1:1/api/v1/devices/web%2001/inventory-history?limit=5',
    ]);
  });

  it('refuses an answer its schema does not allow, naming where', async () => {
    const client = clientAnswering(200, { items: [{ id: 1 }], total: 1 });
    const err = await client.call(ops.devices.list, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'BAD_RESPONSE' });
    expect(String((err as Error).message)).toContain('GET /devices');
  });

  it('rebuilds error answers as typed errors, unknown codes as HTTP_<status>', async () => {
    const known = await clientAnswering(404, { code: 'NOT_FOUND', message: 'no' })
      .getDevice('x')
      .catch((e: unknown) => e);
    expect(known).toMatchObject({ status: 404, code: 'NOT_FOUND', message: 'no' });
    const unknown = await clientAnswering(502, { code: 'SOMETHING_ELSE', message: 'proxy' })
      .getDevice('x')
      .catch((e: unknown) => e);
    expect(unknown).toMatchObject({ status: 502, code: 'HTTP_502', message: 'proxy' });
  });

  it('sends a raw body as it is, with the first declared media type unless told another', async () => {
    const sent: { url: string; type: string | null; body: unknown }[] = [];
    const client = new ApiClient({
      baseUrl: 'http://127.0.0.1:1',
      fetch: (input, init) => {
        sent.push({
          url: `${init?.method ?? 'GET'} ${String(input)}`,
          type: new Headers(init?.headers).get('content-type'),
          body: init?.body,
        });
        return Promise.resolve(
          new Response(JSON.stringify({ sha256: 'a'.repeat(64), size: 3 }), { status: 200 }),
        );
      },
    });
    const bytes = new Uint8Array([1, 2, 3]);
    await client.call(ops.content.uploadFile, {
      params: { sha256: 'a'.repeat(64) },
      raw: { body: bytes },
    });
    await client
      .call(ops.packages.createVersionFromArchive, {
        params: { id: 'web' },
        raw: { body: bytes, mediaType: 'application/gzip' },
      })
      .catch(() => undefined);
    expect(sent).toEqual([
      {
        url: `PUT http://127.0.0.1:1/api/v1/content/files/${'a'.repeat(64)}`,
        type: 'application/octet-stream',
        body: bytes,
      },
      {
        url: 'POST http://127.0.0.1:1/api/v1/packages/web/versions/archive',
        type: 'application/gzip',
        body: bytes,
      },
    ]);
  });
});
