import { type Static, Type } from '@sinclair/typebox';
import { booleanSetting, integerSetting, settingsValueProperties } from '../common/settings.js';

function activityThreshold(what: string, flag: string) {
  return integerSetting({
    label: `Inactive after no ${what}`,
    shortLabel: `${what[0]?.toUpperCase() ?? ''}${what.slice(1)} threshold`,
    help: `Days without a ${what} after which that signal no longer keeps a device active`,
    unit: 'days',
    minimum: 1,
    maximum: 365,
    default: 7,
    flag: { kind: 'value', name: `inactive-${flag}-days`, placeholder: '<n>' },
  });
}

/** Site-wide settings an administrator can change. */
/**
 * Site-wide settings, declared once (ADR 0016): the site's defaults, the `steward site-settings
 * set` flags and the console's site-settings form come from this declaration.
 */
export const SiteSettingsOptions = {
  /**
   * Client activity (issue 9, ADR 0029): a device is inactive when none of these five arrived
   * within its own threshold. As in Configuration Manager, a week each by default.
   */
  inactivePolicyRequestDays: activityThreshold('policy request', 'policy-request'),
  inactiveHeartbeatDays: activityThreshold('heartbeat', 'heartbeat'),
  inactiveHardwareInventoryDays: activityThreshold('hardware inventory', 'hardware-inventory'),
  inactiveSoftwareInventoryDays: activityThreshold('software inventory', 'software-inventory'),
  inactiveStatusMessageDays: activityThreshold('status message', 'status-message'),
  activityProbePort: integerSetting({
    label: 'Activity probe port',
    help: "TCP port the site connects to on a quiet device's last known addresses before calling it inactive",
    unit: '',
    minimum: 1,
    maximum: 65535,
    default: 22,
    flag: { kind: 'value', name: 'activity-probe-port', placeholder: '<port>' },
  }),
  obsoleteAfterDays: integerSetting({
    label: 'Obsolete after',
    help: 'Days without a heartbeat after which a device is marked obsolete',
    unit: 'days',
    minimum: 1,
    maximum: 3650,
    default: 90,
    flag: { kind: 'value', name: 'obsolete-after-days', placeholder: '<n>' },
  }),
  removeObsoleteDevices: booleanSetting({
    label: 'Remove obsolete devices',
    help: 'Delete devices once they are obsolete (with their inventory, memberships and states)',
    default: false,
    flag: {
      kind: 'switch',
      name: 'remove-obsolete',
      on: true,
      off: false,
      onHelp: 'delete devices once they are obsolete',
      offHelp: 'keep obsolete devices, marked',
    },
  }),
  statusMessageRetentionDays: integerSetting({
    label: 'Status-message retention',
    help: 'Days status messages are kept; an hourly job deletes older ones',
    unit: 'days',
    minimum: 1,
    maximum: 3650,
    default: 90,
    flag: { kind: 'value', name: 'status-retention-days', placeholder: '<n>' },
  }),
  /**
   * Supersedence expiry (issue 10, ADR 0049): a superseded update leaves the deployable catalog
   * this many days after it was superseded (0: at once), as Configuration Manager's "months to
   * wait before a superseded update is expired" (3 months by default).
   */
  expireSupersededUpdates: booleanSetting({
    label: 'Expire superseded updates',
    help: 'Superseded updates leave the deployable catalog after the expiry delay (they stay in history and reports)',
    default: true,
    flag: {
      kind: 'switch',
      name: 'expire-superseded',
      on: true,
      off: false,
      onHelp: 'expire superseded updates after the delay',
      offHelp: 'never expire superseded updates',
    },
  }),
  supersededUpdateExpiryDays: integerSetting({
    label: 'Superseded update expiry',
    help: 'Days after an update is superseded before it expires (0: expire at once)',
    unit: 'days',
    minimum: 0,
    maximum: 3650,
    default: 90,
    flag: { kind: 'value', name: 'superseded-expiry-days', placeholder: '<n>' },
  }),
};

export const SiteSettings = Type.Object(settingsValueProperties(SiteSettingsOptions), {
  additionalProperties: false,
});
export type SiteSettings = Static<typeof SiteSettings>;

export const SiteInfo = Type.Object({
  siteCode: Type.String(),
  siteName: Type.String(),
  version: Type.String(),
  agentUrl: Type.String(),
  caFingerprint: Type.String(),
  /** SHA-256 of the CA certificate's PEM as the install route serves it (the install one-liner checks it). */
  caPemSha256: Type.String(),
  database: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
});
export type SiteInfo = Static<typeof SiteInfo>;
