import { Type, type Static } from '@sinclair/typebox';

/** Property types the query language understands. `version` compares in dpkg order. */
export const PropertyType = Type.Union([
  Type.Literal('string'),
  Type.Literal('number'),
  Type.Literal('boolean'),
  Type.Literal('version'),
  Type.Literal('datetime'),
]);
export type PropertyType = Static<typeof PropertyType>;

export interface InventoryClassShape {
  name: string;
  /**
   * What the console shows for the class ("Listening ports" for `listeningPort`); every built-in
   * class declares one, a custom class reads as its name spelt out (`inventoryClassLabel`).
   */
  label?: string;
  description: string;
  /** Multi-instance classes (disks, packages, services) are queried with any(class, ...). */
  multiInstance: boolean;
  properties: Record<string, PropertyType>;
}

/** A value of an inventory property as collected. */
export const PropertyValue = Type.Union([
  Type.String(),
  Type.Number(),
  Type.Boolean(),
  Type.Null(),
]);
export type PropertyValue = Static<typeof PropertyValue>;
export const InventoryInstance = Type.Record(Type.String({ maxLength: 64 }), PropertyValue);
export type InventoryInstance = Static<typeof InventoryInstance>;

/**
 * The built-in hardware and software inventory classes. `package` is stored in shared package
 * sets rather than per device (DESIGN.md section 4) but is queried like any other class.
 */
export const BUILTIN_CLASSES: readonly InventoryClassShape[] = [
  {
    name: 'os',
    label: 'Operating system',
    description: 'Operating system',
    multiInstance: false,
    properties: {
      family: 'string',
      name: 'string',
      version: 'version',
      codename: 'string',
      kernel: 'version',
      arch: 'string',
      hostname: 'string',
      fqdn: 'string',
    },
  },
  {
    name: 'machine',
    label: 'Machine',
    description:
      'Machine type and identity (type decided from chassis, battery, virtualisation and other signals)',
    multiInstance: false,
    properties: {
      type: 'string',
      typeReason: 'string',
      chassisType: 'number',
      vendor: 'string',
      model: 'string',
      serialNumber: 'string',
      virtualization: 'string',
      hasBattery: 'boolean',
      bootTime: 'datetime',
    },
  },
  {
    name: 'cpu',
    label: 'Processors',
    description: 'Processor',
    multiInstance: false,
    properties: {
      model: 'string',
      vendor: 'string',
      sockets: 'number',
      cores: 'number',
      threads: 'number',
      mhz: 'number',
    },
  },
  {
    name: 'memory',
    label: 'Memory',
    description: 'Physical memory and swap',
    multiInstance: false,
    properties: { totalMb: 'number', availableMb: 'number', swapTotalMb: 'number' },
  },
  {
    name: 'disk',
    label: 'Disks',
    description: 'Mounted file systems with size and free space',
    multiInstance: true,
    properties: {
      device: 'string',
      mountPoint: 'string',
      fsType: 'string',
      sizeMb: 'number',
      freeMb: 'number',
    },
  },
  {
    name: 'networkAdapter',
    label: 'Network adapters',
    description: 'Network adapters',
    multiInstance: true,
    properties: {
      name: 'string',
      mac: 'string',
      state: 'string',
      mtu: 'number',
      speedMbps: 'number',
      virtual: 'boolean',
    },
  },
  {
    name: 'ipAddress',
    label: 'IP addresses',
    description: 'IP addresses of the network adapters',
    multiInstance: true,
    properties: { adapter: 'string', address: 'string', family: 'string', prefixLength: 'number' },
  },
  {
    name: 'service',
    label: 'Services',
    description: 'Services (systemd units or init scripts) and their state',
    multiInstance: true,
    properties: {
      name: 'string',
      description: 'string',
      state: 'string',
      subState: 'string',
      enabled: 'boolean',
    },
  },
  {
    name: 'user',
    label: 'Users',
    description: 'Logged-on and last logged-on users',
    multiInstance: false,
    properties: {
      lastLoggedOnUser: 'string',
      lastLogonTime: 'datetime',
      loggedOnUsers: 'string',
      loggedOnCount: 'number',
    },
  },
  {
    name: 'session',
    label: 'Sessions',
    description: 'Current logon sessions',
    multiInstance: true,
    properties: { user: 'string', terminal: 'string', host: 'string', since: 'datetime' },
  },
  {
    name: 'package',
    label: 'Installed packages',
    description: 'Installed packages (dpkg; rpm when present)',
    multiInstance: true,
    properties: { name: 'string', version: 'version', arch: 'string', manager: 'string' },
  },
  {
    name: 'softwareFile',
    label: 'Software files',
    description: 'Executable files found under the configured software-inventory paths',
    multiInstance: true,
    properties: {
      path: 'string',
      name: 'string',
      sizeBytes: 'number',
      modifiedAt: 'datetime',
      sha256: 'string',
    },
  },
  {
    name: 'firmware',
    label: 'Firmware',
    description: 'Firmware (BIOS/UEFI) from SMBIOS: vendor, version, release date, boot mode',
    multiInstance: false,
    properties: {
      vendor: 'string',
      version: 'string',
      releaseDate: 'datetime',
      mode: 'string',
    },
  },
  {
    name: 'systemIdentity',
    label: 'System identity',
    description:
      'System identity from SMBIOS: manufacturer, product, serial number and UUID (the last two need a root agent)',
    multiInstance: false,
    properties: {
      manufacturer: 'string',
      product: 'string',
      version: 'string',
      family: 'string',
      sku: 'string',
      serialNumber: 'string',
      uuid: 'string',
      boardVendor: 'string',
      boardProduct: 'string',
    },
  },
  {
    name: 'pciDevice',
    label: 'PCI devices',
    description: 'PCI devices with their ids, class, driver in use and names from pci.ids',
    multiInstance: true,
    properties: {
      address: 'string',
      vendorId: 'string',
      deviceId: 'string',
      subsystemVendorId: 'string',
      subsystemDeviceId: 'string',
      classId: 'string',
      className: 'string',
      vendorName: 'string',
      deviceName: 'string',
      revision: 'string',
      modalias: 'string',
      driver: 'string',
    },
  },
  {
    name: 'usbDevice',
    label: 'USB devices',
    description: 'USB devices with their ids, names, modalias and drivers',
    multiInstance: true,
    properties: {
      busPath: 'string',
      vendorId: 'string',
      productId: 'string',
      manufacturer: 'string',
      product: 'string',
      serialNumber: 'string',
      deviceClass: 'string',
      speedMbps: 'number',
      modalias: 'string',
      driver: 'string',
    },
  },
  {
    name: 'storageDevice',
    label: 'Storage devices',
    description:
      'Physical block devices (not partitions, loop, RAM or device-mapper devices): model, serial, size, transport',
    multiInstance: true,
    properties: {
      name: 'string',
      vendor: 'string',
      model: 'string',
      serialNumber: 'string',
      sizeMb: 'number',
      rotational: 'boolean',
      removable: 'boolean',
      transport: 'string',
    },
  },
  {
    name: 'localUser',
    label: 'Local users',
    description:
      'Local user accounts (/etc/passwd); system accounts are those outside UID_MIN..UID_MAX',
    multiInstance: true,
    properties: {
      name: 'string',
      uid: 'number',
      gid: 'number',
      primaryGroup: 'string',
      fullName: 'string',
      home: 'string',
      shell: 'string',
      system: 'boolean',
    },
  },
  {
    name: 'localGroup',
    label: 'Local groups',
    description: 'Local groups (/etc/group) and their members',
    multiInstance: true,
    properties: {
      name: 'string',
      gid: 'number',
      members: 'string',
      memberCount: 'number',
      system: 'boolean',
    },
  },
  {
    name: 'listeningPort',
    label: 'Listening ports',
    description: 'TCP ports in LISTEN state and bound UDP ports, with the process that holds them',
    multiInstance: true,
    properties: {
      protocol: 'string',
      family: 'string',
      address: 'string',
      port: 'number',
      pid: 'number',
      process: 'string',
      command: 'string',
      user: 'string',
    },
  },
  {
    name: 'agent',
    label: 'Steward agent',
    description: 'The Steward agent itself',
    multiInstance: false,
    properties: { version: 'string', startedAt: 'datetime' },
  },
];

export const BUILTIN_CLASS_NAMES: ReadonlySet<string> = new Set(BUILTIN_CLASSES.map((c) => c.name));

const BUILTIN_LABELS: ReadonlyMap<string, string> = new Map(
  BUILTIN_CLASSES.flatMap((c) => (c.label === undefined ? [] : [[c.name, c.label] as const])),
);

/**
 * The human label of an inventory class: a built-in class's declared label, otherwise the name
 * spelt out (`diskQuota` and `disk_quota` read "Disk quota"), so a custom class reads as well.
 */
export function inventoryClassLabel(name: string): string {
  const builtin = BUILTIN_LABELS.get(name);
  if (builtin !== undefined) return builtin;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Machine types decided by the agent's collector. */
export const MACHINE_TYPES = ['server', 'desktop', 'laptop', 'virtual-machine', 'unknown'] as const;
export type MachineType = (typeof MACHINE_TYPES)[number];

export const InstalledPackage = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 256 }),
    version: Type.String({ maxLength: 256 }),
    arch: Type.String({ maxLength: 32 }),
    manager: Type.Union([Type.Literal('dpkg'), Type.Literal('rpm')]),
  },
  { additionalProperties: false },
);
export type InstalledPackage = Static<typeof InstalledPackage>;

// ---- custom inventory classes (the SMS_def.mof extension analog) ----

export const CUSTOM_CLASS_NAME = '^[a-z][A-Za-z0-9]{1,39}$';
export const PROPERTY_NAME = '^[a-z][A-Za-z0-9]{0,39}$';

export const CustomClassSource = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('file'),
      path: Type.String({ minLength: 1, maxLength: 1024, pattern: '^/' }),
      /** keyvalue: `KEY=value` lines; ini: `[section]` + `key=value`, property `from` is `section.key`; json: `from` is a dotted path. */
      format: Type.Union([Type.Literal('keyvalue'), Type.Literal('ini'), Type.Literal('json')]),
      /** json only: dotted path to an array; each element becomes an instance. */
      instancesPath: Type.Optional(Type.String({ maxLength: 256 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('command'),
      /** Run with /bin/sh -c as the agent's user. */
      command: Type.String({ minLength: 1, maxLength: 4096 }),
      timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 300 })),
      /** regex: each match is an instance and `from` names a capture group; json: as for files. */
      format: Type.Union([Type.Literal('regex'), Type.Literal('json'), Type.Literal('keyvalue')]),
      pattern: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
      instancesPath: Type.Optional(Type.String({ maxLength: 256 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      /** One value read from /proc or /sys; every property reads its own path in `from`. */
      kind: Type.Literal('kernel'),
    },
    { additionalProperties: false },
  ),
]);
export type CustomClassSource = Static<typeof CustomClassSource>;

export const CustomClassProperty = Type.Object(
  {
    name: Type.String({ pattern: PROPERTY_NAME }),
    type: PropertyType,
    /** Where the value comes from: key, `section.key`, JSON path, regex group, or /proc|/sys path. */
    from: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type CustomClassProperty = Static<typeof CustomClassProperty>;

export const CustomClassDefinition = Type.Object(
  {
    name: Type.String({ pattern: CUSTOM_CLASS_NAME }),
    description: Type.String({ maxLength: 500, default: '' }),
    multiInstance: Type.Boolean({ default: false }),
    source: CustomClassSource,
    properties: Type.Array(CustomClassProperty, { minItems: 1, maxItems: 64 }),
  },
  { additionalProperties: false },
);
export type CustomClassDefinition = Static<typeof CustomClassDefinition>;

/** The shape of a custom class as the query language sees it. */
export function customClassShape(def: CustomClassDefinition): InventoryClassShape {
  return {
    name: def.name,
    description: def.description,
    multiInstance: def.multiInstance,
    properties: Object.fromEntries(def.properties.map((p) => [p.name, p.type])),
  };
}

export const DevicePackage = Type.Object({
  name: Type.String(),
  version: Type.String(),
  arch: Type.String(),
  manager: Type.String(),
});
export type DevicePackage = Static<typeof DevicePackage>;

export const InventoryChange = Type.Object({
  id: Type.String(),
  at: Type.String(),
  className: Type.String(),
  added: Type.Array(InventoryInstance),
  removed: Type.Array(InventoryInstance),
});
export type InventoryChange = Static<typeof InventoryChange>;

// ---- inventory classes ----

export const InventoryClassInfo = Type.Object({
  name: Type.String(),
  description: Type.String(),
  multiInstance: Type.Boolean(),
  builtin: Type.Boolean(),
  properties: Type.Record(Type.String(), PropertyType),
  definition: Type.Optional(CustomClassDefinition),
});
export type InventoryClassInfo = Static<typeof InventoryClassInfo>;

export const PackageReport = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('full'),
      hash: Type.String(),
      items: Type.Array(InstalledPackage, { maxItems: 100000 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('delta'),
      /** Hash of the set this delta applies to; a mismatch makes the server ask for a full report. */
      baseHash: Type.String(),
      hash: Type.String(),
      added: Type.Array(InstalledPackage, { maxItems: 100000 }),
      removed: Type.Array(InstalledPackage, { maxItems: 100000 }),
    },
    { additionalProperties: false },
  ),
]);
export type PackageReport = Static<typeof PackageReport>;

export const InventoryReportBody = Type.Object(
  {
    /** full: every class is present and replaces what the server has; delta: only changed classes. */
    kind: Type.Union([Type.Literal('full'), Type.Literal('delta')]),
    collectedAt: Type.String({ format: 'date-time' }),
    classes: Type.Record(
      Type.String({ maxLength: 64 }),
      Type.Array(InventoryInstance, { maxItems: 100000 }),
    ),
    /** Classes that no longer exist on the machine (e.g. a custom class removed from policy). */
    removedClasses: Type.Optional(Type.Array(Type.String({ maxLength: 64 }))),
    /** Classes whose collector failed this time: a full report keeps what the site holds for them. */
    failedClasses: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 500 })),
    packages: Type.Optional(PackageReport),
    /**
     * What this cycle ran: hardware inventory (classes and packages) and/or software inventory
     * (the file scan). Client activity reads it; a report without it (older agents) counts as
     * hardware inventory, and as software inventory when it carries the file-scan class.
     */
    collected: Type.Optional(
      Type.Array(Type.Union([Type.Literal('hardware'), Type.Literal('software')]), {
        maxItems: 2,
      }),
    ),
  },
  { additionalProperties: false },
);
export type InventoryReportBody = Static<typeof InventoryReportBody>;
