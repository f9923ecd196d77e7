import { type Static, Type } from '@sinclair/typebox';
import {
  booleanSetting,
  choiceSetting,
  durationSetting,
  integerSetting,
  settingsProperties,
  settingsValueProperties,
} from '../common/settings.js';
import { pagingFields } from '../http/paging.js';

/** TCP ports probed when a sweep names none: SSH, HTTP, HTTPS, WinRM. */
export const DEFAULT_DISCOVERY_PORTS: readonly number[] = [22, 80, 443, 5985];

/**
 * Network discovery settings, declared once (ADR 0016, ADR 0022): the limits every sweep obeys,
 * and the discovery schedule the site scheduler runs. Off by default: a site sweeps its network
 * only when an administrator asks for it.
 */
export const DiscoverySettingsOptions = {
  /** The brake on a typo: a sweep of 10.0.0.0/8 is refused, not started. */
  maxAddressesPerSweep: integerSetting({
    label: 'Addresses per sweep',
    help: 'Most addresses one sweep may cover; a larger subnet or range is refused',
    unit: 'addresses',
    minimum: 1,
    maximum: 1_048_576,
    default: 65_536,
    flag: { kind: 'value', name: 'max-addresses', placeholder: '<n>' },
  }),
  probesPerSecond: integerSetting({
    label: 'Probe rate',
    help: 'Probes (ping, TCP connect) a sweep sends per second at most',
    unit: 'probes/s',
    minimum: 1,
    maximum: 10_000,
    default: 100,
    flag: { kind: 'value', name: 'probes-per-second', placeholder: '<n>' },
  }),
  concurrency: integerSetting({
    label: 'Concurrent addresses',
    help: 'Addresses a sweep probes at the same time',
    unit: 'addresses',
    minimum: 1,
    maximum: 1024,
    default: 32,
    flag: { kind: 'value', name: 'concurrency', placeholder: '<n>' },
  }),
  probeTimeoutMs: integerSetting({
    label: 'Probe timeout',
    help: 'How long a TCP connect, SSH banner read or reverse DNS lookup may take',
    unit: 'ms',
    minimum: 50,
    maximum: 30_000,
    default: 1000,
    flag: { kind: 'value', name: 'probe-timeout-ms', placeholder: '<ms>' },
  }),
  /**
   * Where names come from. 'dns' asks the resolvers in /etc/resolv.conf (a packet to them per
   * address found); 'hosts-file' reads /etc/hosts only and sends nothing (what the tests use:
   * their traffic stays on this machine); 'off' looks up no names.
   */
  nameLookup: choiceSetting({
    label: 'Name lookup',
    help: 'How machines found get their names: reverse DNS, /etc/hosts only, or none',
    render: 'select',
    choices: [
      { value: 'dns', label: 'Reverse DNS (and /etc/hosts)' },
      { value: 'hosts-file', label: '/etc/hosts only' },
      { value: 'off', label: 'None' },
    ],
    default: 'dns',
    flag: { kind: 'value', name: 'name-lookup', placeholder: '<lookup>' },
  }),
  scheduleEnabled: booleanSetting({
    label: 'Scheduled discovery',
    help: "Sweep the site's boundaries on a schedule",
    default: false,
    flag: {
      kind: 'switch',
      name: 'schedule',
      on: true,
      off: false,
      onHelp: "sweep the site's boundaries on a schedule",
      offHelp: 'no scheduled sweeps (on demand only)',
    },
  }),
  scheduleIntervalSeconds: durationSetting({
    label: 'Schedule interval',
    help: 'Time between scheduled sweeps',
    unit: 'hours',
    minimum: 3600,
    maximum: 90 * 24 * 3600,
    default: 7 * 24 * 3600,
    flag: { kind: 'value', name: 'schedule-interval', placeholder: '<duration>' },
  }),
};

export const DiscoverySettings = Type.Object(settingsValueProperties(DiscoverySettingsOptions), {
  additionalProperties: false,
});
export type DiscoverySettings = Static<typeof DiscoverySettings>;
export const UpdateDiscoverySettingsRequest = Type.Object(
  settingsProperties(DiscoverySettingsOptions),
  { additionalProperties: false },
);
export type UpdateDiscoverySettingsRequest = Static<typeof UpdateDiscoverySettingsRequest>;

const Port = Type.Integer({ minimum: 1, maximum: 65535 });

export const StartSweepRequest = Type.Object(
  {
    /** IPv4 subnets like `10.1.0.0/24`. */
    subnets: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 256 }),
    ),
    /** IPv4 ranges like `10.1.0.10-10.1.0.200`. Neither given: the site's boundaries. */
    ranges: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 256 }),
    ),
    /** TCP ports to probe (default 22, 80, 443, 5985). */
    ports: Type.Optional(Type.Array(Port, { minItems: 0, maxItems: 64, uniqueItems: true })),
    /** Send an ICMP echo (default true). */
    icmp: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type StartSweepRequest = Static<typeof StartSweepRequest>;

export const SweepState = Type.Union([
  Type.Literal('running'),
  Type.Literal('completed'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);
export type SweepState = Static<typeof SweepState>;

export const SweepTrigger = Type.Union([Type.Literal('on-demand'), Type.Literal('schedule')]);
export type SweepTrigger = Static<typeof SweepTrigger>;

export const Sweep = Type.Object({
  id: Type.String(),
  state: SweepState,
  trigger: SweepTrigger,
  /** Canonical subnets and ranges swept. */
  targets: Type.Array(Type.String()),
  ports: Type.Array(Type.Integer()),
  icmp: Type.Boolean(),
  /** Addresses to probe, probed so far, and found answering. */
  total: Type.Integer(),
  done: Type.Integer(),
  found: Type.Integer(),
  requestedBy: Type.String(),
  startedAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  /** Why it failed or who cancelled it. */
  error: Type.Union([Type.String(), Type.Null()]),
});
export type Sweep = Static<typeof Sweep>;

export const DiscoveredMachine = Type.Object({
  address: Type.String(),
  mac: Type.Union([Type.String(), Type.Null()]),
  dnsName: Type.Union([Type.String(), Type.Null()]),
  openPorts: Type.Array(Type.Integer()),
  /** Answered the ICMP echo of its last sweep. */
  pingable: Type.Boolean(),
  sshBanner: Type.Union([Type.String(), Type.Null()]),
  /** Guessed from the SSH banner: `Debian 12`, `Ubuntu 22.04`, `Linux`. */
  osGuess: Type.Union([Type.String(), Type.Null()]),
  firstSeenAt: Type.String(),
  lastSeenAt: Type.String(),
  lastSweepId: Type.String(),
  /** The enrolled device with this address or name: it has an agent (not a push candidate). */
  deviceId: Type.Union([Type.String(), Type.Null()]),
  deviceName: Type.Union([Type.String(), Type.Null()]),
});
export type DiscoveredMachine = Static<typeof DiscoveredMachine>;

/** A discovered machine as a collection member: how the collection includes it (ADR 0030, 0038). */
export const DiscoveredCollectionMember = Type.Composite([
  DiscoveredMachine,
  Type.Object({
    /** Included by its address (Remove applies); false: only a rule of the collection matches it. */
    byAddress: Type.Boolean(),
    /** Ids of the collection's rules that match it now. */
    byRules: Type.Array(Type.String()),
  }),
]);
export type DiscoveredCollectionMember = Static<typeof DiscoveredCollectionMember>;

export const ListDiscoveredQuery = Type.Object(
  {
    /** Part of the address, DNS name, MAC or OS guess (any case). */
    search: Type.Optional(Type.String({ maxLength: 200 })),
    /** true: only machines with an agent; false: only those without (push candidates). */
    hasAgent: Type.Optional(Type.Boolean()),
    ...pagingFields({ maxLimit: 5000, defaultLimit: 500 }),
  },
  { additionalProperties: false },
);
export type ListDiscoveredQuery = Static<typeof ListDiscoveredQuery>;

export const ListSweepsQuery = Type.Object(
  { ...pagingFields({ maxLimit: 500, defaultLimit: 20 }) },
  { additionalProperties: false },
);
export type ListSweepsQuery = Static<typeof ListSweepsQuery>;

/** Discovered machines to include in a collection, by address (ADR 0030). */
export const AddDiscoveredMembersRequest = Type.Object(
  {
    addresses: Type.Array(Type.String({ minLength: 7, maxLength: 15, pattern: '^[0-9.]+$' }), {
      minItems: 1,
      maxItems: 5000,
    }),
  },
  { additionalProperties: false },
);
export type AddDiscoveredMembersRequest = Static<typeof AddDiscoveredMembersRequest>;

/**
 * How a rule includes discovered machines in a collection (ADR 0038), beside inclusion by
 * address: `subnet` an IPv4 CIDR (`10.1.0.0/16`) or range (`10.1.0.1-10.1.0.99`); `host-name`
 * a pattern over the reverse-DNS name, `*` any characters and `?` one, case-insensitive;
 * `os` words the guessed OS contains, case-insensitive (`ubuntu`, `debian 12`).
 */
export const DiscoveredMemberRuleKind = Type.Union([
  Type.Literal('subnet'),
  Type.Literal('host-name'),
  Type.Literal('os'),
]);
export type DiscoveredMemberRuleKind = Static<typeof DiscoveredMemberRuleKind>;

export const AddDiscoveredMemberRuleRequest = Type.Object(
  {
    kind: DiscoveredMemberRuleKind,
    value: Type.String({ minLength: 1, maxLength: 255 }),
  },
  { additionalProperties: false },
);
export type AddDiscoveredMemberRuleRequest = Static<typeof AddDiscoveredMemberRuleRequest>;

/** A rule of a collection's discovered members, with how many machines it matches now. */
export const DiscoveredMemberRule = Type.Object({
  id: Type.String(),
  collectionId: Type.String(),
  kind: DiscoveredMemberRuleKind,
  value: Type.String(),
  addedAt: Type.String(),
  addedBy: Type.String(),
  /** Discovered machines it includes at the time of the request (rules are evaluated on read). */
  matches: Type.Integer({ minimum: 0 }),
});
export type DiscoveredMemberRule = Static<typeof DiscoveredMemberRule>;
