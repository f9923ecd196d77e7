export interface SiteSettingTable {
  key: string;
  value: string;
}

/** The site domain's tables. */
export interface SiteTables {
  site_setting: SiteSettingTable;
}
