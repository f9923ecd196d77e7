import type { BootImageArch, CollectionDefinition } from '@steward/protocol';

/**
 * The OS-deployment built-in collections (issue 11, ADR 0076), as Configuration Manager's "All
 * Unknown Computers": their members are not devices but unknown-computer records (and, for the
 * imported one, imported computers), so their device rule matches no device. Deployments may
 * target them like any collection; the PXE decision and the boot environment read their
 * membership from those records.
 */
export const ALL_UNKNOWN_COMPUTERS = 'all-unknown-computers';
export const ALL_IMPORTED_COMPUTERS = 'all-imported-computers';
const ARCHES: readonly BootImageArch[] = ['amd64', 'arm64'];

export function unknownCollectionOfArch(arch: string): string | undefined {
  return ARCHES.find((a) => a === arch) ? `${ALL_UNKNOWN_COMPUTERS}-${arch}` : undefined;
}

const NO_DEVICE = [{ kind: 'query' as const, query: 'device.id is null' }];

export const OSD_BUILTIN_COLLECTIONS: readonly { id: string; definition: CollectionDefinition }[] =
  [
    {
      id: ALL_UNKNOWN_COMPUTERS,
      definition: {
        name: 'All Unknown Computers',
        description:
          'Machines with no agent that are not imported: every unknown-computer record, and any machine that PXE-boots unrecognised.',
        rules: NO_DEVICE,
      },
    },
    ...ARCHES.map((arch) => ({
      id: `${ALL_UNKNOWN_COMPUTERS}-${arch}`,
      definition: {
        name: `All Unknown Computers (${arch})`,
        description: `Unknown-computer records whose boot environment reported architecture ${arch}.`,
        rules: NO_DEVICE,
      },
    })),
    {
      id: ALL_IMPORTED_COMPUTERS,
      definition: {
        name: 'All Imported Computers',
        description:
          'Computers imported by MAC address or SMBIOS UUID that have not enrolled as devices yet.',
        rules: NO_DEVICE,
      },
    },
  ];
