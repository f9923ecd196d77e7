import { createHash, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import { AgentError, errorMessage } from '../errors.js';

/**
 * Hostname check deliberately skipped. The agent trusts exactly one anchor, the site CA pinned at
 * enrolment (its SHA-256 travels in the enrolment token), and the server certificate must chain
 * to it (`rejectUnauthorized: true`, `ca: <pinned pem>`). Sites are reached by IP, by short names
 * and through proxies, so the name on the certificate adds nothing the pin does not already give.
 */
export function skipHostnameCheck(): undefined {
  return undefined;
}

/** TLS options for every connection after enrolment. */
export function pinnedTlsOptions(caPem: string) {
  return { ca: caPem, rejectUnauthorized: true, checkServerIdentity: skipHostnameCheck };
}

export function derToPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

export function sha256Hex(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

/** Walks a peer certificate chain from the leaf up (stopping at a self-signed root). */
export function certificateChain(leaf: PeerCertificate): PeerCertificate[] {
  const chain: PeerCertificate[] = [];
  const seen = new Set<string>();
  let current: PeerCertificate | undefined = leaf;
  while (current !== undefined && current.raw !== undefined && current.raw.length > 0) {
    const fp = sha256Hex(current.raw);
    if (seen.has(fp)) break;
    seen.add(fp);
    chain.push(current);
    current = isDetailed(current) ? current.issuerCertificate : undefined;
  }
  return chain;
}

function isDetailed(cert: PeerCertificate): cert is DetailedPeerCertificate {
  return 'issuerCertificate' in cert;
}

/** Finds the certificate with the pinned fingerprint in a presented chain; its PEM, or an error. */
export function findPinnedCa(chain: readonly PeerCertificate[], caFingerprint: string): string {
  const wanted = caFingerprint.toLowerCase();
  for (const cert of chain) {
    if (sha256Hex(cert.raw) === wanted) {
      const pem = derToPem(cert.raw);
      const x509 = new X509Certificate(pem);
      if (!x509.ca) {
        throw new AgentError('CA_NOT_A_CA', 'the pinned certificate is not a CA certificate');
      }
      return pem;
    }
  }
  const seen = chain.map((c) => sha256Hex(c.raw)).join(', ');
  throw new AgentError(
    'CA_FINGERPRINT_MISMATCH',
    `the server did not present the site CA named in the token (wanted ${wanted}, got ${seen || 'no certificates'}); refusing to enrol`,
  );
}

/**
 * First contact: open a TLS connection without verification only to read the presented chain,
 * and return the PEM of the certificate whose fingerprint the token pins. Nothing is sent over
 * this connection; the enrolment request itself then runs with that CA as the only trust anchor,
 * which also proves the server's own certificate really chains to it.
 */
export function fetchPinnedCa(
  url: string,
  caFingerprint: string,
  timeoutMs = 15_000,
): Promise<string> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = target.port === '' ? 443 : Number(target.port);
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      servername: isIP(host) === 0 ? host : undefined,
      rejectUnauthorized: false,
    });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy(new Error(`TLS handshake with ${host}:${port} timed out`));
    });
    socket.once('secureConnect', () => {
      try {
        resolve(findPinnedCa(certificateChain(socket.getPeerCertificate(true)), caFingerprint));
      } catch (err) {
        reject(
          err instanceof AgentError
            ? err
            : new AgentError('CA_FINGERPRINT_MISMATCH', errorMessage(err)),
        );
      } finally {
        socket.end();
      }
    });
    socket.once('error', (err: Error) => {
      reject(
        new AgentError('SERVER_UNREACHABLE', `cannot reach ${host}:${port}: ${err.message}`, {
          cause: err,
        }),
      );
    });
  });
}
