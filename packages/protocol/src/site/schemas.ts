import { type Static, Type } from '@sinclair/typebox';
import { integerSetting, settingsValueProperties } from '../common/settings.js';

/** Site-wide settings an administrator can change. */
/**
 * Site-wide settings, declared once (ADR 0016): the site's defaults, the `steward site-settings
 * set` flags and the console's site-settings form come from this declaration.
 */
export const SiteSettingsOptions = {
  /** As in Configuration Manager, a device is inactive after a week without contact. */
  activeThresholdDays: integerSetting({
    label: 'Active threshold',
    help: 'Days without contact after which a device counts as inactive',
    unit: 'days',
    minimum: 1,
    maximum: 365,
    default: 7,
    flag: { kind: 'value', name: 'active-threshold-days', placeholder: '<n>' },
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
  activeThresholdDays: Type.Integer(),
});
export type SiteInfo = Static<typeof SiteInfo>;
