import { type Static, Type } from '@sinclair/typebox';
import {
  booleanSetting,
  integerSetting,
  settingsDefaults,
  settingsValueProperties,
} from '../common/settings.js';

/**
 * A distribution point's PXE responder settings (issue 11, ADR 0067), declared once (ADR 0016):
 * defaults, limits, labels and flags for the DP's PXE settings come from here. The DP reads them
 * from the site with its assignments (ADR 0079); `<data>/pxe.json` keeps what is local to the DP
 * (ADR 0068).
 */
export const DpPxeSettingsOptions = {
  enabled: booleanSetting({
    label: 'Enable PXE',
    help: 'Answer PXE boot requests (ProxyDHCP on UDP 67 and 4011, TFTP on 69, HTTP for iPXE)',
    default: false,
    flag: {
      kind: 'switch',
      name: 'pxe',
      on: true,
      off: false,
      onHelp: 'answer PXE',
      offHelp: 'do not answer PXE',
    },
  }),
  answerBios: booleanSetting({
    label: 'Answer BIOS clients',
    help: 'Offer undionly.kpxe to BIOS PXE clients (client architecture 0)',
    default: true,
    flag: {
      kind: 'switch',
      name: 'pxe-bios',
      on: true,
      off: false,
      onHelp: 'answer BIOS clients',
      offHelp: 'ignore BIOS clients',
    },
  }),
  answerUefi: booleanSetting({
    label: 'Answer UEFI clients',
    help: 'Offer ipxe.efi to UEFI x64 PXE clients (client architecture 7 or 9)',
    default: true,
    flag: {
      kind: 'switch',
      name: 'pxe-uefi',
      on: true,
      off: false,
      onHelp: 'answer UEFI clients',
      offHelp: 'ignore UEFI clients',
    },
  }),
  respondToUnknown: booleanSetting({
    label: 'Respond to unknown computers',
    help: 'Answer machines that have no deployment or entry on this DP (unknown computers)',
    default: false,
    flag: {
      kind: 'switch',
      name: 'pxe-unknown',
      on: true,
      off: false,
      onHelp: 'answer unknown computers',
      offHelp: 'answer only machines with a deployment or entry',
    },
  }),
  responseDelaySeconds: integerSetting({
    label: 'Response delay',
    help: 'Seconds to wait before offering a boot file (lets another PXE server on the network answer first)',
    unit: 'seconds',
    minimum: 0,
    maximum: 32,
    default: 0,
    flag: { kind: 'value', name: 'pxe-delay', placeholder: '<seconds>' },
  }),
  httpPort: integerSetting({
    label: 'HTTP port for iPXE',
    help: 'Port of the plain-HTTP listener serving the iPXE script and the boot image',
    unit: '',
    minimum: 1,
    maximum: 65535,
    default: 8080,
    flag: { kind: 'value', name: 'pxe-http-port', placeholder: '<port>' },
  }),
};

export const Ipv4 = Type.String({
  pattern: '^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}$',
});
const Mac = Type.String({ pattern: '^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$' });
const Uuid = Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
});
const ImageName = Type.String({ pattern: '^[A-Za-z0-9._-]{1,128}$' });

/** A boot image the DP can chain-load: its files on the DP and the kernel command line. */
export const PxeBootImageFiles = Type.Object(
  {
    kernel: Type.String({ minLength: 1 }),
    initrd: Type.String({ minLength: 1 }),
    cmdline: Type.String({ maxLength: 2048 }),
  },
  { additionalProperties: false },
);

/** One entry of the stub decision table (ADR 0067): a machine by MAC or SMBIOS UUID. */
export const PxeMachineEntry = Type.Object(
  {
    mac: Type.Optional(Mac),
    uuid: Type.Optional(Uuid),
    image: ImageName,
    required: Type.Boolean(),
    reason: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const DpPxeSettings = Type.Object(
  {
    ...settingsValueProperties(DpPxeSettingsOptions),
    /** The DP's IPv4 address on the PXE network: server id, next-server, script host. */
    serverAddress: Ipv4,
    /** Where undionly.kpxe and ipxe.efi come from (Debian's ipxe package); copied to the TFTP root. */
    firstStageDir: Type.String({ minLength: 1 }),
    /** The boot image offered (as an available deployment) to machines without an entry. */
    bootImage: Type.Union([ImageName, Type.Null()]),
    images: Type.Record(ImageName, PxeBootImageFiles),
    machines: Type.Array(PxeMachineEntry, { maxItems: 10_000 }),
  },
  { additionalProperties: false },
);
export type DpPxeSettings = Static<typeof DpPxeSettings>;

/**
 * How long a DP reuses the site's PXE decision for one machine (MAC and SMBIOS UUID): iPXE asks
 * for the script several times in a boot (and again after a password prompt), and each answer
 * within this settle time costs the site nothing. A deployment changed on the site reaches the
 * machine's next request after at most this long.
 */
export const PXE_DECISION_SETTLE_SECONDS = 5;

/** Where Debian's ipxe package installs undionly.kpxe and ipxe.efi. */
export const DEFAULT_PXE_FIRST_STAGE_DIR = '/usr/lib/ipxe';

/** Every field but serverAddress at its default (what a settings file may leave out). */
export function dpPxeDefaults(): Omit<DpPxeSettings, 'serverAddress'> {
  return {
    ...settingsDefaults(DpPxeSettingsOptions),
    firstStageDir: DEFAULT_PXE_FIRST_STAGE_DIR,
    bootImage: null,
    images: {},
    machines: [],
  };
}
