import { connect } from 'node:tls';

/** Whether a TLS 1.2 handshake offering only `ciphers` succeeds against `url`'s host and port. */
export function tls12Handshake(url: string, ciphers: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(
      {
        host: u.hostname,
        port: Number(u.port),
        ciphers,
        maxVersion: 'TLSv1.2',
        rejectUnauthorized: false,
      },
      () => {
        socket.end();
        resolve(true);
      },
    );
    socket.on('error', () => resolve(false));
  });
}

/** The CBC suites (SHA-1 and SHA-2 MACs) a hardened listener must not accept. */
export const CBC_SUITES =
  'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384';
