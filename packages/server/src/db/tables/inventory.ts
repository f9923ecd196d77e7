import type { Json, AutoId } from './columns.js';

export interface DeviceInventoryTable {
  device_id: string;
  class_name: string;
  /** JSON array of instances. */
  data: Json;
  hash: string;
  updated_at: string;
}

export interface InventoryChangeTable {
  id: AutoId;
  device_id: string;
  class_name: string;
  at: string;
  added: Json;
  removed: Json;
}

export interface PackageSetTable {
  id: string;
  package_count: number;
  created_at: string;
}

export interface PackageSetItemTable {
  set_id: string;
  manager: string;
  name: string;
  arch: string;
  version: string;
  /** debianVersionKey(version): byte order = dpkg order (COLLATE "C" on PostgreSQL). */
  version_key: string;
}

export interface InventoryClassTable {
  name: string;
  definition: Json;
  created_at: string;
  updated_at: string;
  created_by: string;
}

/** The inventory domain's tables. */
export interface InventoryTables {
  device_inventory: DeviceInventoryTable;
  inventory_change: InventoryChangeTable;
  package_set: PackageSetTable;
  package_set_item: PackageSetItemTable;
  inventory_class: InventoryClassTable;
}
