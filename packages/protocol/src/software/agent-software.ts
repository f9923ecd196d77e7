import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Sha256 } from './common.js';
import { ContentState, ManifestEntry } from './content.js';
import { Deployment, DeploymentStateName, Program } from './deployments.js';
import { MaintenanceWindowBody } from './schedule.js';
import { MAX_BYTES } from '../paging.js';
import { settingsValueProperties } from '../settings.js';
import { DeploymentOptions } from './deployment-options.js';

/** Header carrying `<dpId>.<dpKey>` on every DP request after registration. */
export const DP_AUTH_HEADER = 'x-steward-dp';

/**
 * A program as the agent needs it to run it: the administrator's view of the program (`Program`)
 * without its bookkeeping, plus the current version's content. Derived so that a field added to
 * programs cannot drift between the two.
 */
export const AgentProgram = Type.Composite([
  Type.Pick(Program, [
    'id',
    'name',
    'packageId',
    'packageName',
    'commandLine',
    'workingDirectory',
    'runAs',
    'maxRunMinutes',
    'successExitCodes',
    'rebootExitCodes',
    'requirements',
    'dependsOnProgramId',
    'disabled',
  ]),
  Type.Object({
    packageVersionId: Type.String(),
    /** The current version's manifest: the agent verifies every file against it before a run. */
    files: Type.Array(ManifestEntry),
  }),
]);
export type AgentProgram = Static<typeof AgentProgram>;

/**
 * One deployment targeting this device, with everything needed to evaluate it offline: the
 * fields of `Deployment` the agent acts on (wall times in `timeBase`), plus when this device
 * became a target.
 */
export const AgentDeployment = Type.Composite([
  Type.Pick(Deployment, [
    'id',
    'name',
    'purpose',
    'programId',
    'triggers',
    'availableAt',
    'expiresAt',
    'extraAssignments',
    'timeBase',
    'revision',
  ]),
  // Every deployment option reaches the agent (a new one by construction); 'enabled' does not:
  // the site sends enabled deployments only.
  Type.Omit(Type.Object(settingsValueProperties(DeploymentOptions)), ['enabled']),
  Type.Object({
    /** Time the device became a target (for 'on-enrolment' triggers: the device's enrolment). */
    targetedAt: Type.String(),
  }),
]);
export type AgentDeployment = Static<typeof AgentDeployment>;

/** What GET /agent/v1/assignments carries (signed like the policy). */
export const AssignmentsDocument = Type.Object({
  deviceId: Type.String(),
  issuedAt: Type.String(),
  /** Enabled, unexpired deployments whose collection holds this device. */
  deployments: Type.Array(AgentDeployment),
  /** Every program referenced, dependencies included (disabled ones too, so runs can be stopped). */
  programs: Type.Array(AgentProgram),
  /** Windows of every collection this device is in; the agent merges them itself. */
  maintenanceWindows: Type.Array(
    Type.Composite([Type.Object({ id: Type.String() }), MaintenanceWindowBody]),
  ),
});
export type AssignmentsDocument = Static<typeof AssignmentsDocument>;

/** `payload` is canonical JSON of an AssignmentsDocument; `signature` Ed25519 (site policy key), base64. */
export const SignedAssignments = Type.Object({ payload: Type.String(), signature: Type.String() });
export type SignedAssignments = Static<typeof SignedAssignments>;

export const ContentLocationsQuery = Type.Object(
  { packageVersionId: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type ContentLocationsQuery = Static<typeof ContentLocationsQuery>;

/**
 * Outbox item body `deployment:state`: the device's state for one deployment at `at`. The
 * server keeps the newest per (deployment, device); `runId` ties started/finished of one run.
 */
export const DeploymentStateReport = Type.Object(
  {
    deploymentId: Type.String({ minLength: 1, maxLength: 200 }),
    // Ranges of the columns that store them: a value beyond one is refused with the item.
    revision: Type.Integer({ minimum: 0, maximum: 2_147_483_647 }),
    /** Every state but 'targeted', which only the server knows (the device has not heard yet). */
    state: Type.Exclude(DeploymentStateName, Type.Literal('targeted')),
    at: Type.String({ format: 'date-time' }),
    runId: Type.Optional(Type.String({ maxLength: 100 })),
    exitCode: Type.Optional(
      Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
    ),
    /** Last 4 KiB of the program's output. */
    outputTail: Type.Optional(Type.String({ maxLength: 8192 })),
    reasonCode: Type.Optional(Type.String({ maxLength: 64 })),
    reason: Type.Optional(Type.String({ maxLength: 2000 })),
    bytesDone: Type.Optional(Type.Number({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    bytesTotal: Type.Optional(Type.Number({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    lastRunAt: Type.Optional(Type.String({ format: 'date-time' })),
    nextRunAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type DeploymentStateReport = Static<typeof DeploymentStateReport>;

// ---- content access tokens (site -> client -> DP) ----

/** At most this many package versions in one content access token. */
export const MAX_TOKEN_PACKAGE_VERSIONS = 64;

/**
 * Payload of a content access token: `base64url(json).base64url(ed25519 signature)`. It names
 * what the device may download (issue 7, finding 6): the site (code and CA fingerprint) and the
 * package versions the device is entitled to; a DP or the site server serves a file only when
 * it belongs to one of them. Short-lived (`CONTENT_TOKEN_SECONDS`), because DPs check offline.
 */
export const ContentAccessClaims = Type.Object({
  deviceId: Type.String(),
  siteCode: Type.String(),
  /** SHA-256 (hex) of the site CA certificate: the site the token is for. */
  site: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  /** Package versions whose files this token downloads (versions of programs deployed to it). */
  packageVersionIds: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
    maxItems: MAX_TOKEN_PACKAGE_VERSIONS,
  }),
  /**
   * Site content outside packages, by name (reserved for agent versions and OS images): no name
   * is issued yet, and a name grants nothing until the servers learn which files it covers.
   */
  siteContent: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 16 }),
  ),
  /** Issued at, epoch seconds. */
  iat: Type.Integer(),
  /** Expiry, epoch seconds. */
  exp: Type.Integer(),
});
export type ContentAccessClaims = Static<typeof ContentAccessClaims>;

// ---- DP process <-> site ----

export const DpRegisterRequest = Type.Object(
  {
    secret: Type.String({ minLength: 16, maxLength: 256 }),
    /** Base URL clients will use, e.g. https://dp1.branch.example:8444 */
    url: Type.String({ minLength: 8, maxLength: 2048 }),
    /** Names and addresses to put in the DP's TLS certificate. */
    hostnames: Type.Array(Type.String({ minLength: 1, maxLength: 253 }), {
      minItems: 1,
      maxItems: 100,
    }),
    version: Type.String({ maxLength: 64 }),
  },
  { additionalProperties: false },
);
export type DpRegisterRequest = Static<typeof DpRegisterRequest>;

export const DpRegisterResponse = Type.Object({
  dpId: Type.String(),
  dpKey: Type.String(),
  siteCode: Type.String(),
  /** TLS certificate chain and key for the DP's listener, issued by the site CA. */
  certChainPem: Type.String(),
  keyPem: Type.String(),
  /** Verifies content access tokens (the site's policy-signing key, SPKI PEM). */
  accessTokenKey: Type.String(),
});
export type DpRegisterResponse = Static<typeof DpRegisterResponse>;

export const DpAssignedPackage = Type.Object({
  packageId: Type.String(),
  packageName: Type.String(),
  packageVersionId: Type.String(),
  versionNumber: Type.Integer(),
  files: Type.Array(ManifestEntry),
  /** Set when an administrator asked to validate content; the DP re-hashes and reports. */
  validateRequestedAt: Nullable(Type.String()),
});
export type DpAssignedPackage = Static<typeof DpAssignedPackage>;

export const DpAssignments = Type.Object({
  packages: Type.Array(DpAssignedPackage),
  /** Seconds until the DP should ask again (it is also nudged through nothing: it polls). */
  pollSeconds: Type.Integer(),
});
export type DpAssignments = Static<typeof DpAssignments>;

export const DpStatusItem = Type.Object(
  {
    packageVersionId: Type.String({ minLength: 1, maxLength: 200 }),
    state: ContentState,
    bytesDone: Type.Number({ minimum: 0, maximum: MAX_BYTES }),
    bytesTotal: Type.Number({ minimum: 0, maximum: MAX_BYTES }),
    message: Type.Optional(Type.String({ maxLength: 2000 })),
    /** Set when this report is the result of validate content. */
    validatedAt: Type.Optional(Type.String({ format: 'date-time' })),
    badFiles: Type.Optional(Type.Array(Sha256, { maxItems: 1000 })),
  },
  { additionalProperties: false },
);
export type DpStatusItem = Static<typeof DpStatusItem>;

export const DpStatusReport = Type.Object(
  {
    version: Type.String({ maxLength: 64 }),
    storedBytes: Type.Number({ minimum: 0, maximum: MAX_BYTES }),
    items: Type.Array(DpStatusItem, { maxItems: 10000 }),
    /** The URL the DP serves at now (when it changed since registration: new port or --public-url). */
    url: Type.Optional(Type.String({ minLength: 8, maxLength: 2048 })),
  },
  { additionalProperties: false },
);
export type DpStatusReport = Static<typeof DpStatusReport>;
