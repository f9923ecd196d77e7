import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, RateLimitedError } from '@steward/protocol';
import type { App } from '../http/types.js';
import { listenerTimeouts } from '../http/listener-hardening.js';
import { type RefusalThrottle, throttleKey } from './refusal-throttle.js';

/**
 * Body limits on the agent listener. Until a caller is authenticated its body is never read
 * beyond `unauthenticated` (authentication runs in `onRequest`, before parsing, see
 * `authenticateFirst`); an authenticated route gets what it needs.
 */
export const AgentBodyLimits = {
  /** The listener's default: enrolment, DP registration, and every route without its own. */
  unauthenticated: 64 * 1024,
  heartbeat: 16 * 1024,
  /** A DP's status report (one item per package version it holds). */
  dpStatus: 4 * 1024 * 1024,
  /** A DP's PXE activity report: at most 500 entries of well under 1 KiB each (ADR 0079). */
  dpPxeActivity: 512 * 1024,
  /** A DP's multicast sessions: at most 200 of well under 1 KiB each (ADR 0088). */
  dpMulticastReport: 256 * 1024,
  /**
   * A report batch: the agent sends about 4 MB a batch (outbox DEFAULT_BATCH_MAX_BYTES) but at
   * least one item, and one item can be a full inventory of a large machine.
   */
  reports: 32 * 1024 * 1024,
} as const;

/**
 * Authentication as an `onRequest` hook, remembered for the request: the hook refuses a stranger
 * before Fastify reads the body, and the handler's own `get` then costs nothing.
 */
export function authenticateFirst<T>(check: (req: FastifyRequest) => Promise<T>) {
  const known = new WeakMap<FastifyRequest, T>();
  return {
    hook: async (req: FastifyRequest): Promise<void> => {
      known.set(req, await check(req));
    },
    get: async (req: FastifyRequest): Promise<T> => {
      const hit = known.get(req);
      if (hit !== undefined) return hit;
      const value = await check(req);
      known.set(req, value);
      return value;
    },
    has: (req: FastifyRequest): boolean => known.has(req),
  };
}

/** A kind of caller that proves itself with a header (devices, distribution points). */
export interface KnownCaller {
  header: string;
  authenticate(req: FastifyRequest): Promise<unknown>;
  isAuthenticated(req: FastifyRequest): boolean;
}

/** What counts as a refusal (charged to the caller's address unless it authenticated). */
const REFUSALS = new Set([400, 401, 403, 404, 405, 413, 415, 431]);

function remoteKey(req: FastifyRequest): string {
  return throttleKey(req.socket.remoteAddress ?? 'unknown');
}

/**
 * Per-address limits on what unauthenticated callers can make the agent listener do. Refusals
 * (bad tokens, wrong keys, unknown routes, oversized bodies) are charged to the caller's address;
 * once its budget is spent, requests that prove no identity (enrolment, DP registration, anything
 * without credentials) get 429 before their body is read. Successes are never charged and a
 * device or DP with good credentials is never limited, so thousands of devices behind one NAT
 * address are not slowed by a neighbour's flood. Refused requests also close their connection:
 * the rest of a refused body is not read; and a stranger's body must arrive within seconds.
 */
export function installAgentEndpointGuard(
  app: App,
  deps: {
    throttle: RefusalThrottle;
    callers: readonly KnownCaller[];
    /**
     * Headers whose requests pass the gate because their route checks them without the database
     * (content access tokens: a signature check), so a device's downloads are never limited.
     */
    checkedByRoute: readonly string[];
  },
): void {
  const { throttle, callers } = deps;
  const authenticated = (req: FastifyRequest) => callers.some((c) => c.isAuthenticated(req));

  app.addHook('onRequest', async (req) => {
    const retryAfter = throttle.retryAfterSeconds(remoteKey(req));
    if (retryAfter === 0) return;
    if (deps.checkedByRoute.some((h) => req.headers[h] !== undefined)) return;
    for (const caller of callers) {
      if (req.headers[caller.header] === undefined) continue;
      try {
        await caller.authenticate(req);
        return;
      } catch {
        break;
      }
    }
    throw new RateLimitedError(
      ErrorCode.AGENT_RATE_LIMITED,
      `too many refused requests from this address; retry in ${retryAfter} s`,
      retryAfter,
    );
  });

  // A stranger's body (64 KB at most) has seconds, not the minutes a device's report may need.
  const strangerBodyMs = listenerTimeouts('agent').strangerBodyTimeout;
  app.addHook('preParsing', async (req, _reply, payload) => {
    const hasBody =
      req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;
    if (!hasBody || authenticated(req)) return payload;
    const timer = setTimeout(() => req.socket.destroy(), strangerBodyMs);
    const done = () => clearTimeout(timer);
    payload.once('end', done);
    payload.once('close', done);
    req.socket.once('close', done);
    return payload;
  });

  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply) => {
    if ((REFUSALS.has(reply.statusCode) || reply.statusCode === 429) && !authenticated(req))
      void reply.header('connection', 'close');
  });

  app.addHook('onResponse', async (req, reply) => {
    if (REFUSALS.has(reply.statusCode) && !authenticated(req)) throttle.charge(remoteKey(req));
  });
}
