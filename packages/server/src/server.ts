import { checkResumeToken } from './boot-images/resume.js';
import { BootSequenceService } from './boot-images/boot-sequence.js';
import { ComputerService } from './boot-images/computers.js';
import { bootImageBuildEnv } from './boot-images/build-env.js';
import { registerBootEnvironmentRoutes, registerBootImageRoutes } from './boot-images/routes.js';
import { BootImageService } from './boot-images/service.js';
import { MediaService } from './media/service.js';
import { registerMediaRoutes } from './media/routes.js';
import { registerOsImageRoutes } from './os-images/routes.js';
import { OsImageBuildService, osImageBuildEnv } from './os-images/builds.js';
import { OsImageCaptureService } from './os-images/capture.js';
import { UserStateService } from './user-state/service.js';
import { UserStateRunService } from './user-state/run-service.js';
import {
  registerSiteServerStateMigration,
  registerUserStateRoutes,
  registerUserStateRunRoutes,
} from './user-state/routes.js';
import { OsImageService } from './os-images/service.js';
import { createHash, createPublicKey, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import fastifyWebsocket from '@fastify/websocket';
import pino, { type Logger } from 'pino';
import { migrateToLatest, openDatabase, type Db } from './db/database.js';
import { createLocalBus, createPostgresBus, type Bus } from './events/bus.js';
import { SYSTEM_ACTOR, systemClock, type Clock, type SiteContext } from './context.js';
import { issueServerCertificate, loadOrCreateSiteKeys } from './site/site-keys.js';
import { openSiteSecrets } from './site/site-secrets.js';
import { SitePresence } from './site/site-presence.js';
import {
  PRIVATE_FILE_MODE,
  securePrivateDataDir,
  writePrivateFileAtomic,
} from './site/private-files.js';
import { createAdminApp } from './http/admin-app.js';
import { createFastify } from './http/fastify.js';
import { installErrorHandler } from './http/errors.js';
import { installAdminAuth } from './http/auth.js';
import type { App } from './http/types.js';
import { UserService } from './users/service.js';
import { registerUserRoutes } from './users/routes.js';
import { EnrolmentService } from './enrolment/service.js';
import { registerEnrolmentRoutes } from './enrolment/routes.js';
import { DeviceService } from './devices/service.js';
import { registerDeviceRoutes } from './devices/routes.js';
import { registerExportRoutes } from './export/routes.js';
import { registerSearchRoutes } from './search/routes.js';
import { BulkDeviceService } from './devices/bulk-service.js';
import { InventoryClassService } from './inventory/class-service.js';
import { registerInventoryRoutes } from './inventory/routes.js';
import { collectUnusedPackageSets } from './inventory/package-set-repository.js';
import { registerStatusRoutes } from './status/routes.js';
import { raiseSiteStatus } from './status/site-status.js';
import { snapshotClientActivity } from './monitoring/client-activity.js';
import { runActivityCheck } from './monitoring/activity-check.js';
import { registerClientActivityRoutes } from './monitoring/routes.js';
import { ActivityRecorder } from './agent-api/activity.js';
import { DeviceAuthenticator } from './agent-api/device-auth.js';
import { PolicyService } from './agent-api/policy.js';
import { registerAgentRoutes } from './agent-api/routes.js';
import { deleteExpiredSessions } from './users/repository.js';
import { recordRoutes, type ServedRoute } from './http/agent-operations.js';
import { AgentBodyLimits, installAgentEndpointGuard } from './agent-api/endpoint-guard.js';
import { RefusalThrottle, throttleOptionsFromEnv } from './agent-api/refusal-throttle.js';
import { expireStatusMessages } from './status/retention.js';
import { PushHub } from './push/push-hub.js';
import { PushPresence } from './push/presence.js';
import { Scheduler, type Job } from './scheduler/scheduler.js';
import { ClientPushService } from './client-push/service.js';
import { PushAccountService } from './client-push/account-service.js';
import { registerClientPushRoutes } from './client-push/routes.js';
import { PushRunner } from './client-push/runner.js';
import { REDACTED_LOG_PATHS } from './log-redaction.js';
import { CollectionService } from './collections/service.js';
import { registerCollectionRoutes } from './collections/routes.js';
import { ClientSettingsService } from './client-settings/service.js';
import { ClientCheckService } from './client-check/service.js';
import { registerClientCheckRoutes } from './client-check/routes.js';
import { registerClientStatusRoutes } from './client-deployment/routes.js';
import { ClientStatusService } from './client-deployment/service.js';
import { registerClientSettingsRoutes } from './client-settings/routes.js';
import { propagateClientSettingsMembership } from './client-settings/membership-watch.js';
import { ensureBuiltinCollections } from './collections/builtin.js';
import { DEPLOYMENTS_WATERMARK_ROW } from './deployments/membership-watch.js';
import { CLIENT_SETTINGS_WATERMARK_ROW } from './client-settings/membership-watch.js';
import { clientSettingsRow, POLICY_VERSION_ROW } from './agent-api/policy.js';
import { insertSettingIfAbsent } from './site/repository.js';
import { registerAuditRoutes } from './audit/routes.js';
import { createDistribution } from './distribution/wiring.js';
import { startDistributionPointProcess } from './distribution/dp-process/start.js';
import { ContentStore } from './content/content-store.js';
import { ContentService } from './content/service.js';
import { registerContentRoutes } from './content/routes.js';
import { AgentVersionService } from './agent-versions/service.js';
import { registerAgentVersionRoutes } from './agent-versions/routes.js';
import { AgentVersionContentService } from './agent-versions/content.js';
import { agentUpgradeLocations } from './agent-versions/upgrade-locations.js';
import { registerInstallRoutes } from './agent-versions/install-routes.js';
import { registerContentFileRoute } from './content/serve-file.js';
import { verifyContentAccessToken } from './content/access-token.js';
import { ImportRoots } from './content/import-roots.js';
import { siteFileAccess } from './content/file-access.js';
import { collectUnreferencedContent } from './content/gc.js';
import { createDeploymentServices, registerDeploymentAdminRoutes } from './deployments/wiring.js';
import { PhasedDeploymentService } from './deployments/phased/service.js';
import { registerPhasedDeploymentRoutes } from './deployments/phased/routes.js';
import { registerDeploymentReportRoutes } from './deployments/report-routes.js';
import { DiscoveryService } from './discovery/service.js';
import { registerDiscoveryRoutes } from './discovery/routes.js';
import { BulkDiscoveredService } from './discovery/bulk-service.js';
import { DiscoveredMembersService } from './discovery/collection-members-service.js';
import { UpdateCatalogService } from './updates/service.js';
import { registerUpdateCatalogRoutes } from './updates/routes.js';
import { registerUpdateGroupRoutes } from './updates/deployments/routes.js';
import { registerCustomUpdateRoutes } from './updates/custom/routes.js';
import { CustomUpdateService } from './updates/custom/service.js';
import { CustomUpdateComplianceService } from './updates/custom/compliance-service.js';
import { registerUpdateApprovalRoutes } from './updates/approvals/routes.js';
import { UpdateApprovalService } from './updates/approvals/service.js';
import { registerUpdateDeploymentRoutes } from './updates/deployments/update-deployment-routes.js';
import { SelectedUpdatesDeployer } from './updates/deployments/selection-deploy.js';
import { UpdateDeploymentService } from './updates/deployments/update-deployment-service.js';
import { UpdateDeploymentMonitor } from './updates/deployments/update-deployment-status.js';
import { UpdateGroupService } from './updates/deployments/group-service.js';
import { ApprovedContentService } from './updates/deployments/content-service.js';
import { ruleAwarePhaseDeployer } from './updates/rules/phase-deployer.js';
import { RuleRunner } from './updates/rules/run.js';
import { RuleTrigger } from './updates/rules/trigger.js';
import { UpdateRuleService } from './updates/rules/service.js';
import { UpdateRollupService } from './updates/rules/rollups.js';
import { registerUpdateRuleRoutes } from './updates/rules/routes.js';
import { ReportService } from './reports/service.js';
import { registerReportRoutes } from './reports/routes.js';
import { AdvisoryService } from './updates/advisories/service.js';
import { registerAdvisoryRoutes } from './updates/advisories/routes.js';
import { UpdateComplianceService } from './updates/compliance/service.js';
import {
  registerUpdateComplianceRoutes,
  registerUpdateScanAgentRoutes,
} from './updates/compliance/routes.js';
import { ViewService } from './views/service.js';
import { registerViewRoutes } from './views/routes.js';
import { registerDriverRoutes } from './drivers/routes.js';
import { DriverService } from './drivers/service.js';
import { registerUpgradePackageRoutes } from './upgrade-packages/routes.js';
import { UpgradePackageService } from './upgrade-packages/service.js';
import { registerTaskSequenceRoutes } from './task-sequences/routes.js';
import { PrimaryUserService, registerPrimaryUserRoutes } from './devices/primary-users.js';
import { registerTaskSequenceDeploymentRoutes } from './task-sequences/deployment-routes.js';
import { TaskSequenceDeploymentService } from './task-sequences/deployment-service.js';
import { TaskSequenceService } from './task-sequences/service.js';
import { snapshotDeploymentStates } from './deployments/timeline.js';
import { SiteSettingsService, registerSiteRoutes } from './site/site-settings.js';

/**
 * 'dp' alone is a remote distribution point (no database, see distribution/dp-process); beside
 * 'mp' it changes nothing: the site server is always a DP of its own library.
 */
export type ServerRole = 'admin' | 'mp' | 'scheduler' | 'dp';
export const ALL_ROLES: readonly ServerRole[] = ['admin', 'mp', 'scheduler', 'dp'];

export interface ServerOptions {
  dataDir: string;
  /** host:port for the admin API and console; port 0 picks a free port. Default 127.0.0.1:8080. */
  adminListen?: string;
  /** host:port for agents (HTTPS). Default 0.0.0.0:8443. */
  agentListen?: string;
  /** postgres://... or a SQLite file; default <dataDir>/steward.db */
  db?: string;
  roles?: readonly ServerRole[];
  /** The agent URL written into enrolment tokens, when the bound address is not what agents reach. */
  publicUrl?: string;
  /** Password of the first admin (otherwise STEWARD_ADMIN_PASSWORD, otherwise generated). */
  adminPassword?: string;
  logLevel?: string;
  siteCode?: string;
  /** The site's time (tests inject theirs; `steward server` passes STEWARD_TEST_CLOCK_FILE's). */
  clock?: Clock;
  /** Roles ['dp'] only, first start: the registration token (else STEWARD_DP_TOKEN). */
  dpToken?: string;
  /** The site master key file (else STEWARD_MASTER_KEY_FILE, else <dataDir>/master.key). */
  masterKeyFile?: string;
  /** Folders a server-side folder import may read (else STEWARD_CONTENT_IMPORT_ROOTS; none by default). */
  contentImportRoots?: readonly string[];
}

export interface RunningServer {
  adminUrl: string;
  agentUrl: string;
  generatedAdminPassword?: string;
  /** Absent on a standalone distribution point, which has no database. */
  ctx?: SiteContext;
  /** What the agent listener serves (with the `mp` role), held to `agentOps` by a test. */
  agentRoutes?: readonly ServedRoute[];
  close(): Promise<void>;
}

function parseListen(value: string, fallbackHost: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*))(?::(\d+))?$/.exec(value.trim());
  const host = m?.[1] ?? m?.[2] ?? fallbackHost;
  const port = Number(m?.[3] ?? 'NaN');
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`invalid listen address "${value}" (expected host:port)`);
  return { host: host || fallbackHost, port };
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function localNames(): string[] {
  const addrs = Object.values(networkInterfaces()).flatMap((list) =>
    (list ?? []).map((a) => a.address),
  );
  return ['localhost', hostname(), '127.0.0.1', '::1', ...addrs];
}

function packageVersion(): string {
  try {
    const pkg: unknown = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    );
    return typeof pkg === 'object' &&
      pkg !== null &&
      'version' in pkg &&
      typeof pkg.version === 'string'
      ? pkg.version
      : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

async function createLogger(dataDir: string, level: string): Promise<Logger> {
  const file = pino.destination({
    dest: join(dataDir, 'server.log'),
    mkdir: true,
    sync: false,
    mode: PRIVATE_FILE_MODE,
  });
  // Open before use: a start that fails at once (wrong master key) exits through pino's
  // flushSync, which throws on a destination still opening.
  await once(file, 'ready');
  // Everything to <data>/server.log; warnings and errors also to stderr where an operator sees them.
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
    },
    pino.multistream([
      { level: 'trace', stream: file },
      { level: 'warn', stream: process.stderr },
    ]),
  );
}

/** Starts a site server process with the given roles; resolves once it listens. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  securePrivateDataDir(options.dataDir);
  const roles = new Set(options.roles ?? ALL_ROLES);
  if (roles.size === 1 && roles.has('dp'))
    return startDistributionPointProcess({
      dataDir: options.dataDir,
      agentListen: options.agentListen,
      publicUrl: options.publicUrl,
      dpToken: options.dpToken,
      logLevel: options.logLevel,
      version: packageVersion(),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  const log = await createLogger(
    options.dataDir,
    options.logLevel ?? process.env.STEWARD_LOG_LEVEL ?? 'info',
  );
  const version = packageVersion();
  // Start-up phases, logged with 'site server ready' (ms since the process started).
  const startedAt = { enter: performance.now(), migrations: 0 };
  const db: Db = await openDatabase(options.db ?? join(options.dataDir, 'steward.db'));
  const migrationsFrom = performance.now();
  await migrateToLatest(db);
  startedAt.migrations = performance.now() - migrationsFrom;
  // Held until close: offline maintenance (master-key rotation) is refused while it is.
  const presence = await SitePresence.hold(db, (err) =>
    log.warn({ err }, 'lost the site-presence connection'),
  );
  const secrets = await openSiteSecrets(db.kysely, options);
  const keys = await loadOrCreateSiteKeys(db.kysely, secrets, { siteCode: options.siteCode });
  const bus: Bus =
    db.dialect === 'postgres' && db.pgPool
      ? await createPostgresBus(db.pgPool, db.pgSchema, log)
      : createLocalBus();
  const ctx: SiteContext = {
    db,
    bus,
    log,
    clock: options.clock ?? systemClock,
    processId: randomUUID(),
    siteCode: keys.siteCode,
  };

  const agentListen = parseListen(options.agentListen ?? '0.0.0.0:8443', '0.0.0.0');
  let agentUrl = options.publicUrl?.replace(/\/+$/, '') ?? '';
  const users = new UserService(ctx);
  const enrolment = new EnrolmentService(ctx, keys, () => agentUrl);
  const activity = new ActivityRecorder(ctx);
  const push = new PushHub(ctx, activity);
  const pushPresence = new PushPresence(ctx, () => push.reopenAll());
  const devices = new DeviceService(ctx, push);
  const classes = new InventoryClassService(ctx);
  const policy = new PolicyService(ctx, keys);
  const clientSettings = new ClientSettingsService(ctx, push, policy);
  const deviceAuth = new DeviceAuthenticator(ctx);
  const collections = new CollectionService(ctx);
  const contentStore = new ContentStore(join(options.dataDir, 'content'));
  const contentService = new ContentService(
    ctx,
    contentStore,
    ImportRoots.fromConfig(options.contentImportRoots, {
      dataDir: options.dataDir,
      sqliteFile:
        db.dialect === 'sqlite'
          ? (options.db ?? join(options.dataDir, 'steward.db')).replace(/^sqlite:/, '')
          : undefined,
    }),
  );
  // Content access tokens are signed with the policy key; DPs (and this one) verify offline.
  const contentTokenKey = createPublicKey(keys.policySigningKey);
  const distribution = createDistribution(ctx, {
    keys,
    store: contentStore,
    agentUrl: () => agentUrl,
    // Built just below; only called once requests arrive.
    entitlement: { versionIdsFor: (deviceId) => software.assignments.versionIdsFor(deviceId) },
    agentUpgrade: (q) => agentUpgradeLocations(ctx, distribution.locations, q),
  });
  const software = createDeploymentServices(ctx, push, keys, {
    followContentVersions: roles.has('scheduler'),
  });
  const updateDeployments = new UpdateDeploymentService(ctx, software.deployments, secrets);
  // Rollouts started by automatic deployment rules install updates (ADR 0072).
  const phaseDeployer = ruleAwarePhaseDeployer(software.deployments, updateDeployments);
  const phased = new PhasedDeploymentService(ctx, phaseDeployer);
  const clientPush = new ClientPushService(ctx);
  const pushAccounts = new PushAccountService(ctx, secrets, () => clientPush.settings());
  const pushRunner = roles.has('scheduler')
    ? new PushRunner({
        ctx,
        secrets,
        enrolment,
        store: contentStore,
        settings: () => clientPush.settings(),
      })
    : undefined;
  const siteSettings = new SiteSettingsService(ctx);
  const discovery = new DiscoveryService(ctx, () => clientPush.runAutomatic('after a sweep'));
  const updateCatalog = new UpdateCatalogService(ctx, join(options.dataDir, 'apt-lists'));
  const advisories = new AdvisoryService(ctx);
  const updateCompliance = new UpdateComplianceService(ctx);
  const approvedContent = new ApprovedContentService(ctx, contentService, secrets);
  const ruleRunner = new RuleRunner(ctx, {
    catalog: updateCatalog,
    content: approvedContent,
    deployments: software.deployments,
    updateDeployments,
    phased,
    phaseDeployer,
  });
  await siteSettings.start();
  // Settings rows that background jobs read, modify and write are created here, at start: a
  // job's first write is then an update, never an insert landing while a refused request is
  // being checked for having written nothing (the fuzz suites count rows per table).
  const startRows = [
    DEPLOYMENTS_WATERMARK_ROW,
    CLIENT_SETTINGS_WATERMARK_ROW,
    POLICY_VERSION_ROW,
    clientSettingsRow(),
  ];
  for (const row of startRows) await insertSettingIfAbsent(ctx.db.kysely, row);
  await ensureBuiltinCollections(ctx);
  // An empty STEWARD_ADMIN_PASSWORD counts as unset (a password is then generated).
  const givenPassword = options.adminPassword || process.env.STEWARD_ADMIN_PASSWORD || undefined;
  const initial = await users.ensureInitialAdmin(givenPassword);

  const computers = new ComputerService(ctx);
  const bootImages = new BootImageService(
    ctx,
    contentStore,
    distribution.distribution,
    bootImageBuildEnv(options.dataDir, keys.caCertPem),
    () => agentUrl,
  );
  const osImages = new OsImageService(ctx, contentStore, distribution.distribution);
  const taskSequences = new TaskSequenceService(ctx, software.notifier);
  const media = new MediaService(ctx, contentStore, {
    bootImages,
    osImages,
    taskSequences,
    enrolment,
  });
  const osImageBuilds = new OsImageBuildService(
    ctx,
    contentStore,
    osImages,
    osImageBuildEnv(options.dataDir),
    async () => (await bootImages.getSettings(SYSTEM_ACTOR)).mirror,
  );
  const captures = new OsImageCaptureService(ctx, keys, contentStore, osImages);
  const userState = new UserStateService(ctx);
  const userStateRuns = new UserStateRunService(ctx, keys, secrets, userState);
  const apps: App[] = [];
  let agentApp: App | undefined;
  let agentRoutes: readonly ServedRoute[] | undefined;
  if (roles.has('mp')) {
    const tls = await issueServerCertificate(keys, [
      ...(options.publicUrl ? [new URL(options.publicUrl).hostname] : []),
      ...localNames(),
    ]);
    agentApp = createFastify(log, {
      bodyLimit: AgentBodyLimits.unauthenticated,
      https: { key: tls.keyPem, cert: tls.certChainPem },
      plainJson: true,
      exposure: 'agent',
    });
    agentRoutes = recordRoutes(agentApp);
    installErrorHandler(agentApp);
    installAgentEndpointGuard(agentApp, {
      throttle: new RefusalThrottle(throttleOptionsFromEnv()),
      callers: [deviceAuth, distribution.dpSite, captures.caller, userStateRuns.caller],
      checkedByRoute: ['authorization'],
    });
    await agentApp.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
    registerAgentRoutes(agentApp, {
      ctx,
      enrolment,
      auth: deviceAuth,
      policy,
      activity,
      push,
      assignments: software.assignments,
    });
    registerContentFileRoute(agentApp, {
      store: contentStore,
      verifyToken: (t) => verifyContentAccessToken(contentTokenKey, t, ctx.clock.now().getTime()),
      checkFile: siteFileAccess(db.kysely, keys),
    });
    distribution.registerAgentRoutes(agentApp, deviceAuth);
    registerUpdateScanAgentRoutes(agentApp, { auth: deviceAuth, svc: updateCompliance });
    registerBootEnvironmentRoutes(agentApp, {
      computers,
      images: bootImages,
      sequences: new BootSequenceService(
        ctx,
        enrolment,
        distribution.locations,
        (c, grants, notAfter) => captures.issueToken(c, grants, notAfter),
        (resume) => checkResumeToken(ctx, keys, resume),
      ),
      store: contentStore,
      captures,
    });
    registerUserStateRunRoutes(agentApp, userStateRuns);
    registerSiteServerStateMigration(agentApp);
    registerInstallRoutes(agentApp, {
      ctx,
      store: contentStore,
      caCertPem: keys.caCertPem,
      agentUrl: () => agentUrl,
    });
    await pushPresence.start();
    activity.start();
    push.start();
    enrolment.start();
    await agentApp.listen({ host: agentListen.host, port: agentListen.port });
    const bound = agentApp.server.address();
    const port = typeof bound === 'object' && bound ? bound.port : agentListen.port;
    const wildcard = agentListen.host === '0.0.0.0' || agentListen.host === '::';
    agentUrl ||= `https://${urlHost(wildcard ? hostname() : agentListen.host)}:${port}`;
    apps.push(agentApp);
  }

  let adminUrl = '';
  if (roles.has('admin')) {
    const admin = await createAdminApp(log, version);
    installAdminAuth(admin, users);
    registerSiteRoutes(admin, siteSettings, () => ({
      siteCode: keys.siteCode,
      siteName: keys.siteName,
      version,
      agentUrl,
      caFingerprint: keys.caFingerprint,
      caPemSha256: createHash('sha256').update(keys.caCertPem).digest('hex'),
      database: db.dialect,
    }));
    registerUserRoutes(admin, users);
    registerEnrolmentRoutes(admin, enrolment);
    registerDeviceRoutes(admin, devices, new BulkDeviceService(ctx, push, collections));
    registerInventoryRoutes(admin, classes, policy, clientSettings);
    registerClientSettingsRoutes(admin, clientSettings);
    registerClientCheckRoutes(admin, new ClientCheckService(ctx));
    registerClientStatusRoutes(admin, new ClientStatusService(ctx));
    registerCollectionRoutes(admin, collections);
    registerStatusRoutes(admin, ctx);
    registerClientActivityRoutes(admin, ctx, policy);
    registerAuditRoutes(admin, ctx);
    registerContentRoutes(admin, contentService);
    registerAgentVersionRoutes(admin, {
      versions: new AgentVersionService(ctx),
      content: new AgentVersionContentService(ctx, distribution.distribution),
    });
    distribution.registerAdminRoutes(admin);
    registerDeploymentAdminRoutes(admin, software);
    registerPhasedDeploymentRoutes(admin, phased);
    registerDeploymentReportRoutes(admin, ctx);
    registerClientPushRoutes(admin, clientPush, pushAccounts);
    registerDiscoveryRoutes(
      admin,
      discovery,
      new DiscoveredMembersService(ctx),
      new BulkDiscoveredService(ctx, clientPush),
    );
    registerUpdateCatalogRoutes(admin, updateCatalog);
    const updateGroups = new UpdateGroupService(ctx);
    registerUpdateGroupRoutes(admin, updateGroups, approvedContent);
    registerUpdateDeploymentRoutes(
      admin,
      updateDeployments,
      new UpdateDeploymentMonitor(ctx, updateDeployments, software.deployments),
      new SelectedUpdatesDeployer(
        ctx,
        updateGroups,
        approvedContent,
        contentService,
        updateDeployments,
      ),
    );
    registerAdvisoryRoutes(admin, advisories);
    registerUpdateComplianceRoutes(admin, updateCompliance);
    registerViewRoutes(admin, new ViewService(ctx));
    registerDriverRoutes(admin, new DriverService(ctx, contentStore));
    registerUpgradePackageRoutes(admin, new UpgradePackageService(ctx));
    registerTaskSequenceRoutes(admin, taskSequences);
    registerPrimaryUserRoutes(admin, new PrimaryUserService(ctx));
    registerUserStateRoutes(admin, userState);
    registerTaskSequenceDeploymentRoutes(
      admin,
      new TaskSequenceDeploymentService(ctx, software.notifier),
    );
    registerBootImageRoutes(admin, bootImages, computers);
    registerMediaRoutes(admin, media, contentStore);
    registerOsImageRoutes(admin, osImages, osImageBuilds);
    registerSearchRoutes(admin, ctx);
    registerReportRoutes(admin, new ReportService(ctx), () => ctx.clock.now());
    registerCustomUpdateRoutes(
      admin,
      new CustomUpdateService(ctx),
      new CustomUpdateComplianceService(ctx),
    );
    registerUpdateApprovalRoutes(admin, new UpdateApprovalService(ctx));
    registerUpdateRuleRoutes(
      admin,
      new UpdateRuleService(ctx, updateCatalog),
      ruleRunner,
      new UpdateRollupService(ctx, approvedContent),
    );
    // Last: each export is served from its list's handler, registered above.
    registerExportRoutes(admin, () => ctx.clock.now());
    const listen = parseListen(options.adminListen ?? '127.0.0.1:8080', '127.0.0.1');
    await admin.listen({ host: listen.host, port: listen.port });
    const bound = admin.server.address();
    const port = typeof bound === 'object' && bound ? bound.port : listen.port;
    adminUrl = `http://${urlHost(listen.host === '0.0.0.0' || listen.host === '::' ? '127.0.0.1' : listen.host)}:${port}`;
    apps.push(admin);
  }

  await distribution.start({
    siteServerUrl: roles.has('mp') ? agentUrl : undefined,
    version,
  });

  const jobs: Job[] = [
    { name: 'collections:incremental', intervalMs: 2_000, run: () => collections.evaluateDirty() },
    {
      name: 'collections:full-at-start',
      intervalMs: 0,
      runAtStart: true,
      run: () => collections.evaluateAll(),
    },
    { name: 'collections:scheduled', intervalMs: 60_000, run: () => collections.evaluateDue() },
    {
      name: 'deployments:membership',
      intervalMs: 2_000,
      run: () => software.propagateMembershipChanges(),
    },
    {
      name: 'client-settings:membership',
      intervalMs: 2_000,
      run: () => propagateClientSettingsMembership(ctx, push, policy),
    },
    { name: 'phased-deployments:advance', intervalMs: 10_000, run: () => phased.advance() },
    {
      name: 'deployments:timeline',
      intervalMs: 30_000,
      runAtStart: true,
      run: () => snapshotDeploymentStates(ctx),
    },
    {
      name: 'client-activity:snapshot',
      intervalMs: 3600_000,
      runAtStart: true,
      run: () => snapshotClientActivity(ctx),
    },
    {
      name: 'client-activity:check',
      intervalMs: 3600_000,
      run: () => runActivityCheck(ctx),
    },
    {
      name: 'package-sets:collect',
      intervalMs: 6 * 3600_000,
      run: () => collectUnusedPackageSets(db.kysely),
    },
    {
      name: 'content:collect-garbage',
      intervalMs: 3600_000,
      run: () => collectUnreferencedContent(ctx, contentStore),
    },
    {
      name: 'status-messages:retention',
      intervalMs: 3600_000,
      runAtStart: true,
      run: () => expireStatusMessages(ctx),
    },
    ...(pushRunner
      ? [
          {
            name: 'client-push:recover',
            intervalMs: 0,
            runAtStart: true,
            run: () => pushRunner.recover().then(() => pushRunner.tick()),
          },
          // A backstop only: the runner wakes on bus events and its retry timer (ADR 0030).
          { name: 'client-push:attempts', intervalMs: 60_000, run: () => pushRunner.tick() },
        ]
      : []),
    { name: 'discovery:scheduled', intervalMs: 60_000, run: () => discovery.runScheduled() },
    { name: 'updates:sync', intervalMs: 60_000, run: () => updateCatalog.runScheduled() },
    {
      name: 'user-state:retention',
      intervalMs: 600_000,
      runAtStart: true,
      run: () => userState.expireRestored(),
    },
    // Builds cut off by a restart stop blocking their name (ADR 0079); at start, then each minute.
    {
      name: 'boot-images:stale-builds',
      intervalMs: 60_000,
      runAtStart: true,
      run: () => bootImages.interruptStale(),
    },
    { name: 'updates:advisories', intervalMs: 60_000, run: () => advisories.runScheduled() },
    {
      name: 'client-push:automatic',
      intervalMs: 3600_000,
      run: () => clientPush.runAutomatic('on its hourly schedule'),
    },
    {
      name: 'sessions:expire',
      intervalMs: 3600_000,
      run: () => deleteExpiredSessions(db.kysely, ctx.clock.now().toISOString()),
    },
  ];
  // Automatic deployment rules run on events and at their next due time, not by polling.
  const ruleTrigger = new RuleTrigger(ctx, ruleRunner);
  const scheduler = new Scheduler(ctx, roles.has('scheduler') ? jobs : [], () => {
    if (!roles.has('scheduler')) return;
    collections.start();
    ruleTrigger.start();
  });
  await scheduler.start();
  await raiseSiteStatus(ctx, {
    message: 'SITE_SERVER_STARTED',
    insertionStrings: [[...roles].join(','), ctx.processId],
  });

  const stateFile = join(options.dataDir, 'server.json');
  writePrivateFileAtomic(
    stateFile,
    JSON.stringify(
      { adminUrl, agentUrl, pid: process.pid, processId: ctx.processId, roles: [...roles] },
      null,
      2,
    ),
  );
  const startup = {
    processMs: Math.round(performance.now()),
    importMs: Math.round(startedAt.enter),
    migrationsMs: Math.round(startedAt.migrations),
  };
  log.info(
    { adminUrl, agentUrl, roles: [...roles], db: db.description, startup },
    'site server ready',
  );

  let closed = false;
  return {
    adminUrl,
    agentUrl,
    ...(initial.generatedPassword ? { generatedAdminPassword: initial.generatedPassword } : {}),
    ctx,
    ...(agentRoutes ? { agentRoutes } : {}),
    async close() {
      if (closed) return;
      closed = true;
      await scheduler.stop();
      await ruleTrigger.stop();
      await pushRunner?.stop();
      await discovery.stop();
      await updateCatalog.stop();
      collections.stop();
      push.stop();
      for (const app of apps) await app.close();
      await media.idle();
      await osImageBuilds.idle();
      await enrolment.stop();
      await activity.stop();
      await pushPresence.stop();
      deviceAuth.stop();
      siteSettings.stop();
      policy.stop();
      software.stop();
      distribution.stop();
      await bus.close();
      await presence.release();
      await db.close();
      log.flush();
    },
  };
}

export { SYSTEM_ACTOR };
