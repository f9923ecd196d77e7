import { text, type TableOf } from './columns.js';

/** The site domain's tables (see columns.ts for the conventions). */
export const siteTables = {
  site_setting: {
    key: text(),
    value: text(),
  },
} as const;

export interface SiteTables {
  site_setting: SiteSettingTable;
}
export type SiteSettingTable = TableOf<typeof siteTables.site_setting>;
