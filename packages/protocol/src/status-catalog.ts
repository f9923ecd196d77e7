import { Type, type Static } from '@sinclair/typebox';
import { MAX_MESSAGE_ID } from './paging.js';

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

/**
 * Ids from the seeds keep their numbers (2330, 2342, 3531-3533, 10002-10009, 11250-11270);
 * Steward's own: 40000-40999 agent, 50000-50999 site server. Later capabilities add entries;
 * ids are never reused.
 */
export const STATUS_CATALOG: readonly CatalogEntry[] = [
  // --- seed ids: content (distribution manager, sender) ---
  {
    id: 2330,
    severity: 'informational',
    type: 'milestone',
    component: 'distribution-manager',
    text: 'Distribution manager successfully distributed package "%1" to distribution point "%2".',
  },
  {
    id: 2342,
    severity: 'informational',
    type: 'milestone',
    component: 'distribution-manager',
    text: 'Distribution manager is starting to distribute package "%1" to distribution point "%2".',
  },
  {
    id: 3531,
    severity: 'informational',
    type: 'detail',
    component: 'sender',
    text: 'Sender is sending package "%1" to site "%2".',
  },
  {
    id: 3532,
    severity: 'error',
    type: 'milestone',
    component: 'sender',
    text: 'Sender could not send package "%1" to site "%2": %3',
  },
  {
    id: 3533,
    severity: 'informational',
    type: 'milestone',
    component: 'sender',
    text: 'Sender sent package "%1" to site "%2".',
  },
  // --- seed ids: deployments (advertisements) ---
  {
    id: 10002,
    severity: 'informational',
    type: 'milestone',
    component: 'deployment-agent',
    text: 'Program "%2" of package "%1" was received for deployment "%3".',
  },
  {
    id: 10005,
    severity: 'informational',
    type: 'milestone',
    component: 'deployment-agent',
    text: 'Program "%2" of package "%1" started for deployment "%3".',
  },
  {
    id: 10006,
    severity: 'error',
    type: 'milestone',
    component: 'deployment-agent',
    text: 'Program "%2" of package "%1" failed for deployment "%3" with exit code %4.',
  },
  {
    id: 10008,
    severity: 'informational',
    type: 'milestone',
    component: 'deployment-agent',
    text: 'Program "%2" of package "%1" completed successfully for deployment "%3".',
  },
  {
    id: 10009,
    severity: 'warning',
    type: 'milestone',
    component: 'deployment-agent',
    text: 'Program "%2" of package "%1" completed for deployment "%3"; a restart is required.',
  },
  // --- seed ids: software update installation ---
  {
    id: 11250,
    severity: 'warning',
    type: 'milestone',
    component: 'update-agent',
    text: 'No install window for deployment "%1": fast start not possible.',
  },
  {
    id: 11251,
    severity: 'warning',
    type: 'milestone',
    component: 'update-agent',
    text: 'No install window for deployment "%1": late start not possible.',
  },
  {
    id: 11252,
    severity: 'warning',
    type: 'milestone',
    component: 'update-agent',
    text: 'No install window for deployment "%1": the deployment has expired.',
  },
  {
    id: 11253,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'The user rescheduled the installation of deployment "%1" to %2.',
  },
  {
    id: 11254,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'The user postponed the installation of deployment "%1".',
  },
  {
    id: 11255,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'The installation of deployment "%1" was postponed automatically.',
  },
  {
    id: 11256,
    severity: 'warning',
    type: 'milestone',
    component: 'update-agent',
    text: 'Deployment "%1" was installed; a restart is required.',
  },
  {
    id: 11257,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'Deployment "%1" was installed; restart suppressed (workstation role).',
  },
  {
    id: 11258,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'Deployment "%1" was installed; restart suppressed (server role).',
  },
  {
    id: 11259,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'Deployment "%1" was installed; no restart was needed.',
  },
  {
    id: 11260,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'The restart for deployment "%1" was rescheduled to %2.',
  },
  {
    id: 11261,
    severity: 'informational',
    type: 'milestone',
    component: 'update-agent',
    text: 'The restart for deployment "%1" was postponed by the user.',
  },
  {
    id: 11262,
    severity: 'warning',
    type: 'milestone',
    component: 'update-agent',
    text: 'A mandatory restart for deployment "%1" is pending.',
  },
  {
    id: 11270,
    severity: 'warning',
    type: 'milestone',
    component: 'update-agent',
    text: 'A mandatory restart for deployment "%1" was forced.',
  },
  // --- Steward agent: 40000-40999 ---
  {
    id: 40001,
    severity: 'informational',
    type: 'milestone',
    component: 'agent',
    text: 'Steward agent %1 started on %2.',
  },
  {
    id: 40002,
    severity: 'informational',
    type: 'milestone',
    component: 'agent',
    text: 'Steward agent is stopping (%1).',
  },
  {
    id: 40003,
    severity: 'informational',
    type: 'milestone',
    component: 'agent',
    text: 'The agent enrolled in site %1 as device %2.',
  },
  {
    id: 40010,
    severity: 'informational',
    type: 'detail',
    component: 'policy-agent',
    text: 'Policy version %1 received and applied.',
  },
  {
    id: 40011,
    severity: 'error',
    type: 'milestone',
    component: 'policy-agent',
    text: 'Policy refused: %1',
  },
  {
    id: 40012,
    severity: 'error',
    type: 'milestone',
    component: 'policy-agent',
    text: 'Policy version %1 refused: it is older than the applied version %2 (a replayed or rolled-back policy); version %2 is kept.',
  },
  {
    id: 40020,
    severity: 'informational',
    type: 'milestone',
    component: 'inventory-agent',
    text: 'Hardware and software inventory collected (%1 report, %2 classes changed, %3 packages).',
  },
  {
    id: 40021,
    severity: 'error',
    type: 'milestone',
    component: 'inventory-agent',
    text: 'Inventory collector "%1" failed: %2',
  },
  {
    id: 40022,
    severity: 'informational',
    type: 'milestone',
    component: 'inventory-agent',
    text: 'Software file scan found %1 executable files under %2.',
  },
  {
    id: 40023,
    severity: 'warning',
    type: 'milestone',
    component: 'inventory-agent',
    text: 'Custom inventory class "%1" could not be collected: %2',
  },
  {
    id: 40024,
    severity: 'informational',
    type: 'milestone',
    component: 'inventory-agent',
    text: 'Full inventory resynchronisation requested by the site: %1',
  },
  {
    id: 40030,
    severity: 'informational',
    type: 'audit',
    component: 'push-channel',
    text: 'Request "%1" received from the site through the push channel.',
  },
  {
    id: 40031,
    severity: 'informational',
    type: 'milestone',
    component: 'push-channel',
    text: 'Request "%1" completed.',
  },
  {
    id: 40040,
    severity: 'warning',
    type: 'milestone',
    component: 'outbox',
    text: 'The outbox is full: %1 detail messages were dropped to keep milestones.',
  },
  {
    id: 40041,
    severity: 'error',
    type: 'milestone',
    component: 'outbox',
    text: 'Report item %1 (%2) was refused by the site (%3: %4); it was moved to the dead-letter file and reporting goes on.',
  },
  {
    id: 40050,
    severity: 'warning',
    type: 'detail',
    component: 'agent',
    text: 'The site server was unreachable for %1 seconds; reports were kept in the outbox.',
  },
  // --- Steward site server: 50000-50999 ---
  {
    id: 50001,
    severity: 'informational',
    type: 'milestone',
    component: 'site-server',
    text: 'Site server started with roles %1 (process %2).',
  },
  {
    id: 50010,
    severity: 'informational',
    type: 'audit',
    component: 'enrolment',
    text: 'Device "%1" enrolled with token "%2".',
  },
  {
    id: 50011,
    severity: 'warning',
    type: 'audit',
    component: 'enrolment',
    text: 'Device "%1" was revoked by %2.',
  },
  {
    id: 50012,
    severity: 'warning',
    type: 'milestone',
    component: 'enrolment',
    text: 'Enrolment of "%1" from %3 refused: %2 (further refusals from %3 within %4 seconds are counted in message 50013, not recorded one by one).',
  },
  {
    id: 50013,
    severity: 'warning',
    type: 'milestone',
    component: 'enrolment',
    text: '%1 more enrolments from %2 addresses were refused in the last %3 seconds (most from %4: %5). They were counted, not recorded one by one: only the first refusal from an address, and at most %6 in all, get their own message per interval.',
  },
  {
    id: 50020,
    severity: 'informational',
    type: 'detail',
    component: 'collection-evaluator',
    text: 'Collection "%1" evaluated: %2 members, %3 added, %4 removed.',
  },
  {
    id: 50021,
    severity: 'error',
    type: 'milestone',
    component: 'collection-evaluator',
    text: 'Collection "%1" could not be evaluated: %2',
  },
  {
    id: 50030,
    severity: 'warning',
    type: 'detail',
    component: 'inventory-processor',
    text: 'Inventory from device "%1" did not apply (%2); a full resynchronisation was requested.',
  },
  {
    id: 50040,
    severity: 'informational',
    type: 'audit',
    component: 'push-channel',
    text: 'Request "%1" sent to device "%2" by %3.',
  },
  {
    id: 50041,
    severity: 'informational',
    type: 'audit',
    component: 'push-channel',
    text: 'Request "%1" sent to the %2 devices of collection "%3" by %4 (%5 connected now).',
  },
  // --- software distribution: agent (401xx) ---
  {
    id: 40100,
    severity: 'informational',
    type: 'detail',
    component: 'content-transfer',
    text: 'Downloading content of package "%1" (%2 bytes) from distribution point "%3".',
  },
  {
    id: 40101,
    severity: 'informational',
    type: 'milestone',
    component: 'content-transfer',
    text: 'Content of package "%1" downloaded and verified (%2 bytes).',
  },
  {
    id: 40102,
    severity: 'warning',
    type: 'milestone',
    component: 'content-transfer',
    text: 'Could not download content of package "%1" from distribution point "%2": %3',
  },
  {
    id: 40103,
    severity: 'error',
    type: 'milestone',
    component: 'content-transfer',
    text: 'File "%2" of package "%1" failed hash verification and was discarded; it will not be run.',
  },
  {
    id: 40104,
    severity: 'warning',
    type: 'milestone',
    component: 'content-transfer',
    text: 'No distribution point with content of package "%1" is available to this client: %2',
  },
  {
    id: 40110,
    severity: 'informational',
    type: 'milestone',
    component: 'deployment-agent',
    text: 'Deployment "%1" waits for a maintenance window long enough for %2 minutes (next: %3).',
  },
  {
    id: 40111,
    severity: 'warning',
    type: 'milestone',
    component: 'deployment-agent',
    text: 'Program "%2" of deployment "%1" does not run on this device: %3',
  },
  {
    id: 40112,
    severity: 'warning',
    type: 'milestone',
    component: 'deployment-agent',
    text: 'Program "%2" of deployment "%1" was stopped: %3',
  },
  {
    id: 40113,
    severity: 'informational',
    type: 'audit',
    component: 'software-center',
    text: 'User %2 requested installation of deployment "%1" from the Software Center.',
  },
  {
    id: 40114,
    severity: 'informational',
    type: 'audit',
    component: 'software-center',
    text: 'User %2 postponed required deployment "%1" until %3.',
  },
  // --- software distribution: site (501xx) ---
  {
    id: 50100,
    severity: 'informational',
    type: 'milestone',
    component: 'distribution-manager',
    text: 'Distribution point "%1" registered from %2.',
  },
  {
    id: 50101,
    severity: 'error',
    type: 'milestone',
    component: 'distribution-manager',
    text: 'Distribution point "%2" could not install package "%1": %3',
  },
  {
    id: 50102,
    severity: 'informational',
    type: 'milestone',
    component: 'distribution-manager',
    text: 'Distribution point "%2" validated package "%1": %3',
  },
  {
    id: 50110,
    severity: 'informational',
    type: 'audit',
    component: 'software-library',
    text: 'Package "%1" version %2 created by %3 (%4 files, %5 bytes, %6 new to the library).',
  },
  {
    id: 50111,
    severity: 'warning',
    type: 'audit',
    component: 'software-library',
    text: 'Program "%2" of package "%1" was %3 by %4.',
  },
  {
    id: 50120,
    severity: 'informational',
    type: 'milestone',
    component: 'phased-deployment',
    text: 'Phased deployment "%1" started phase %2 (collection "%3").',
  },
  {
    id: 50121,
    severity: 'error',
    type: 'milestone',
    component: 'phased-deployment',
    text: 'Phased deployment "%1" halted in phase %2: %3',
  },
  {
    id: 50122,
    severity: 'informational',
    type: 'milestone',
    component: 'phased-deployment',
    text: 'Phased deployment "%1" completed all %2 phases.',
  },
];

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
