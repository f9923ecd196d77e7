import { createPublicKey, X509Certificate } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { Server as TlsServer } from 'node:tls';
import pino, { type Logger } from 'pino';
import { agentOps, type ContentAccessClaims } from '@steward/protocol';
import { decodeDpToken, fetchPinnedCa } from '@steward/protocol/node';
import { systemClock, type Clock } from '../../context.js';
import { createFastify } from '../../http/fastify.js';
import { installErrorHandler } from '../../http/errors.js';
import type { App } from '../../http/types.js';
import { AGENT_TLS_POLICY } from '../../http/listener-hardening.js';
import { ContentStore } from '../../content/content-store.js';
import {
  PRIVATE_FILE_MODE,
  securePrivateDataDir,
  writePrivateFileAtomic,
} from '../../site/private-files.js';
import { verifyContentAccessToken } from '../../content/access-token.js';
import {
  contentAccessDenied,
  dpFileAccess,
  type FileAccessCheck,
} from '../../content/file-access.js';
import { registerContentFileRoute } from '../../content/serve-file.js';
import { AgentBodyLimits, installAgentEndpointGuard } from '../../agent-api/endpoint-guard.js';
import { RefusalThrottle, throttleOptionsFromEnv } from '../../agent-api/refusal-throttle.js';
import { loadDpConfig, saveDpConfig, type DpConfig } from './config.js';
import { SiteClient } from './site-client.js';
import { DpSync } from './sync.js';
import { loadPxeSettings, pxePortsFromEnv } from './pxe.js';
import { DpPxeController } from './pxe-controller.js';
import { DpMulticastController } from './multicast.js';
import { registerMulticastJoinRoute } from './multicast-route.js';
import { DpStateMigrationPoint, registerStateMigrationRoutes } from './state-migration.js';

export interface DpProcessOptions {
  dataDir: string;
  /** host:port clients download from (HTTPS). Default 0.0.0.0:8444. */
  agentListen?: string | undefined;
  /** The URL clients use, when the bound address is not what they reach. */
  publicUrl?: string | undefined;
  /** First start only: the registration token (else STEWARD_DP_TOKEN). */
  dpToken?: string | undefined;
  logLevel?: string | undefined;
  version: string;
  /** The system clock unless a test injects one. */
  clock?: Clock | undefined;
}

export interface RunningDistributionPoint {
  adminUrl: string;
  agentUrl: string;
  close(): Promise<void>;
}

function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*))(?::(\d+))?$/.exec(value.trim());
  const host = m?.[1] ?? m?.[2] ?? '0.0.0.0';
  const port = Number(m?.[3] ?? 'NaN');
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`invalid listen address "${value}" (expected host:port)`);
  return { host: host || '0.0.0.0', port };
}

function localNames(): string[] {
  const addrs = Object.values(networkInterfaces()).flatMap((l) => (l ?? []).map((a) => a.address));
  return ['localhost', hostname(), '127.0.0.1', '::1', ...addrs];
}

function createLogger(dataDir: string, level: string): Logger {
  return pino(
    { level, base: { pid: process.pid, role: 'dp' } },
    pino.multistream([
      {
        level: 'trace',
        // Synchronous: a DP logs little, and a start that fails at once must not lose (or
        // crash on) lines written before an asynchronous destination is open.
        stream: pino.destination({
          dest: join(dataDir, 'server.log'),
          mkdir: true,
          sync: true,
          mode: PRIVATE_FILE_MODE,
        }),
      },
      { level: 'warn', stream: process.stderr },
    ]),
  );
}

function positiveEnv(name: string): number | undefined {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** First start: pin the site CA from the token, trade the secret for a key and a certificate. */
async function register(
  opts: DpProcessOptions,
  url: string,
  hostnames: string[],
): Promise<DpConfig> {
  const tokenText = opts.dpToken ?? process.env.STEWARD_DP_TOKEN;
  if (!tokenText)
    throw new Error(
      `this distribution point is not registered yet (no ${join(opts.dataDir, 'dp.json')}): pass --dp-token <token> (or STEWARD_DP_TOKEN) from "steward dp create"`,
    );
  const token = decodeDpToken(tokenText);
  if (!token.ok) throw new Error(`bad DP registration token: ${token.error}`);
  const caPem = await fetchPinnedCa(token.value.url, token.value.caFingerprint);
  const client = new SiteClient(token.value.url, caPem);
  try {
    const res = await client.call(agentOps.distributionPoint.register, {
      body: { secret: token.value.secret, url, hostnames, version: opts.version },
    });
    if (res.dpId !== token.value.dpId)
      throw new Error(`the site registered this DP as ${res.dpId}, not ${token.value.dpId}`);
    return {
      siteUrl: token.value.url,
      caPem,
      siteCode: res.siteCode,
      dpId: res.dpId,
      dpKey: res.dpKey,
      url,
      certChainPem: res.certChainPem,
      keyPem: res.keyPem,
      accessTokenKey: res.accessTokenKey,
      registeredAt: new Date().toISOString(),
    };
  } finally {
    client.close();
  }
}

/** How the DP checks a client's content access token and the file it asks for. */
export interface DpContentAccess {
  verifyToken: (token: string) => ContentAccessClaims;
  checkFile: FileAccessCheck;
}

function serveContent(
  app: App,
  store: ContentStore,
  config: () => DpConfig | undefined,
  running: { sync?: DpSync },
  clock: Clock,
): DpContentAccess {
  let site: { siteCode: string; caFingerprint: string } | undefined;
  const access: DpContentAccess = {
    verifyToken: (token) => {
      const c = config();
      if (!c) throw contentAccessDenied('this distribution point is not registered yet');
      return verifyContentAccessToken(
        createPublicKey(c.accessTokenKey),
        token,
        clock.now().getTime(),
      );
    },
    checkFile: dpFileAccess(
      () => {
        const c = config();
        if (c) site ??= siteOf(c);
        return site;
      },
      (versionId) => running.sync?.filesOf(versionId),
    ),
  };
  registerContentFileRoute(app, {
    store,
    ...access,
    // The DP's access log: which device fetched which file, one line per request it serves
    // (a branch DP answers its own clients only, so this is not the site's hot path).
    onServe: (served) => app.log.info(served, 'content file served'),
  });
  return access;
}

/** The site this DP registered with: its code and the SHA-256 of its (pinned) CA certificate. */
function siteOf(c: DpConfig): { siteCode: string; caFingerprint: string } {
  const fingerprint = new X509Certificate(c.caPem).fingerprint256.replaceAll(':', '').toLowerCase();
  return { siteCode: c.siteCode, caFingerprint: fingerprint };
}

/** Listens and works out the URL clients use (the bound port, even when 0 was asked for). */
async function listenForClients(app: App, opts: DpProcessOptions) {
  const listen = parseListen(opts.agentListen ?? '0.0.0.0:8444');
  await app.listen({ host: listen.host, port: listen.port });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound ? bound.port : listen.port;
  const wildcard = listen.host === '0.0.0.0' || listen.host === '::';
  const host = wildcard ? hostname() : listen.host;
  const url =
    opts.publicUrl?.replace(/\/+$/, '') ??
    `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const names = [new URL(url).hostname.replace(/^\[|\]$/g, ''), listen.host, ...localNames()];
  return { url, hostnames: [...new Set(names.filter((n) => n && n !== '0.0.0.0' && n !== '::'))] };
}

/** First start: register, keep dp.json, and put the site-issued certificate on the listener. */
async function registerNow(
  app: App,
  opts: DpProcessOptions,
  at: { url: string; hostnames: string[] },
  log: Logger,
): Promise<DpConfig> {
  const config = await register(opts, at.url, at.hostnames);
  saveDpConfig(opts.dataDir, config);
  if (!(app.server instanceof TlsServer)) throw new Error('the DP listener is not TLS');
  app.server.setSecureContext({
    key: config.keyPem,
    cert: config.certChainPem,
    ...AGENT_TLS_POLICY,
  });
  log.info({ dpId: config.dpId, site: config.siteUrl }, 'distribution point registered');
  return config;
}

/** `<data>/server.json`, as the site server writes it, so tools and tests find this process. */
function writeServerJson(dataDir: string, url: string, dpId: string): void {
  const stateFile = join(dataDir, 'server.json');
  const state = { adminUrl: '', agentUrl: url, pid: process.pid, roles: ['dp'], dpId };
  writePrivateFileAtomic(stateFile, JSON.stringify(state, null, 2));
}

/**
 * `steward server --roles dp`: a distribution point far from the site, with no database. It
 * listens first (so its URL is known, even with port 0), registers on first start and then
 * installs the certificate the site issued, serves `GET /content/v1/files/:sha256` to agents,
 * and keeps its store in line with its assignments (ADR 0007).
 */
export async function startDistributionPointProcess(
  opts: DpProcessOptions,
): Promise<RunningDistributionPoint> {
  securePrivateDataDir(opts.dataDir);
  const log = createLogger(opts.dataDir, opts.logLevel ?? process.env.STEWARD_LOG_LEVEL ?? 'info');
  let config = loadDpConfig(opts.dataDir);
  const store = new ContentStore(join(opts.dataDir, 'content'));
  // Before registration there is no certificate: handshakes fail until setSecureContext.
  const app = createFastify(log, {
    bodyLimit: AgentBodyLimits.unauthenticated,
    https: config ? { key: config.keyPem, cert: config.certChainPem } : { key: '', cert: '' },
    exposure: 'agent',
  });
  installErrorHandler(app);
  // Clients prove themselves with content access tokens (a signature check in the route).
  installAgentEndpointGuard(app, {
    throttle: new RefusalThrottle(throttleOptionsFromEnv()),
    callers: [],
    checkedByRoute: ['authorization'],
  });
  // The sync starts after registration; the file route asks it for the assigned versions.
  const running: { sync?: DpSync; multicast?: DpMulticastController } = {};
  const access = serveContent(app, store, () => config, running, opts.clock ?? systemClock);
  registerMulticastJoinRoute(app, { access, controller: () => running.multicast });
  const stateMigration = new DpStateMigrationPoint(log);
  registerStateMigrationRoutes(app, { access, point: stateMigration });
  let url: string;
  // PXE (ADR 0067/0068): settings read before anything listens, so a bad file stops the start.
  const pxeSettings = loadPxeSettings(opts.dataDir);
  const pxePorts = pxePortsFromEnv(process.env.STEWARD_DP_PXE_PORTS);
  try {
    const at = await listenForClients(app, opts);
    url = at.url;
    config ??= await registerNow(app, opts, at, log);
  } catch (err) {
    await app.close();
    log.flush();
    throw err;
  }
  const client = new SiteClient(config.siteUrl, config.caPem);
  client.setCredentials(config.dpId, config.dpKey);
  // The site's PXE settings arrive with the assignments and override the local file's.
  const pxe = new DpPxeController({
    dataDir: opts.dataDir,
    log,
    local: pxeSettings,
    ports: pxePorts,
    site: client,
  });
  const multicast = new DpMulticastController({
    store,
    log,
    clock: opts.clock ?? systemClock,
    site: client,
  });
  running.multicast = multicast;
  const sync = new DpSync({
    client,
    store,
    log,
    clock: opts.clock ?? systemClock,
    version: opts.version,
    url,
    pollSecondsOverride: positiveEnv('STEWARD_DP_POLL_SECONDS'),
    bytesPerSecond: positiveEnv('STEWARD_DP_MAX_BYTES_PER_SECOND'),
    pxe,
    multicast,
    stateMigration,
  });
  running.sync = sync;
  try {
    // The local file alone at first (a bad one stops the start); the site's follow on its poll.
    await pxe.apply(undefined);
  } catch (err) {
    client.close();
    await app.close();
    log.flush();
    throw err;
  }
  sync.start();
  writeServerJson(opts.dataDir, url, config.dpId);
  log.info({ url, dpId: config.dpId, site: config.siteUrl }, 'distribution point ready');

  let closed = false;
  return {
    adminUrl: '',
    agentUrl: url,
    async close() {
      if (closed) return;
      closed = true;
      await sync.stop();
      await multicast.stop();
      await pxe.stop();
      client.close();
      await app.close();
      log.flush();
    },
  };
}
