import { jsonTextMayHoldUnsafeText } from '@steward/protocol';
import type { App } from './types.js';

/**
 * Request bodies known, from their raw JSON text, to hold no NUL and no surrogate anywhere
 * (`jsonTextMayHoldUnsafeText`): the body and its top-level values (a report batch's `items`).
 * The unsafe-text check and the report screening skip their walk for these. A walk of a parsed
 * inventory report cost half as much as parsing it, and was a tenth of the agent endpoint's
 * ingestion time (bench:checkin profile); one regex scan of the text costs a tenth of the parse.
 * Only freshly parsed bodies are marked, and the server never writes outside text into them.
 */
const knownSafe = new WeakSet<object>();

/** Whether `value` is a body (or a top-level value of one) whose JSON text held no unsafe text. */
export function isKnownSafeText(value: unknown): boolean {
  return typeof value === 'object' && value !== null && knownSafe.has(value);
}

function markSafe(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  knownSafe.add(value);
  if (Array.isArray(value)) return;
  const children: unknown[] = Object.values(value);
  for (const child of children) {
    if (typeof child === 'object' && child !== null) knownSafe.add(child);
  }
}

/**
 * Fastify's own JSON parser (same poisoning options, same errors, the same body limits), with the
 * raw text scanned once so that a body with no unsafe text is marked as such.
 */
export function installJsonParser(
  app: App,
  opts: { poisoning: 'error' | 'ignore'; bodyLimit: number },
): void {
  const parse = app.getDefaultJsonParser(opts.poisoning, opts.poisoning);
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: opts.bodyLimit },
    (request, body, done) => {
      // parseAs 'string': Fastify hands over text (the type also allows a Buffer).
      const text = typeof body === 'string' ? body : body.toString('utf8');
      // The default parser calls back synchronously; its declared Promise is never made.
      void parse(request, text, (error, value: unknown) => {
        if (error === null && !jsonTextMayHoldUnsafeText(text)) markSafe(value);
        done(error, value);
      });
    },
  );
}
