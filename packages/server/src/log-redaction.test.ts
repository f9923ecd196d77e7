import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { REDACTED_LOG_PATHS } from './log-redaction.js';

describe('log redaction', () => {
  it('keeps push credentials out of the log wherever an object carries them', () => {
    let out = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    const log = pino({ redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } }, sink);
    log.info({ password: 'pw1', auth: { privateKey: 'KEY2', passphrase: 'pp3' } }, 'connect');
    log.info({ req: { body: { name: 'ops', password: 'pw4' } } }, 'request');
    log.info({ account: { privateKey: 'KEY5' } }, 'account');
    for (const secret of ['pw1', 'KEY2', 'pp3', 'pw4', 'KEY5']) expect(out).not.toContain(secret);
    expect(out).toContain('ops');
    expect(out).toContain('[redacted]');
  });
});
