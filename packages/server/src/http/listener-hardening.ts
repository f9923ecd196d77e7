/**
 * Timeouts and TLS policy of Steward's listeners. The agent listener (and a remote DP's) faces
 * the network on every address, so an idle or trickling connection must cost seconds, not for
 * ever; the admin listener (127.0.0.1 by default) gets the same shape with more patience.
 *
 * What each timeout covers (Node's http server):
 * - headersTimeout: the request line and headers must arrive within it (slow-loris headers).
 * - requestTimeout: the whole request, headers and body, must arrive within it (slow bodies).
 *   It does not cover the response: a large content download to a slow client (Range, GBs) is
 *   a response, and an upgraded push websocket leaves the HTTP parser, so neither is cut.
 * - connectionTimeout: a socket with no traffic in either direction for this long is closed;
 *   a throttled download keeps writing, so it stays open.
 * - keepAliveTimeout: how long an idle keep-alive connection waits for its next request.
 * - strangerBodyTimeout (agent listener only, endpoint-guard.ts): the body of a request nobody
 *   authenticated (enrolment, DP registration: at most 64 KB) must arrive within it. Devices get
 *   the whole requestTimeout, so a large inventory over a slow link is not cut and retried for ever.
 */
export type ListenerExposure = 'agent' | 'admin';

export interface ListenerTimeouts {
  strangerBodyTimeout: number;
  headersTimeout: number;
  requestTimeout: number;
  connectionTimeout: number;
  keepAliveTimeout: number;
}

const DEFAULTS: Record<ListenerExposure, ListenerTimeouts> = {
  // A report batch from a device on a slow link (32 MB at most, about 4 MB usually: 2 min at
  // 256 kbit/s) fits in 5 minutes, Node's own default; strangers get 10 seconds.
  agent: {
    strangerBodyTimeout: 10_000,
    headersTimeout: 10_000,
    requestTimeout: 300_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 5_000,
  },
  // Content uploads (up to 64 GB, streamed to the library) go through the admin listener, local
  // by default: no deadline on the whole request, only on headers and on silence.
  admin: {
    strangerBodyTimeout: 0,
    headersTimeout: 20_000,
    requestTimeout: 0,
    connectionTimeout: 120_000,
    keepAliveTimeout: 5_000,
  },
};

/**
 * `STEWARD_AGENT_REQUEST_TIMEOUT_MS` shortens the agent listener's deadlines for headers and for
 * a stranger's body (tests use it to see a slow connection closed without waiting).
 */
export function listenerTimeouts(exposure: ListenerExposure): ListenerTimeouts {
  const base = DEFAULTS[exposure];
  const override = Number(process.env.STEWARD_AGENT_REQUEST_TIMEOUT_MS);
  if (exposure !== 'agent' || !Number.isInteger(override) || override <= 0) return base;
  return {
    ...base,
    strangerBodyTimeout: Math.min(base.strangerBodyTimeout, override),
    headersTimeout: Math.min(base.headersTimeout, override),
  };
}

/**
 * TLS 1.2 with forward secrecy and AEAD only (no CBC, no SHA-1 MACs, no static RSA), TLS 1.3 with
 * OpenSSL's suites; TLS 1.0/1.1 are refused. The site's certificates are ECDSA P-256, the RSA
 * entries serve a brought-in RSA certificate.
 */
export const AGENT_TLS_POLICY = {
  minVersion: 'TLSv1.2',
  ciphers: [
    // TLS 1.3: OpenSSL's default suites, in its order.
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
    'TLS_AES_128_GCM_SHA256',
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ].join(':'),
  honorCipherOrder: true,
} as const;

/**
 * The parts of Fastify's options that carry the hardening: Fastify's own timeouts, and the Node
 * server options (headers timeout, how often Node checks for expired requests) for `http`/`https`.
 */
export function listenerOptions(exposure: ListenerExposure) {
  const t = listenerTimeouts(exposure);
  const node = {
    headersTimeout: t.headersTimeout,
    requestTimeout: t.requestTimeout,
    // Node looks for expired requests every 30 s by default; a 10 s deadline needs a finer look.
    connectionsCheckingInterval: Math.max(250, Math.min(t.headersTimeout, 1_000)),
  };
  return {
    fastify: {
      connectionTimeout: t.connectionTimeout,
      keepAliveTimeout: t.keepAliveTimeout,
      requestTimeout: t.requestTimeout,
    },
    node,
    tls: { ...node, ...AGENT_TLS_POLICY },
  };
}
