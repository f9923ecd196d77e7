import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from '../common/schemas.js';
import { pagingFields } from '../http/paging.js';

/**
 * The driver catalog (issue 11, ADR 0055): on Linux a driver is a Debian package holding kernel
 * modules and/or firmware. Importing one reads every module's `.modinfo` (the aliases it binds
 * to, the firmware it loads) so the site can tell which devices a driver serves by matching their
 * inventoried PCI and USB modaliases, as udev and modprobe do.
 */

/** A category label: administrators group drivers by vendor, model line or purpose. */
export const DriverCategory = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[^\\u0000-\\u001f,]+$',
});

export const DriverModule = Type.Object({
  /** The module name (`e1000e`), from `.modinfo` `name=` or the file name. */
  name: Type.String(),
  /** Path inside the package (`lib/modules/6.1.0-18-amd64/kernel/.../e1000e.ko.xz`). */
  path: Type.String(),
  /** The kernel release the module was built for (from its path or `vermagic=`). */
  kernelRelease: Nullable(Type.String()),
  version: Nullable(Type.String()),
  description: Nullable(Type.String()),
  license: Nullable(Type.String()),
  /** modalias patterns (`pci:v00008086d000010D3sv*sd*bc*sc*i*`), matched as shell globs. */
  aliases: Type.Array(Type.String()),
  /** Firmware files the module asks for (`firmware=`). */
  firmware: Type.Array(Type.String()),
});
export type DriverModule = Static<typeof DriverModule>;

export const Driver = Type.Object({
  id: Type.String(),
  /** The Debian package name, version and architecture. */
  package: Type.String(),
  version: Type.String(),
  architecture: Type.String(),
  description: Type.String(),
  categories: Type.Array(Type.String()),
  /** Disabled drivers are kept but never matched or applied. */
  enabled: Type.Boolean(),
  sha256: Type.String(),
  size: Type.Integer(),
  modules: Type.Array(DriverModule),
  /** Firmware files the package installs (paths under lib/firmware). */
  firmwareFiles: Type.Array(Type.String()),
  importedAt: Type.String(),
  importedBy: Type.String(),
  /**
   * The driver's one-file content package: distribute it to the DPs boot environments download
   * it from (apply-drivers over the network). Null for a driver imported before it existed.
   */
  packageId: Nullable(Type.String()),
});
export type Driver = Static<typeof Driver>;

/** The list row: the modules' details are on the driver's own page. */
export const DriverSummary = Type.Object({
  id: Type.String(),
  package: Type.String(),
  version: Type.String(),
  architecture: Type.String(),
  description: Type.String(),
  categories: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  moduleCount: Type.Integer(),
  aliasCount: Type.Integer(),
  firmwareCount: Type.Integer(),
  size: Type.Integer(),
  importedAt: Type.String(),
});
export type DriverSummary = Static<typeof DriverSummary>;

export const ListDriversQuery = Type.Object(
  {
    /** Package name, description or module name contains. */
    search: Type.Optional(Type.String({ maxLength: 200 })),
    category: Type.Optional(DriverCategory),
    enabled: Type.Optional(Type.Boolean()),
    ...pagingFields(),
  },
  { additionalProperties: false },
);
export type ListDriversQuery = Static<typeof ListDriversQuery>;

/** Categories are set with updateDriver once imported (a query string carries no list). */
export const ImportDriverQuery = Type.Object(
  {
    /** Imported disabled: matched and applied only once enabled. */
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ImportDriverQuery = Static<typeof ImportDriverQuery>;

export const UpdateDriverRequest = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    categories: Type.Optional(Type.Array(DriverCategory, { maxItems: 32, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type UpdateDriverRequest = Static<typeof UpdateDriverRequest>;

/** One of a device's inventoried devices (PCI or USB) and the enabled drivers that serve it. */
export const DeviceDriverMatch = Type.Object({
  bus: Type.Union([Type.Literal('pci'), Type.Literal('usb')]),
  modalias: Type.String(),
  /** What the hardware is, from the inventory (vendor and product names when known). */
  name: Type.String(),
  /** The kernel driver bound to it when the inventory ran (null: none). */
  driverInUse: Nullable(Type.String()),
  matches: Type.Array(
    Type.Object({
      driverId: Type.String(),
      package: Type.String(),
      version: Type.String(),
      module: Type.String(),
      alias: Type.String(),
    }),
  ),
});
export type DeviceDriverMatch = Static<typeof DeviceDriverMatch>;

export const DeviceDrivers = Type.Object({
  deviceId: Type.String(),
  /** False when the device has reported no PCI or USB inventory yet. */
  inventoried: Type.Boolean(),
  hardware: Type.Array(DeviceDriverMatch),
});
export type DeviceDrivers = Static<typeof DeviceDrivers>;
