import { createHash, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';

/**
 * Trust in the site, as agents and distribution points hold it: exactly one anchor, the site CA
 * whose SHA-256 fingerprint travels in the enrolment or registration token (ADR 0003).
 */

/** Why the site CA could not be pinned; `code` is what the agent reports. */
export class SiteTrustError extends Error {
  constructor(
    readonly code: 'CA_FINGERPRINT_MISMATCH' | 'CA_NOT_A_CA' | 'SERVER_UNREACHABLE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SiteTrustError';
  }
}

/**
 * Hostname check deliberately skipped. The pinned site CA is the only anchor and the server
 * certificate must chain to it (`rejectUnauthorized: true`, `ca: <pinned pem>`). Sites are
 * reached by IP, by short names and through proxies, so the name on the certificate adds nothing
 * the pin does not already give.
 */
export function skipHostnameCheck(): undefined {
  return undefined;
}

/** TLS options for every connection to the site once its CA is pinned. */
export function pinnedTlsOptions(caPem: string): {
  ca: string;
  rejectUnauthorized: true;
  checkServerIdentity: () => undefined;
} {
  return { ca: caPem, rejectUnauthorized: true, checkServerIdentity: skipHostnameCheck };
}

export function derToPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function fingerprintOf(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

/** Walks a peer certificate chain from the leaf up (stopping at a self-signed root). */
export function certificateChain(leaf: PeerCertificate): PeerCertificate[] {
  const chain: PeerCertificate[] = [];
  const seen = new Set<string>();
  let current: PeerCertificate | undefined = leaf;
  while (current?.raw !== undefined && current.raw.length > 0) {
    const fp = fingerprintOf(current.raw);
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
    if (fingerprintOf(cert.raw) === wanted) {
      const pem = derToPem(cert.raw);
      if (!new X509Certificate(pem).ca)
        throw new SiteTrustError('CA_NOT_A_CA', 'the pinned certificate is not a CA certificate');
      return pem;
    }
  }
  const seen = chain.map((c) => fingerprintOf(c.raw)).join(', ');
  throw new SiteTrustError(
    'CA_FINGERPRINT_MISMATCH',
    `the server did not present the site CA named in the token (wanted ${wanted}, got ${seen || 'no certificates'}); refusing to trust it`,
  );
}

/**
 * First contact: open a TLS connection without verification only to read the presented chain,
 * and return the PEM of the certificate whose fingerprint the token pins. Nothing is sent over
 * this connection; the enrolment (or DP registration) request itself then runs with that CA as
 * the only trust anchor, which also proves the server's own certificate really chains to it.
 * Rejects with a SiteTrustError.
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
          err instanceof SiteTrustError
            ? err
            : new SiteTrustError(
                'CA_FINGERPRINT_MISMATCH',
                err instanceof Error ? err.message : String(err),
              ),
        );
      } finally {
        socket.end();
      }
    });
    socket.once('error', (err: Error) => {
      reject(
        new SiteTrustError('SERVER_UNREACHABLE', `cannot reach ${host}:${port}: ${err.message}`, {
          cause: err,
        }),
      );
    });
  });
}
