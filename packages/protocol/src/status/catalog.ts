import { Type, type Static } from '@sinclair/typebox';
import { MAX_MESSAGE_ID } from '../http/paging.js';

/** Modelled on the SMS status system (DESIGN.md section 6). */
export const Severity = Type.Union([
  Type.Literal('informational'),
  Type.Literal('warning'),
  Type.Literal('error'),
]);
export type Severity = Static<typeof Severity>;
export const MessageType = Type.Union([
  Type.Literal('milestone'),
  Type.Literal('detail'),
  Type.Literal('audit'),
]);
export type MessageType = Static<typeof MessageType>;

export interface CatalogEntry {
  id: number;
  severity: Severity;
  type: MessageType;
  component: string;
  /** Text with %1..%10 insertion points, as in SMS. */
  text: string;
}

/** One declared status message: its catalog entry and the names of its insertion strings. */
export interface StatusMessageDefinition extends CatalogEntry {
  /**
   * The names of the insertion strings, in order (at most 10): %1 is the first. Every %n of the
   * text names one of them; a trailing one may be carried without being shown.
   */
  readonly insertions: readonly string[];
}

/**
 * Every status message Steward raises, by name (ADR 0012). Ids from the seeds keep their numbers
 * (2330, 2342, 3531-3533, 10002-10009, 11250-11270); Steward's own: 40000-49999 agent,
 * 50000-59999 site server, in blocks per capability (issue 9: 51000 client push, 51100 network
 * discovery, 51200 client health, 51300 client versions). Later capabilities add entries; ids
 * are never reused. `insertions`
 * names the insertion strings %1..%n in order, so raising a message with the wrong number of
 * them is a compile error.
 */
export const StatusMessages = {
  // --- seed ids: content (distribution manager, sender) ---
  DISTRIBUTED_TO_DP: {
    id: 2330,
    severity: 'informational',
    type: 'milestone',
    component: 'distribution-manager',
    text: 'Distribution manager successfully distributed package "%1" to distribution point "%2".',
    insertions: ['package', 'dp'],
  },
  DISTRIBUTION_STARTED: {
    id: 2342,
    severity: 'informational',
    type: 'milestone',
    component: 'distribution-manager',
    text: 'Distribution manager is starting to distribute package "%1" to distribution point "%2".',
    insertions: ['package', 'dp'],
  },
  SENDER_SENDING: {
    id: 3531,
    severity: 'informational',
    type: 'detail',
    component: 'sender',
    text: 'Sender is sending package "%1" to site "%2".',
    insertions: ['package', 'site'],
  },
  SENDER_FAILED: {
    id: 3532,
    severity: 'error',
    type: 'milestone',
    component: 'sender',
    text: 'Sender could not send package "%1" to site "%2": %3',
    insertions: ['package', 'site', 'reason'],
  },
  SENDER_SENT: {
    id: 3533,
    severity: 'informational',
    type: 'milestone',
    component: 'sender',
    text: 'Sender sent package "%1" to site "%2".',
    insertions: ['package', 'site'],
  },
  // --- seed ids: deployments (advertisements) ---
  PROGRAM_RECEIVED: {
    id: 10002,
    severity: 'informational',
    type: 'milestone',
    component: 'deployment-agent',
    text: 'Program "%2" of package "%1" was received for deployment "%3".',
    insertions: ['package', 'program', 'deployment'],
  },
  PROGRAM_STARTED: {
    id: 10005,
    severity: 'informational',
    type: 'milestone',
    component: 'deployment-agent',
    text: 'Program "%2" of package "%1" started for deployment "%3".',
    insertions: ['package', 'program', 'deployment'],
  },
  PROGRAM_FAILED: {
    id: 10006,
    severity: 'error',
    type: 'milestone',
    component: 'deployment-agent',
    text: 'Program "%2" of package "%1" failed for deployment "%3" with exit code %4.',
    insertions: ['package', 'program', 'deployment', 'exitCode'],
  },
  PROGRAM_SUCCEEDED: {
    id: 10008,
    severity: 'informational',
    type: 'milestone',
    component: 'deployment-agent',
    text: 'Program "%2" of package "%1" completed successfully for deployment "%3".',
    // The agent sends the exit code too; the text does not show it.
    insertions: ['package', 'program', 'deployment', 'exitCode'],
  },
  PROGRAM_SUCCEEDED_RESTART_REQUIRED: {
    id: 10009,
    severity: 'warning',
    type: 'milestone',
    component: 'deployment-agent',
    text: 'Program "%2" of package "%1" completed for deployment "%3"; a restart is required.',
    // The agent sends the exit code too; the text does not show it.
    insertions: ['package', 'program', 'deployment', 'exitCode'],
  },
  // --- seed ids: software update installation, numbered as seed table 3 numbers them ---
  UPDATE_NO_WINDOW_FAST_START: {
    id: 11250,
    severity: 'warning',
    type: 'milestone',
    component: 'update-agent',
    // Seed table 3: the deadline came (at once: fast start) and no window was open.
    text: 'No scheduled install window for deployment "%1" (fast start). Waiting to retry at %2.',
    insertions: ['deployment', 'retryAt'],
  },
  UPDATE_NO_WINDOW_LATE_START: {
    id: 11251,
    severity: 'warning',
    type: 'milestone',
    component: 'update-agent',
    // The agent reached a deadline long past (it was off or offline: late start), no window open.
    text: 'No scheduled install window for deployment "%1" (late start). Waiting to retry at %2.',
    insertions: ['deployment', 'retryAt'],
  },
  UPDATE_NO_WINDOW_EXPIRED: {
    id: 11256,
    severity: 'warning',
    type: 'milestone',
    component: 'update-agent',
    // No window opens before the deployment expires (expiry limit).
    text: 'No scheduled install window for deployment "%1" before it expires at %2 (expiry limit). Waiting to retry.',
    insertions: ['deployment', 'expiresAt'],
  },
  // Seed 11257-11259: the restart a machine needed BEFORE updates could install was rescheduled,
  // postponed or auto-postponed. Declared for the seed's table; never raised, since dpkg installs
  // over a pending restart (Windows needed one first; Debian does not).
  UPDATE_PRE_INSTALL_RESTART_RESCHEDULED: {
    id: 11257,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'The user rescheduled the restart needed before deployment "%1" could install.',
    insertions: ['deployment'],
  },
  UPDATE_PRE_INSTALL_RESTART_POSTPONED: {
    id: 11258,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'The user postponed the restart needed before deployment "%1" could install.',
    insertions: ['deployment'],
  },
  UPDATE_PRE_INSTALL_RESTART_AUTO_POSTPONED: {
    id: 11259,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'The restart needed before deployment "%1" could install was postponed automatically.',
    insertions: ['deployment'],
  },
  UPDATE_RESCHEDULED_BY_USER: {
    id: 11252,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'The user rescheduled the installation of deployment "%1" to %2.',
    insertions: ['deployment', 'time'],
  },
  UPDATE_POSTPONED_BY_USER: {
    id: 11253,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'The user postponed the installation of deployment "%1".',
    insertions: ['deployment'],
  },
  UPDATE_POSTPONED_AUTOMATICALLY: {
    id: 11254,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    // The install was due while its content was not downloaded yet: it runs once it is.
    text: 'The installation of deployment "%1" was postponed automatically: %2.',
    insertions: ['deployment', 'reason'],
  },
  UPDATE_INSTALLED_RESTART_REQUIRED: {
    id: 11270,
    severity: 'warning',
    type: 'milestone',
    component: 'update-agent',
    text: 'Deployment "%1" was installed; a restart is required.',
    insertions: ['deployment'],
  },
  UPDATE_INSTALLED_RESTART_SUPPRESSED_WORKSTATION: {
    id: 11266,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'Deployment "%1" was installed; restart suppressed (workstation role).',
    insertions: ['deployment'],
  },
  UPDATE_INSTALLED_RESTART_SUPPRESSED_SERVER: {
    id: 11267,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'Deployment "%1" was installed; restart suppressed (server role).',
    insertions: ['deployment'],
  },
  UPDATE_INSTALLED_NO_RESTART: {
    id: 11268,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'Deployment "%1" was installed; no restart was needed.',
    insertions: ['deployment'],
  },
  UPDATE_RESTART_RESCHEDULED: {
    id: 11261,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'Deployment "%1" was installed; the user rescheduled the restart to %2.',
    insertions: ['deployment', 'time'],
  },
  UPDATE_RESTART_POSTPONED_BY_USER: {
    id: 11262,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'Deployment "%1" was installed; the user postponed the restart until %2.',
    insertions: ['deployment', 'time'],
  },
  UPDATE_RESTART_POSTPONED_AUTOMATICALLY: {
    id: 11263,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    // Seed table 3 (11263): the restart was due outside a maintenance window.
    text: 'Deployment "%1" was installed; the restart was postponed automatically until %2 (%3).',
    insertions: ['deployment', 'time', 'reason'],
  },
  UPDATE_MANDATORY_RESTART_PENDING: {
    id: 11264,
    severity: 'warning',
    type: 'milestone',
    component: 'update-agent',
    text: 'A mandatory restart for deployment "%1" started.',
    insertions: ['deployment'],
  },
  UPDATE_MANDATORY_RESTART_FORCED: {
    id: 11265,
    severity: 'warning',
    type: 'milestone',
    component: 'update-agent',
    text: 'A forced mandatory restart for deployment "%1" started: the restart command ran.',
    insertions: ['deployment'],
  },
  // --- Steward agent: 40000-40999 ---
  AGENT_STARTED: {
    id: 40001,
    severity: 'informational',
    type: 'milestone',
    component: 'agent',
    text: 'Steward agent %1 started on %2.',
    insertions: ['version', 'hostname'],
  },
  AGENT_STOPPING: {
    id: 40002,
    severity: 'informational',
    type: 'milestone',
    component: 'agent',
    text: 'Steward agent is stopping (%1).',
    insertions: ['reason'],
  },
  AGENT_ENROLLED: {
    id: 40003,
    severity: 'informational',
    type: 'milestone',
    component: 'agent',
    text: 'The agent enrolled in site %1 as device %2.',
    insertions: ['siteCode', 'deviceId'],
  },
  POLICY_APPLIED: {
    id: 40010,
    severity: 'informational',
    type: 'detail',
    component: 'policy-agent',
    text: 'Policy version %1 received and applied.',
    insertions: ['version'],
  },
  POLICY_REFUSED: {
    id: 40011,
    severity: 'error',
    type: 'milestone',
    component: 'policy-agent',
    text: 'Policy refused: %1',
    insertions: ['reason'],
  },
  POLICY_REPLAY_REFUSED: {
    id: 40012,
    severity: 'error',
    type: 'milestone',
    component: 'policy-agent',
    text: 'Policy version %1 refused: it is older than the applied version %2 (a replayed or rolled-back policy); version %2 is kept.',
    insertions: ['version', 'appliedVersion'],
  },
  INVENTORY_COLLECTED: {
    id: 40020,
    severity: 'informational',
    type: 'milestone',
    component: 'inventory-agent',
    text: 'Hardware and software inventory collected (%1 report, %2 classes changed, %3 packages).',
    insertions: ['reportKind', 'changedClasses', 'packages'],
  },
  INVENTORY_COLLECTOR_FAILED: {
    id: 40021,
    severity: 'error',
    type: 'milestone',
    component: 'inventory-agent',
    text: 'Inventory collector "%1" failed: %2',
    insertions: ['className', 'error'],
  },
  SOFTWARE_FILE_SCAN_COMPLETED: {
    id: 40022,
    severity: 'informational',
    type: 'milestone',
    component: 'inventory-agent',
    text: 'Software file scan found %1 executable files under %2.',
    insertions: ['files', 'paths'],
  },
  CUSTOM_CLASS_FAILED: {
    id: 40023,
    severity: 'warning',
    type: 'milestone',
    component: 'inventory-agent',
    text: 'Custom inventory class "%1" could not be collected: %2',
    insertions: ['className', 'error'],
  },
  INVENTORY_RESYNC_REQUESTED: {
    id: 40024,
    severity: 'informational',
    type: 'milestone',
    component: 'inventory-agent',
    text: 'Full inventory resynchronisation requested by the site: %1',
    insertions: ['reason'],
  },
  INVENTORY_CLASS_PARTIAL: {
    id: 40320,
    severity: 'informational',
    type: 'detail',
    component: 'inventory-agent',
    text: 'Inventory class "%1" was collected in part: %2',
    insertions: ['className', 'reason'],
  },
  NUDGE_RECEIVED: {
    id: 40030,
    severity: 'informational',
    type: 'audit',
    component: 'push-channel',
    text: 'Request "%1" received from the site through the push channel.',
    insertions: ['action'],
  },
  NUDGE_COMPLETED: {
    id: 40031,
    severity: 'informational',
    type: 'milestone',
    component: 'push-channel',
    text: 'Request "%1" completed.',
    insertions: ['action'],
  },
  OUTBOX_FULL: {
    id: 40040,
    severity: 'warning',
    type: 'milestone',
    component: 'outbox',
    text: 'The outbox is full: %1 detail messages were dropped to keep milestones.',
    insertions: ['droppedDetails'],
  },
  REPORT_ITEM_DEAD_LETTERED: {
    id: 40041,
    severity: 'error',
    type: 'milestone',
    component: 'outbox',
    text: 'Report item %1 (%2) was refused by the site (%3: %4); it was moved to the dead-letter file and reporting goes on.',
    insertions: ['seq', 'itemType', 'code', 'message'],
  },
  SITE_UNREACHABLE: {
    id: 40050,
    severity: 'warning',
    type: 'detail',
    component: 'agent',
    text: 'The site server was unreachable for %1 seconds; reports were kept in the outbox.',
    insertions: ['seconds'],
  },
  // --- Steward site server: 50000-50999 ---
  SITE_SERVER_STARTED: {
    id: 50001,
    severity: 'informational',
    type: 'milestone',
    component: 'site-server',
    text: 'Site server started with roles %1 (process %2).',
    insertions: ['roles', 'process'],
  },
  DEVICE_ENROLLED: {
    id: 50010,
    severity: 'informational',
    type: 'audit',
    component: 'enrolment',
    text: 'Device "%1" enrolled with token "%2".',
    insertions: ['device', 'token'],
  },
  DEVICE_REVOKED: {
    id: 50011,
    severity: 'warning',
    type: 'audit',
    component: 'enrolment',
    text: 'Device "%1" was revoked by %2.',
    insertions: ['device', 'actor'],
  },
  ENROLMENT_REFUSED: {
    id: 50012,
    severity: 'warning',
    type: 'milestone',
    component: 'enrolment',
    text: 'Enrolment of "%1" from %3 refused: %2 (further refusals from %3 within %4 seconds are counted in message 50013, not recorded one by one).',
    insertions: ['name', 'reason', 'address', 'intervalSeconds'],
  },
  ENROLMENT_REFUSALS_COUNTED: {
    id: 50013,
    severity: 'warning',
    type: 'milestone',
    component: 'enrolment',
    text: '%1 more enrolments from %2 addresses were refused in the last %3 seconds (most from %4: %5). They were counted, not recorded one by one: only the first refusal from an address, and at most %6 in all, get their own message per interval.',
    insertions: [
      'refused',
      'addresses',
      'intervalSeconds',
      'topAddress',
      'topCount',
      'perIntervalLimit',
    ],
  },
  COLLECTION_EVALUATED: {
    id: 50020,
    severity: 'informational',
    type: 'detail',
    component: 'collection-evaluator',
    text: 'Collection "%1" evaluated: %2 members, %3 added, %4 removed.',
    insertions: ['collection', 'members', 'added', 'removed'],
  },
  COLLECTION_EVALUATION_FAILED: {
    id: 50021,
    severity: 'error',
    type: 'milestone',
    component: 'collection-evaluator',
    text: 'Collection "%1" could not be evaluated: %2',
    insertions: ['collection', 'error'],
  },
  INVENTORY_DELTA_NOT_APPLIED: {
    id: 50030,
    severity: 'warning',
    type: 'detail',
    component: 'inventory-processor',
    text: 'Inventory from device "%1" did not apply (%2); a full resynchronisation was requested.',
    insertions: ['device', 'reason'],
  },
  NUDGE_SENT_TO_DEVICE: {
    id: 50040,
    severity: 'informational',
    type: 'audit',
    component: 'push-channel',
    text: 'Request "%1" sent to device "%2" by %3.',
    insertions: ['action', 'device', 'actor'],
  },
  NUDGE_SENT_TO_COLLECTION: {
    id: 50041,
    severity: 'informational',
    type: 'audit',
    component: 'push-channel',
    text: 'Request "%1" sent to the %2 devices of collection "%3" by %4 (%5 connected now).',
    insertions: ['action', 'devices', 'collection', 'actor', 'connected'],
  },
  // --- software distribution: agent (401xx) ---
  CONTENT_DOWNLOADING: {
    id: 40100,
    severity: 'informational',
    type: 'detail',
    component: 'content-transfer',
    text: 'Downloading content of package "%1" (%2 bytes) from distribution point "%3".',
    insertions: ['package', 'bytes', 'dp'],
  },
  CONTENT_DOWNLOADED: {
    id: 40101,
    severity: 'informational',
    type: 'milestone',
    component: 'content-transfer',
    text: 'Content of package "%1" downloaded and verified (%2 bytes).',
    insertions: ['package', 'bytes'],
  },
  CONTENT_DOWNLOAD_FAILED: {
    id: 40102,
    severity: 'warning',
    type: 'milestone',
    component: 'content-transfer',
    text: 'Could not download content of package "%1" from distribution point "%2": %3',
    insertions: ['package', 'dp', 'reason'],
  },
  CONTENT_HASH_MISMATCH: {
    id: 40103,
    severity: 'error',
    type: 'milestone',
    component: 'content-transfer',
    text: 'File "%2" of package "%1" failed hash verification and was discarded; it will not be run.',
    insertions: ['package', 'file'],
  },
  CONTENT_NO_DP_AVAILABLE: {
    id: 40104,
    severity: 'warning',
    type: 'milestone',
    component: 'content-transfer',
    text: 'No distribution point with content of package "%1" is available to this client: %2',
    insertions: ['package', 'reason'],
  },
  DEPLOYMENT_WAITING_FOR_WINDOW: {
    id: 40110,
    severity: 'informational',
    type: 'milestone',
    component: 'deployment-agent',
    text: 'Deployment "%1" waits for a maintenance window long enough for %2 minutes (next: %3).',
    insertions: ['deployment', 'minutes', 'next'],
  },
  PROGRAM_NOT_APPLICABLE: {
    id: 40111,
    severity: 'warning',
    type: 'milestone',
    component: 'deployment-agent',
    text: 'Program "%2" of deployment "%1" does not run on this device: %3',
    insertions: ['deployment', 'program', 'reason'],
  },
  PROGRAM_STOPPED: {
    id: 40112,
    severity: 'warning',
    type: 'milestone',
    component: 'deployment-agent',
    text: 'Program "%2" of deployment "%1" was stopped: %3',
    insertions: ['deployment', 'program', 'reason'],
  },
  SOFTWARE_CENTER_INSTALL_REQUESTED: {
    id: 40113,
    severity: 'informational',
    type: 'audit',
    component: 'software-center',
    text: 'User %2 requested installation of deployment "%1" from the Software Center.',
    insertions: ['deployment', 'user'],
  },
  SOFTWARE_CENTER_POSTPONED: {
    id: 40114,
    severity: 'informational',
    type: 'audit',
    component: 'software-center',
    text: 'User %2 postponed required deployment "%1" until %3.',
    insertions: ['deployment', 'user', 'until'],
  },
  SOFTWARE_CENTER_RESCHEDULED: {
    id: 40703,
    severity: 'informational',
    type: 'audit',
    component: 'software-center',
    text: 'User %2 rescheduled required deployment "%1" to %3.',
    insertions: ['deployment', 'user', 'until'],
  },
  UPDATE_SUPPRESSED_RESTART_MANDATORY: {
    id: 40704,
    severity: 'warning',
    type: 'milestone',
    component: 'update-agent',
    // The deployment's restart deadline for suppressed restarts passed (ADR 0092).
    text: 'The restart for deployment "%1", suppressed by the device role, reached its restart deadline %2: it is mandatory now and runs after the final countdown, inside a maintenance window unless the deployment allows otherwise.',
    insertions: ['deployment', 'deadline'],
  },
  // --- software distribution: site (501xx) ---
  DP_REGISTERED: {
    id: 50100,
    severity: 'informational',
    type: 'milestone',
    component: 'distribution-manager',
    text: 'Distribution point "%1" registered from %2.',
    insertions: ['dp', 'address'],
  },
  DP_INSTALL_FAILED: {
    id: 50101,
    severity: 'error',
    type: 'milestone',
    component: 'distribution-manager',
    text: 'Distribution point "%2" could not install package "%1": %3',
    insertions: ['package', 'dp', 'reason'],
  },
  DP_VALIDATED: {
    id: 50102,
    severity: 'informational',
    type: 'milestone',
    component: 'distribution-manager',
    text: 'Distribution point "%2" validated package "%1": %3',
    insertions: ['package', 'dp', 'result'],
  },
  PACKAGE_VERSION_CREATED: {
    id: 50110,
    severity: 'informational',
    type: 'audit',
    component: 'software-library',
    text: 'Package "%1" version %2 created by %3 (%4 files, %5 bytes, %6 new to the library).',
    insertions: ['package', 'version', 'actor', 'files', 'bytes', 'newFiles'],
  },
  PROGRAM_CHANGED: {
    id: 50111,
    severity: 'warning',
    type: 'audit',
    component: 'software-library',
    text: 'Program "%2" of package "%1" was %3 by %4.',
    insertions: ['package', 'program', 'change', 'actor'],
  },
  PHASE_STARTED: {
    id: 50120,
    severity: 'informational',
    type: 'milestone',
    component: 'phased-deployment',
    text: 'Phased deployment "%1" started phase %2 (collection "%3").',
    insertions: ['phasedDeployment', 'phase', 'collection'],
  },
  PHASED_DEPLOYMENT_HALTED: {
    id: 50121,
    severity: 'error',
    type: 'milestone',
    component: 'phased-deployment',
    text: 'Phased deployment "%1" halted in phase %2: %3',
    insertions: ['phasedDeployment', 'phase', 'reason'],
  },
  PHASED_DEPLOYMENT_COMPLETED: {
    id: 50122,
    severity: 'informational',
    type: 'milestone',
    component: 'phased-deployment',
    text: 'Phased deployment "%1" completed all %2 phases.',
    insertions: ['phasedDeployment', 'phases'],
  },
  // --- client versions (issue 9): 51300-51399 ---
  AGENT_VERSION_REGISTERED: {
    id: 51300,
    severity: 'informational',
    type: 'audit',
    component: 'client-versions',
    text: 'Agent version %1 registered by %2 (%3 packages, %4 bytes).',
    insertions: ['version', 'actor', 'packages', 'bytes'],
  },
  AGENT_VERSION_PROMOTED: {
    id: 51301,
    severity: 'informational',
    type: 'audit',
    component: 'client-versions',
    text: 'Pre-production client version %1 promoted to production by %2 (production was %3); production agents upgrade within %4 hours.',
    insertions: ['version', 'actor', 'previous', 'windowHours'],
  },
  AGENT_VERSION_SETTINGS_CHANGED: {
    id: 51302,
    severity: 'informational',
    type: 'audit',
    component: 'client-versions',
    text: 'Client version settings changed by %1: production %2, pre-production %3.',
    insertions: ['actor', 'production', 'preproduction'],
  },
  // --- client push over SSH (issue 9): 51000-51099 ---
  PUSH_JOB_STARTED: {
    id: 51000,
    severity: 'informational',
    type: 'milestone',
    component: 'client-push',
    text: 'Client push job %1 started by %2 with push account "%3": %4 targets.',
    insertions: ['jobId', 'user', 'account', 'targets'],
  },
  PUSH_TARGET_SUCCEEDED: {
    id: 51001,
    severity: 'informational',
    type: 'milestone',
    component: 'client-push',
    text: 'Client push installed the agent on "%1": it enrolled as device %2 and reported its inventory (attempt %3).',
    insertions: ['host', 'deviceId', 'attempt'],
  },
  PUSH_ATTEMPT_FAILED: {
    id: 51002,
    severity: 'warning',
    type: 'milestone',
    component: 'client-push',
    text: 'Client push attempt %2 on "%1" failed (%3): %4. Next attempt: %5.',
    insertions: ['host', 'attempt', 'errorCode', 'error', 'nextAttempt'],
  },
  PUSH_HOST_KEY_CHANGED: {
    id: 51003,
    severity: 'error',
    type: 'milestone',
    component: 'client-push',
    text: 'Client push refused "%1": it offered host key %3, not the key %2 recorded at first contact. If the machine was reinstalled, forget its key (steward push host-keys forget %1).',
    insertions: ['host', 'recorded', 'offered'],
  },
  PUSH_TARGET_SKIPPED: {
    id: 51004,
    severity: 'informational',
    type: 'detail',
    component: 'client-push',
    text: 'Client push skipped "%1": %2.',
    insertions: ['host', 'reason'],
  },
  PUSH_TARGET_GAVE_UP: {
    id: 51005,
    severity: 'error',
    type: 'milestone',
    component: 'client-push',
    text: 'Client push gave up on "%1" after %2 attempts (%3): %4.',
    insertions: ['host', 'attempts', 'errorCode', 'error'],
  },
  PUSH_AUTOMATIC_TARGETS_QUEUED: {
    id: 51700,
    severity: 'informational',
    type: 'milestone',
    component: 'client-push',
    text: 'Automatic site-wide push queued %1 discovered machines with no agent in job %2 (push account "%3"), %4.',
    insertions: ['targets', 'jobId', 'account', 'trigger'],
  },
  PUSH_AUTOMATIC_NO_ACCOUNT: {
    id: 51701,
    severity: 'warning',
    type: 'detail',
    component: 'client-push',
    text: 'Automatic site-wide push is on but has no usable push account (%1): %2 discovered machines with no agent were not pushed.',
    insertions: ['reason', 'machines'],
  },
  PUSH_AUTOMATIC_CHANGED: {
    id: 51702,
    severity: 'informational',
    type: 'audit',
    component: 'client-push',
    text: 'User %1 turned automatic site-wide push %2 (push account "%3").',
    insertions: ['user', 'state', 'account'],
  },
  PUSH_HOST_KEY_FORGOTTEN: {
    id: 51006,
    severity: 'informational',
    type: 'audit',
    component: 'client-push',
    text: 'User %2 forgot the host key of "%1"; the next contact records the key it offers.',
    insertions: ['host', 'user'],
  },
  // --- network discovery: site (511xx, ADR 0022) ---
  DISCOVERY_SWEEP_STARTED: {
    id: 51100,
    severity: 'informational',
    type: 'milestone',
    component: 'network-discovery',
    text: 'Network discovery sweep %1 started by %2 (%3): %4 addresses in %5.',
    insertions: ['sweep', 'actor', 'trigger', 'addresses', 'targets'],
  },
  DISCOVERY_SWEEP_COMPLETED: {
    id: 51101,
    severity: 'informational',
    type: 'milestone',
    component: 'network-discovery',
    text: 'Network discovery sweep %1 completed: %2 addresses probed, %3 machines found.',
    insertions: ['sweep', 'addresses', 'found'],
  },
  DISCOVERY_SWEEP_FAILED: {
    id: 51102,
    severity: 'error',
    type: 'milestone',
    component: 'network-discovery',
    text: 'Network discovery sweep %1 failed after %2 addresses: %3',
    insertions: ['sweep', 'addresses', 'reason'],
  },
  DISCOVERY_SWEEP_CANCELLED: {
    id: 51103,
    severity: 'warning',
    type: 'milestone',
    component: 'network-discovery',
    text: 'Network discovery sweep %1 was cancelled by %2 after %3 addresses (%4 machines found).',
    insertions: ['sweep', 'actor', 'addresses', 'found'],
  },
  // --- client check on the agent (issue 9; agent range 40200-40299) ---
  CLIENT_CHECK_PASSED: {
    id: 40200,
    severity: 'informational',
    type: 'milestone',
    component: 'client-check',
    text: 'Client check passed: all %1 checks passed (%2).',
    insertions: ['checks', 'trigger'],
  },
  CLIENT_CHECK_FAILED: {
    id: 40201,
    severity: 'error',
    type: 'milestone',
    component: 'client-check',
    text: 'Client check "%1" failed: %2',
    insertions: ['check', 'detail'],
  },
  CLIENT_CHECK_REMEDIATED: {
    id: 40202,
    severity: 'warning',
    type: 'milestone',
    component: 'client-check',
    text: 'Client check "%1" failed and was remediated: %2',
    insertions: ['check', 'detail'],
  },
  // --- client activity and obsolete clients (issue 9, ADR 0029): 51600-51649 ---
  CLIENT_ACTIVITY_PING_ANSWERED: {
    id: 51600,
    severity: 'informational',
    type: 'detail',
    component: 'client-activity',
    text: "Device %1 sent nothing within its activity thresholds but answered the site's push-channel ping; it stays active.",
    insertions: ['device'],
  },
  CLIENT_ACTIVITY_PROBE_ANSWERED: {
    id: 51601,
    severity: 'warning',
    type: 'milestone',
    component: 'client-activity',
    text: 'Device %1 is inactive: no signal within its thresholds and no push channel, although the machine answered the probe (%2); its agent is silent.',
    insertions: ['device', 'probe'],
  },
  CLIENT_ACTIVITY_NO_ANSWER: {
    id: 51602,
    severity: 'warning',
    type: 'milestone',
    component: 'client-activity',
    text: 'Device %1 is inactive: no signal within its thresholds, no push channel, and the probe reached nothing (%2).',
    insertions: ['device', 'probe'],
  },
  CLIENT_OBSOLETE: {
    id: 51603,
    severity: 'warning',
    type: 'milestone',
    component: 'client-activity',
    text: 'Device %1 is obsolete: no heartbeat since %2 (threshold %3 days).',
    insertions: ['device', 'lastHeartbeat', 'days'],
  },
  CLIENT_NO_LONGER_OBSOLETE: {
    id: 51604,
    severity: 'informational',
    type: 'milestone',
    component: 'client-activity',
    text: 'Device %1 reported again at %2 and is no longer obsolete.',
    insertions: ['device', 'at'],
  },
  CLIENT_OBSOLETE_REMOVED: {
    id: 51605,
    severity: 'informational',
    type: 'audit',
    component: 'client-activity',
    text: 'Obsolete device %1 (%2) was removed: no heartbeat since %3; its inventory, collection memberships, deployment states and client check results went with it.',
    insertions: ['device', 'deviceId', 'lastHeartbeat'],
  },
  CLIENT_ACTIVITY_CHECK_COMPLETED: {
    id: 51606,
    severity: 'informational',
    type: 'milestone',
    component: 'client-activity',
    text: 'Client activity check: %1 quiet devices checked (%2 answered the ping, %3 answered only the probe, %4 no answer); %5 marked obsolete, %6 removed.',
    insertions: ['checked', 'ping', 'probe', 'none', 'obsolete', 'removed'],
  },
  // --- agent self-upgrade (issue 9; agent range 40400-40449, ADR 0027) ---
  AGENT_UPGRADE_SCHEDULED: {
    id: 40400,
    severity: 'informational',
    type: 'milestone',
    component: 'client-upgrade',
    text: 'Agent upgrade from %1 to %2 (%3 rollout) scheduled for %4.',
    insertions: ['from', 'to', 'rollout', 'at'],
  },
  AGENT_UPGRADE_SUCCEEDED: {
    id: 40401,
    severity: 'informational',
    type: 'milestone',
    component: 'client-upgrade',
    text: 'Agent upgraded from %1 to %2; the new version reported in.',
    insertions: ['from', 'to'],
  },
  AGENT_UPGRADE_FAILED: {
    id: 40402,
    severity: 'error',
    type: 'milestone',
    component: 'client-upgrade',
    text: 'Agent upgrade from %1 to %2 failed before anything was replaced: %3',
    insertions: ['from', 'to', 'reason'],
  },
  AGENT_UPGRADE_ROLLED_BACK: {
    id: 40403,
    severity: 'error',
    type: 'milestone',
    component: 'client-upgrade',
    text: 'Agent upgrade from %1 to %2 was rolled back to %1: %3',
    insertions: ['from', 'to', 'reason'],
  },
  // --- agent upgrades through distribution points (issue 9, ADR 0042): 52020-52039 ---
  AGENT_UPGRADE_CONTENT_DOWNLOADED: {
    id: 52020,
    severity: 'informational',
    type: 'detail',
    component: 'client-upgrade',
    text: 'Agent upgrade package %1 of version %2 downloaded from %3 and verified against the signed policy.',
    insertions: ['file', 'version', 'source'],
  },
  AGENT_UPGRADE_CONTENT_REFUSED: {
    id: 52021,
    severity: 'error',
    type: 'milestone',
    component: 'client-upgrade',
    text: 'Agent upgrade package %1 of version %2 from distribution point %3 was refused and discarded: %4',
    insertions: ['file', 'version', 'dp', 'reason'],
  },
  AGENT_UPGRADE_CONTENT_UNAVAILABLE: {
    id: 52022,
    severity: 'warning',
    type: 'milestone',
    component: 'client-upgrade',
    text: 'No distribution point this client may use delivered agent upgrade package %1 of version %2: %3',
    insertions: ['file', 'version', 'reason'],
  },
  // --- software updates: catalog sync (issue 10, ADR 0039): 51900-51949 ---
  UPDATE_SYNC_COMPLETED: {
    id: 51900,
    severity: 'informational',
    type: 'milestone',
    component: 'update-catalog',
    text: 'Update source %1 synced (%2): %3 packages read, %4 new updates, %5 superseded; signed by %6.',
    insertions: ['source', 'suite', 'packages', 'added', 'superseded', 'key'],
  },
  UPDATE_SYNC_UNCHANGED: {
    id: 51901,
    severity: 'informational',
    type: 'milestone',
    component: 'update-catalog',
    text: 'Update source %1 (%2) is unchanged since its last sync: nothing read beyond its signed Release.',
    insertions: ['source', 'suite'],
  },
  UPDATE_SYNC_FAILED: {
    id: 51902,
    severity: 'error',
    type: 'milestone',
    component: 'update-catalog',
    text: 'Update source %1 (%2) failed to sync (%3): %4. The catalog keeps what the last good sync read.',
    insertions: ['source', 'suite', 'reason', 'detail'],
  },
  // --- advisories (issue 10, ADR 0048): 52150-52199 ---
  ADVISORY_IMPORT_COMPLETED: {
    id: 52150,
    severity: 'informational',
    type: 'milestone',
    component: 'update-catalog',
    text: 'Advisory import from %1 (%2) completed: %3 advisories, %4 CVEs, %5 fixes read; %6 updates newly marked as security fixes.',
    insertions: ['origin', 'format', 'advisories', 'cves', 'fixes', 'updates'],
  },
  ADVISORY_IMPORT_UNCHANGED: {
    id: 52151,
    severity: 'informational',
    type: 'milestone',
    component: 'update-catalog',
    text: 'Advisory feed %1 (%2) is unchanged since its last import; nothing was read again.',
    insertions: ['origin', 'format'],
  },
  ADVISORY_IMPORT_FAILED: {
    id: 52152,
    severity: 'error',
    type: 'milestone',
    component: 'update-catalog',
    text: 'Advisory feed %1 (%2) failed to import: %3. The catalog keeps what the last good import brought.',
    insertions: ['origin', 'format', 'detail'],
  },
  // --- update deployments, agent side (issue 10, ADR 0056): 40500-40549 ---
  UPDATE_INSTALL_STARTED: {
    id: 40500,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'Installing %2 approved package versions and custom updates for update deployment "%1" (the package versions in one apt transaction).',
    insertions: ['deployment', 'count'],
  },
  UPDATE_INSTALL_FAILED: {
    id: 40501,
    severity: 'error',
    type: 'milestone',
    component: 'update-agent',
    text: 'Update deployment "%1" failed (%2): %3',
    insertions: ['deployment', 'reason', 'detail'],
  },
  UPDATE_REHEARSAL_DONE: {
    id: 40502,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'Rehearsal of update deployment "%1": would install %2; would remove %3. Nothing was changed.',
    insertions: ['deployment', 'install', 'remove'],
  },
  UPDATE_NOTHING_REQUIRED: {
    id: 40503,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'Update deployment "%1": every deployed update is installed or not applicable here.',
    insertions: ['deployment'],
  },
  UPDATE_RESTART_COMMAND_FAILED: {
    id: 40504,
    severity: 'error',
    type: 'milestone',
    component: 'update-agent',
    text: 'The restart for update deployment "%1" failed: %2',
    insertions: ['deployment', 'detail'],
  },
  // --- update restarts, agent side (issue 10, ADR 0071): 40510-40529 ---
  UPDATE_RESTART_COUNTDOWN_STARTED: {
    id: 40510,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'Update deployment "%1": the user was told the machine restarts at %2 (snooze allowed until %3).',
    insertions: ['deployment', 'restartAt', 'mandatoryAt'],
  },
  UPDATE_RESTART_FINAL_COUNTDOWN: {
    id: 40511,
    severity: 'warning',
    type: 'milestone',
    component: 'update-agent',
    text: 'Update deployment "%1": final countdown, the machine restarts at %2 (no more snoozing).',
    insertions: ['deployment', 'restartAt'],
  },
  UPDATE_RESTART_VERIFIED: {
    id: 40512,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'Update deployment "%1": the machine restarted (%2) and no longer needs a restart.',
    insertions: ['deployment', 'evidence'],
  },
  UPDATE_RESTART_ACCEPTED_BY_USER: {
    id: 40513,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'Update deployment "%1": user %2 chose to restart now.',
    insertions: ['deployment', 'user'],
  },
  UPDATE_INSTALL_REMINDER: {
    id: 40514,
    severity: 'informational',
    type: 'detail',
    component: 'update-agent',
    text: 'Update deployment "%1": the user was reminded that it installs at %2.',
    insertions: ['deployment', 'deadline'],
  },
  // --- task sequences (issue 11, ADR 0070): engine 40600-40699, site 52400-52449 ---
  TASK_SEQUENCE_STARTED: {
    id: 40600,
    severity: 'informational',
    type: 'milestone',
    component: 'task-sequence-engine',
    text: 'Task sequence "%1" version %2 started: %3 steps.',
    insertions: ['sequence', 'version', 'steps'],
  },
  TASK_SEQUENCE_STEP_STARTED: {
    id: 40601,
    severity: 'informational',
    type: 'detail',
    component: 'task-sequence-engine',
    text: 'Task sequence "%1": step %2 of %3 "%4" (%5) started.',
    insertions: ['sequence', 'number', 'steps', 'step', 'kind'],
  },
  TASK_SEQUENCE_STEP_SUCCEEDED: {
    id: 40602,
    severity: 'informational',
    type: 'detail',
    component: 'task-sequence-engine',
    text: 'Task sequence "%1": step %2 of %3 "%4" succeeded.',
    insertions: ['sequence', 'number', 'steps', 'step'],
  },
  TASK_SEQUENCE_STEP_FAILED: {
    id: 40603,
    severity: 'error',
    type: 'detail',
    component: 'task-sequence-engine',
    text: 'Task sequence "%1": step %2 of %3 "%4" failed (exit code %5): %6. Output tail: %7',
    insertions: ['sequence', 'number', 'steps', 'step', 'exitCode', 'reason', 'outputTail'],
  },
  TASK_SEQUENCE_STEP_SKIPPED: {
    id: 40604,
    severity: 'informational',
    type: 'detail',
    component: 'task-sequence-engine',
    text: 'Task sequence "%1": step %2 of %3 "%4" skipped: %5.',
    insertions: ['sequence', 'number', 'steps', 'step', 'reason'],
  },
  TASK_SEQUENCE_RESTARTING: {
    id: 40605,
    severity: 'informational',
    type: 'milestone',
    component: 'task-sequence-engine',
    text: 'Task sequence "%1": step %2 "%3" restarts the computer; the sequence resumes at step %4 afterwards.',
    insertions: ['sequence', 'number', 'step', 'next'],
  },
  TASK_SEQUENCE_RESUMED: {
    id: 40606,
    severity: 'informational',
    type: 'milestone',
    component: 'task-sequence-engine',
    text: 'Task sequence "%1" resumed at step %2 of %3 after a restart.',
    insertions: ['sequence', 'number', 'steps'],
  },
  TASK_SEQUENCE_SUCCEEDED: {
    id: 40607,
    severity: 'informational',
    type: 'milestone',
    component: 'task-sequence-engine',
    text: 'Task sequence "%1" version %2 succeeded (%3 steps run, %4 skipped, %5 failures continued).',
    insertions: ['sequence', 'version', 'run', 'skipped', 'continued'],
  },
  TASK_SEQUENCE_FAILED: {
    id: 40608,
    severity: 'error',
    type: 'milestone',
    component: 'task-sequence-engine',
    text: 'Task sequence "%1" version %2 failed at step %3 "%4"; the steps after it were not run.',
    insertions: ['sequence', 'version', 'number', 'step'],
  },
  // Agent-side task-sequence deployments (ADR 0084): 40609-40619.
  TASK_SEQUENCE_DEPLOYMENT_RECEIVED: {
    id: 40609,
    severity: 'informational',
    type: 'detail',
    component: 'task-sequence-agent',
    text: 'Task-sequence deployment "%1" (%2, sequence "%3" version %4) received; deadline %5.',
    insertions: ['deployment', 'purpose', 'sequence', 'version', 'deadline'],
  },
  TASK_SEQUENCE_WAITING_FOR_WINDOW: {
    id: 40610,
    severity: 'informational',
    type: 'detail',
    component: 'task-sequence-agent',
    text: 'Task-sequence deployment "%1" is due but waits for a maintenance window; next start %2.',
    insertions: ['deployment', 'next'],
  },
  TASK_SEQUENCE_RUN_REQUESTED: {
    id: 40611,
    severity: 'informational',
    type: 'milestone',
    component: 'task-sequence-agent',
    text: 'User %2 started task-sequence deployment "%1" from the Software Center.',
    insertions: ['deployment', 'user'],
  },
  // Helper osdsteps (issue 11): 40612-40619.
  TASK_SEQUENCE_PRIMARY_USERS: {
    id: 40612,
    severity: 'informational',
    type: 'milestone',
    component: 'task-sequence-agent',
    text: 'Task sequence "%1" named the primary users of this device: %2.',
    insertions: ['sequence', 'users'],
  },
  // Helper upd10 (issue 10, restarts and download states): 40630-40649.
  UPDATE_RESTART_DETECTED: {
    id: 40630,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'After installing update deployment "%1": reboot needed: %2; services to restart: %3 (read from %4).',
    insertions: ['deployment', 'reboot', 'services', 'source'],
  },
  UPDATE_RESTART_PREDICTED: {
    id: 40631,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'Rehearsal of update deployment "%1": a reboot would follow: %2 (asked by %3); services that would restart: %4.',
    insertions: ['deployment', 'reboot', 'packages', 'services'],
  },
  TASK_SEQUENCE_SAVED: {
    id: 52400,
    severity: 'informational',
    type: 'audit',
    component: 'task-sequences',
    text: 'User %1 saved task sequence "%2" as version %3.',
    insertions: ['user', 'sequence', 'version'],
  },
  TASK_SEQUENCE_DELETED: {
    id: 52401,
    severity: 'informational',
    type: 'audit',
    component: 'task-sequences',
    text: 'User %1 deleted task sequence "%2".',
    insertions: ['user', 'sequence'],
  },
  // --- task-sequence deployments (issue 11, ADR 0076): site 52520-52549 ---
  TASK_SEQUENCE_DEPLOYMENT_CREATED: {
    id: 52520,
    severity: 'informational',
    type: 'audit',
    component: 'task-sequences',
    text: 'User %1 deployed task sequence "%2" version %3 to collection "%4" as %5.',
    insertions: ['user', 'sequence', 'version', 'collection', 'purpose'],
  },
  TASK_SEQUENCE_DEPLOYMENT_CHANGED: {
    id: 52521,
    severity: 'informational',
    type: 'audit',
    component: 'task-sequences',
    text: 'User %1 changed task-sequence deployment "%2" (%3).',
    insertions: ['user', 'deployment', 'fields'],
  },
  TASK_SEQUENCE_DEPLOYMENT_DELETED: {
    id: 52522,
    severity: 'informational',
    type: 'audit',
    component: 'task-sequences',
    text: 'User %1 deleted task-sequence deployment "%2".',
    insertions: ['user', 'deployment'],
  },
  TASK_SEQUENCE_PXE_DECIDED: {
    id: 52523,
    severity: 'informational',
    type: 'detail',
    component: 'task-sequences',
    text: 'PXE: machine %1 (%2) is offered boot image "%3" for task-sequence deployment "%4" (%5).',
    insertions: ['machine', 'kind', 'bootImage', 'deployment', 'purpose'],
  },
  // --- task-sequence media (issue 11, ADR 0089): site 52570-52579 ---
  MEDIA_BUILT: {
    id: 52570,
    severity: 'informational',
    type: 'milestone',
    component: 'media-builder',
    text: 'Task-sequence media "%1" (%2) were built from boot image %3: %4 bytes, in %5 s.',
    insertions: ['media', 'kind', 'bootImage', 'size', 'seconds'],
  },
  MEDIA_BUILD_FAILED: {
    id: 52571,
    severity: 'error',
    type: 'milestone',
    component: 'media-builder',
    text: 'Task-sequence media "%1" (%2) failed to build: %3',
    insertions: ['media', 'kind', 'reason'],
  },
  // --- default OS images built by the site (issue 11, ADR 0093): 52620-52629 ---
  OS_IMAGE_BUILT: {
    id: 52620,
    severity: 'informational',
    type: 'milestone',
    component: 'os-image-builder',
    text: 'OS image %1 version %2 was built by debootstrap of %3 (%4) from %5 in %6 s (%7).',
    insertions: ['name', 'version', 'release', 'arch', 'mirror', 'seconds', 'origin'],
  },
  OS_IMAGE_BUILD_FAILED: {
    id: 52621,
    severity: 'error',
    type: 'milestone',
    component: 'os-image-builder',
    text: 'OS image %1 (debootstrap of %2, %3) failed to build: %4',
    insertions: ['name', 'release', 'arch', 'reason'],
  },
  // --- automatic deployment rules and rollups (issue 10, ADR 0072): 52500-52519 ---
  UPDATE_RULE_RUN_SUCCEEDED: {
    id: 52500,
    severity: 'informational',
    type: 'milestone',
    component: 'update-rules',
    text: 'Automatic deployment rule "%1" ran (%2): %3 updates matched, %4 added to update group "%5", deployed to %6 collections.',
    insertions: ['rule', 'trigger', 'matched', 'added', 'group', 'collections'],
  },
  UPDATE_RULE_RUN_NOTHING_NEW: {
    id: 52501,
    severity: 'informational',
    type: 'milestone',
    component: 'update-rules',
    text: 'Automatic deployment rule "%1" ran (%2): %3 updates matched, none new; nothing was deployed.',
    insertions: ['rule', 'trigger', 'matched'],
  },
  UPDATE_RULE_RUN_FAILED: {
    id: 52502,
    severity: 'error',
    type: 'milestone',
    component: 'update-rules',
    text: 'Automatic deployment rule "%1" failed (%2): %3',
    insertions: ['rule', 'trigger', 'reason'],
  },
  UPDATE_ROLLUP_REFRESHED: {
    id: 52510,
    severity: 'informational',
    type: 'milestone',
    component: 'update-rules',
    text: 'Rollup of %1 (%2) refreshed: %3 updates (%4 added, %5 removed) in update group "%6".',
    insertions: ['source', 'suite', 'updates', 'added', 'removed', 'group'],
  },
  // --- boot images, unknown and imported computers (issue 11, ADR 0065): 52450-52479 ---
  BOOT_IMAGE_BUILT: {
    id: 52450,
    severity: 'informational',
    type: 'milestone',
    component: 'boot-image-builder',
    text: 'Boot image %1 version %2 (%3) was built: kernel %4 bytes, initramfs %5 bytes, in %6 s.',
    insertions: ['name', 'version', 'arch', 'kernelSize', 'initrdSize', 'seconds'],
  },
  BOOT_IMAGE_BUILD_FAILED: {
    id: 52451,
    severity: 'error',
    type: 'milestone',
    component: 'boot-image-builder',
    text: 'Boot image %1 version %2 (%3) failed to build: %4',
    insertions: ['name', 'version', 'arch', 'reason'],
  },
  UNKNOWN_COMPUTER_REGISTERED: {
    id: 52452,
    severity: 'informational',
    type: 'milestone',
    component: 'boot-environment',
    text: 'Unknown computer with SMBIOS UUID %1 and MAC %2 started boot image %3 and was registered.',
    insertions: ['smbiosUuid', 'mac', 'bootImage'],
  },
  IMPORTED_COMPUTER_MATCHED: {
    id: 52453,
    severity: 'informational',
    type: 'milestone',
    component: 'boot-environment',
    text: 'Imported computer %1 was matched by its %2 when it started boot image %3.',
    insertions: ['name', 'matchedBy', 'bootImage'],
  },
  // OS images as site content (ADR 0085).
  OS_IMAGE_RECORDED: {
    id: 52454,
    severity: 'informational',
    type: 'milestone',
    component: 'boot-image-builder',
    text: 'OS image %1 version %2 (%3, %4) was recorded from %5 by %6: %7 archive bytes.',
    insertions: ['name', 'version', 'os', 'arch', 'source', 'by', 'archiveBytes'],
  },
  // --- PXE on distribution points and boot image builds (issue 11, ADR 0079): 52480-52499 ---
  BOOT_IMAGE_BUILD_INTERRUPTED: {
    id: 52480,
    severity: 'error',
    type: 'milestone',
    component: 'boot-image-builder',
    text: 'Boot image %1 version %2 (%3) was interrupted: %4. Start the build again.',
    insertions: ['name', 'version', 'arch', 'reason'],
  },
  DP_PXE_SETTINGS_CHANGED: {
    id: 52481,
    severity: 'informational',
    type: 'audit',
    component: 'distribution-manager',
    text: 'User %1 changed the PXE settings of distribution point %2: PXE %3, %4.',
    insertions: ['user', 'dp', 'state', 'changes'],
  },
  // --- multicast from distribution points (issue 11, ADR 0088): 52560-52569 ---
  DP_MULTICAST_SETTINGS_CHANGED: {
    id: 52560,
    severity: 'informational',
    type: 'audit',
    component: 'distribution-manager',
    text: 'User %1 changed the multicast settings of distribution point %2: multicast %3, %4.',
    insertions: ['user', 'dp', 'state', 'changes'],
  },
  DP_MULTICAST_SESSION_ENDED: {
    id: 52561,
    severity: 'informational',
    type: 'milestone',
    component: 'distribution-manager',
    text: 'Multicast session %1 of distribution point %2 %3: file %4 to %5 clients, %6 bytes sent. %7',
    insertions: ['session', 'dp', 'state', 'file', 'clients', 'bytesSent', 'detail'],
  },
  // --- the boot environment (issue 11, ADR 0065): 40700-40729 ---
  BOOT_ENV_STARTED: {
    id: 40700,
    severity: 'informational',
    type: 'milestone',
    component: 'boot-environment',
    text: 'The boot environment of boot image %1 started on %2 (%3, network %4).',
    insertions: ['bootImage', 'computer', 'firmware', 'addresses'],
  },
  BOOT_ENV_NO_TASK_SEQUENCE: {
    id: 40701,
    severity: 'informational',
    type: 'milestone',
    component: 'boot-environment',
    text: 'No task sequence is deployed to %1; the boot environment ends.',
    insertions: ['computer'],
  },
  BOOT_ENV_TASK_SEQUENCE_OFFERED: {
    id: 40702,
    severity: 'informational',
    type: 'milestone',
    component: 'boot-environment',
    text: 'Task sequence %1 is deployed to %2; the task-sequence engine is not in this boot image yet.',
    insertions: ['taskSequence', 'computer'],
  },
} as const satisfies Record<string, StatusMessageDefinition>;

/** A status message's name in `StatusMessages` (what server and agent code raise). */
export type StatusMessageName = keyof typeof StatusMessages;
/** Every catalogued status message id, as a literal union. */
export type StatusMessageId = (typeof StatusMessages)[StatusMessageName]['id'];
/** The names of a message's insertion strings, e.g. `'package' | 'dp'` for `DISTRIBUTED_TO_DP`. */
export type InsertionName<K extends StatusMessageName> =
  (typeof StatusMessages)[K]['insertions'][number];
type StringsFor<T extends readonly string[]> = { readonly [I in keyof T]: string };
/**
 * A message's insertion strings: a tuple as long as its declared `insertions` (for a union of
 * names, one of their tuples).
 */
export type InsertionStrings<K extends StatusMessageName> = K extends StatusMessageName
  ? StringsFor<(typeof StatusMessages)[K]['insertions']>
  : never;

/** The catalog as a list, in declaration order (the `GET /status-messages/catalog` answer). */
export const STATUS_CATALOG: readonly CatalogEntry[] = Object.values(StatusMessages).map(
  ({ id, severity, type, component, text }) => ({ id, severity, type, component, text }),
);

/**
 * Orders named insertion values as the catalog declares them (%1..%n), so a caller names each
 * value instead of remembering its position; a missing or unknown name is a compile error.
 */
export function insertionStrings<K extends StatusMessageName>(
  message: K,
  values: Readonly<Record<InsertionName<K>, string>>,
): InsertionStrings<K> {
  const named: Readonly<Record<string, string>> = values;
  const declared: readonly string[] = StatusMessages[message].insertions;
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a mapped tuple type cannot be built element by element; the map keeps the declared length and order
  return declared.map((name) => named[name] ?? '') as unknown as InsertionStrings<K>;
}

const byId = new Map(STATUS_CATALOG.map((e) => [e.id, e]));

export function catalogEntry(id: number): CatalogEntry | undefined {
  return byId.get(id);
}

/** Renders a message text with its insertion strings (%1..%10); unknown ids render generically. */
export function renderStatusMessage(id: number, insertionStrings: readonly string[]): string {
  const entry = byId.get(id);
  const template = entry?.text ?? `Status message ${id}: %1 %2 %3`;
  return template
    .replace(/%(10|[1-9])/g, (_, n: string) => insertionStrings[Number(n) - 1] ?? '')
    .trim();
}

export const StatusMessageBody = Type.Object(
  {
    messageId: Type.Integer({ minimum: 1, maximum: MAX_MESSAGE_ID }),
    severity: Severity,
    type: MessageType,
    component: Type.String({ minLength: 1, maxLength: 64 }),
    /** ISO 8601 UTC time at which the message was raised on the machine. */
    at: Type.String({ format: 'date-time' }),
    insertionStrings: Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 10 }),
    attributes: Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);
export type StatusMessageBody = Static<typeof StatusMessageBody>;
