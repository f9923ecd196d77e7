import { InstalledPackage } from '@steward/protocol';
import { autoId, integer, json, oneOf, text, type TableOf } from './columns.js';

/** The inventory domain's tables (see columns.ts for the conventions). */
export const inventoryTables = {
  device_inventory: {
    device_id: text(),
    class_name: text(),
    /** JSON array of instances. */
    data: json(),
    hash: text(),
    updated_at: text(),
  },
  inventory_change: {
    id: autoId(),
    device_id: text(),
    class_name: text(),
    at: text(),
    added: json(),
    removed: json(),
  },
  package_set: {
    id: text(),
    package_count: integer(),
    created_at: text(),
  },
  /** Devices (not revoked) per set, kept by triggers on device (ADR 0075). */
  package_set_device_count: {
    set_id: text(),
    devices: integer(),
  },
  package_set_item: {
    set_id: text(),
    manager: oneOf(InstalledPackage.properties.manager),
    name: text(),
    arch: text(),
    version: text(),
    /** debianVersionKey(version): byte order = dpkg order (COLLATE "C" on PostgreSQL). */
    version_key: text(),
  },
  inventory_class: {
    name: text(),
    definition: json(),
    created_at: text(),
    updated_at: text(),
    created_by: text(),
  },
} as const;

export interface InventoryTables {
  device_inventory: DeviceInventoryTable;
  inventory_change: InventoryChangeTable;
  package_set: PackageSetTable;
  package_set_device_count: PackageSetDeviceCountTable;
  package_set_item: PackageSetItemTable;
  inventory_class: InventoryClassTable;
}
export type DeviceInventoryTable = TableOf<typeof inventoryTables.device_inventory>;
export type InventoryChangeTable = TableOf<typeof inventoryTables.inventory_change>;
export type PackageSetTable = TableOf<typeof inventoryTables.package_set>;
export type PackageSetDeviceCountTable = TableOf<typeof inventoryTables.package_set_device_count>;
export type PackageSetItemTable = TableOf<typeof inventoryTables.package_set_item>;
export type InventoryClassTable = TableOf<typeof inventoryTables.inventory_class>;
