import { type Static, Type } from '@sinclair/typebox';
import {
  booleanSetting,
  durationSetting,
  integerSetting,
  settingsProperties,
  settingsValueProperties,
  textSetting,
} from '../common/settings.js';
import { Sha256 } from '../common/schemas.js';

/** An IPv4 multicast address (224.0.0.0/4), as udp-sender's rendezvous/data address. */
const MULTICAST_IPV4 = '^2(2[4-9]|3[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}$';

/**
 * A distribution point's multicast settings (issue 11, ADR 0088), declared once (ADR 0016):
 * the API, `steward dp multicast set` flags and the console's DP section come from here. The DP
 * process gets them with its assignments and runs Debian's `udp-sender` per session.
 */
export const DpMulticastSettingsOptions = {
  enabled: booleanSetting({
    label: 'Enable multicast',
    help: 'Offer multicast sessions (udpcast) for content files to clients that ask',
    default: false,
    flag: {
      kind: 'switch',
      name: 'multicast',
      on: true,
      off: false,
      onHelp: 'offer multicast sessions',
      offHelp: 'clients download by unicast HTTP only',
    },
  }),
  addressFirst: textSetting({
    label: 'First multicast address',
    help: 'First IPv4 multicast address a session may use (239.0.0.0/8 is for local use)',
    rule: 'An IPv4 multicast address (224.0.0.0 to 239.255.255.255)',
    maxLength: 15,
    pattern: MULTICAST_IPV4,
    default: '239.255.42.1',
    flag: { kind: 'value', name: 'address-first', placeholder: '<ipv4>' },
  }),
  addressLast: textSetting({
    label: 'Last multicast address',
    help: 'Last IPv4 multicast address a session may use (one address per concurrent session)',
    rule: 'An IPv4 multicast address (224.0.0.0 to 239.255.255.255)',
    maxLength: 15,
    pattern: MULTICAST_IPV4,
    default: '239.255.42.254',
    flag: { kind: 'value', name: 'address-last', placeholder: '<ipv4>' },
  }),
  portFirst: integerSetting({
    label: 'First UDP port',
    help: 'First UDP port base of a session (udpcast uses the port base and the next one)',
    unit: '',
    minimum: 1024,
    maximum: 65534,
    default: 9000,
    flag: { kind: 'value', name: 'port-first', placeholder: '<port>' },
  }),
  portLast: integerSetting({
    label: 'Last UDP port',
    help: 'Last UDP port base a session may use',
    unit: '',
    minimum: 1024,
    maximum: 65534,
    default: 9998,
    flag: { kind: 'value', name: 'port-last', placeholder: '<port>' },
  }),
  minClients: integerSetting({
    label: 'Minimum clients',
    help: 'A session starts sending as soon as this many clients have joined',
    unit: 'clients',
    minimum: 1,
    maximum: 1000,
    default: 3,
    flag: { kind: 'value', name: 'min-clients', placeholder: '<n>' },
  }),
  startTimeoutSeconds: durationSetting({
    label: 'Start timeout',
    help: 'Longest wait for the minimum clients after the first joined; then the session starts with those it has',
    unit: 'seconds',
    minimum: 1,
    maximum: 3600,
    default: 60,
    flag: { kind: 'value', name: 'start-timeout', placeholder: '<seconds>' },
  }),
  maxRateMbps: integerSetting({
    label: 'Maximum rate',
    help: 'Cap of a session’s sending rate in Mbit/s (0: no cap)',
    unit: 'Mbit/s',
    minimum: 0,
    maximum: 100_000,
    default: 0,
    flag: { kind: 'value', name: 'max-rate', placeholder: '<mbps>' },
  }),
};

/** A DP's multicast settings as the site keeps them. */
export const DpMulticast = Type.Object({
  dpId: Type.String(),
  ...settingsValueProperties(DpMulticastSettingsOptions),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});
export type DpMulticast = Static<typeof DpMulticast>;

/** PATCH: the fields given change. */
export const UpdateDpMulticastRequest = Type.Object(
  { ...settingsProperties(DpMulticastSettingsOptions) },
  { additionalProperties: false },
);
export type UpdateDpMulticastRequest = Static<typeof UpdateDpMulticastRequest>;

/** What the site sends a DP with its assignments. */
export const DpMulticastAssigned = Type.Object({
  ...settingsValueProperties(DpMulticastSettingsOptions),
});
export type DpMulticastAssigned = Static<typeof DpMulticastAssigned>;

export const MulticastSessionState = Type.Union([
  /** udp-sender runs and waits for the minimum clients (or the start timeout). */
  Type.Literal('waiting'),
  Type.Literal('sending'),
  Type.Literal('finished'),
  Type.Literal('failed'),
]);
export type MulticastSessionState = Static<typeof MulticastSessionState>;

/** One multicast session of a DP: one file to every client that joined before it started. */
export const MulticastSession = Type.Object(
  {
    id: Type.String({ pattern: '^[0-9a-f]{16,32}$' }),
    sha256: Sha256,
    fileBytes: Type.Integer({ minimum: 0 }),
    address: Type.String({ maxLength: 15 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    state: MulticastSessionState,
    /** Clients that joined on the DP. */
    clients: Type.Integer({ minimum: 0 }),
    /** Receivers udp-sender saw connect. */
    receivers: Type.Integer({ minimum: 0 }),
    /** Payload bytes udp-sender put on the wire: the file once plus retransmitted blocks. */
    bytesSent: Type.Integer({ minimum: 0 }),
    createdAt: Type.String({ maxLength: 40 }),
    startedAt: Type.Union([Type.String({ maxLength: 40 }), Type.Null()]),
    endedAt: Type.Union([Type.String({ maxLength: 40 }), Type.Null()]),
    detail: Type.String({ maxLength: 500 }),
  },
  { additionalProperties: false },
);
export type MulticastSession = Static<typeof MulticastSession>;

/** What a DP reports: its current sessions and those ended since the last report. */
export const DpMulticastReport = Type.Object(
  { sessions: Type.Array(MulticastSession, { maxItems: 200 }) },
  { additionalProperties: false },
);
export type DpMulticastReport = Static<typeof DpMulticastReport>;

export const DpMulticastSessions = Type.Object({
  dpId: Type.String(),
  items: Type.Array(Type.Composite([MulticastSession, Type.Object({ dpId: Type.String() })])),
});
export type DpMulticastSessions = Static<typeof DpMulticastSessions>;

export const DpMulticastSessionsQuery = Type.Object(
  {
    state: Type.Optional(MulticastSessionState),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);
export type DpMulticastSessionsQuery = Static<typeof DpMulticastSessionsQuery>;

/** A client's request to a DP: a multicast session for one content file. */
export const MulticastJoinRequest = Type.Object(
  { sha256: Sha256 },
  { additionalProperties: false },
);
export type MulticastJoinRequest = Static<typeof MulticastJoinRequest>;

/** Where the client's `udp-receiver` finds the session's sender. */
export const MulticastJoinResponse = Type.Object({
  sessionId: Type.String(),
  address: Type.String(),
  port: Type.Integer(),
  fileBytes: Type.Integer(),
  /** The sender starts within this many seconds of the first join; wait a little longer. */
  startTimeoutSeconds: Type.Integer(),
});
export type MulticastJoinResponse = Static<typeof MulticastJoinResponse>;
