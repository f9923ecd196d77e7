import { text, type TableOf } from './columns.js';

/** Upgrade packages (issue 11, ADR 0102). */
export const upgradePackageTables = {
  upgrade_package: {
    id: text(),
    name: text(),
    description: text(),
    from_codename: text(),
    from_version: text(),
    target_codename: text(),
    target_version: text(),
    /** JSON: the apt sources (UpgradeSource[]), parsed on read. */
    sources: text(),
    /** The armoured OpenPGP keyring apt trusts for them. */
    keyring: text(),
    /** JSON: the options, defaults filled in (UpgradeOptions). */
    options: text(),
    created_at: text(),
    updated_at: text(),
    updated_by: text(),
  },
} as const;

export interface UpgradePackageTables {
  upgrade_package: TableOf<typeof upgradePackageTables.upgrade_package>;
}
