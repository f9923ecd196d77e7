import { Alert, Badge, Group, Progress, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import {
  IconCpu,
  IconDeviceDesktop,
  IconDeviceFloppy,
  IconId,
  IconInfoCircle,
  IconNetwork,
  IconPlugConnected,
  IconServer,
  IconTerminal2,
  IconUsb,
} from '@tabler/icons-react';
import type { DeviceDetail, InventoryInstance } from '@steward/protocol';
import { KeyValueTable } from '../../../components/key-value-table';
import { machineTypeLabel } from '../../../components/machine-type-icon';
import { formatMegabytes } from '../../../lib/format';
import { displayValue, num, str } from '../../../lib/inventory-values';
import { InstanceTable } from './instance-table';
import { NotReported, Section } from './section';

const LABELS: Record<string, string> = {
  family: 'Family',
  name: 'Name',
  version: 'Version',
  codename: 'Code name',
  kernel: 'Kernel',
  arch: 'Architecture',
  hostname: 'Host name',
  fqdn: 'FQDN',
  vendor: 'Vendor',
  model: 'Model',
  serialNumber: 'Serial number',
  chassisType: 'Chassis type (SMBIOS)',
  virtualization: 'Virtualisation',
  hasBattery: 'Battery',
  bootTime: 'Boot time',
  sockets: 'Sockets',
  cores: 'Cores',
  threads: 'Threads',
  mhz: 'Clock (MHz)',
  totalMb: 'Total',
  availableMb: 'Available',
  swapTotalMb: 'Swap',
  releaseDate: 'Release date',
  mode: 'Boot mode',
  manufacturer: 'Manufacturer',
  product: 'Product',
  sku: 'SKU',
  uuid: 'UUID',
  boardVendor: 'Board vendor',
  boardProduct: 'Board',
};

/** A multi-instance class from /sys or /proc in a searchable table, or why there is none. */
function ClassTable(props: {
  instances: InventoryInstance[] | undefined;
  what: string;
  testId: string;
  columns: { key: string; label: string; mono?: boolean; align?: 'right' }[];
}) {
  if (props.instances === undefined) return <NotReported what={props.what} />;
  if (props.instances.length === 0)
    return (
      <Text size="sm" c="dimmed">
        None on this device (or not readable by the agent: see its status messages).
      </Text>
    );
  return (
    <InstanceTable
      instances={props.instances}
      testId={props.testId}
      pageSize={20}
      columns={props.columns}
    />
  );
}

function facts(
  instance: InventoryInstance | undefined,
  skip: string[] = [],
  mb: string[] = [],
): [string, string][] {
  if (!instance) return [];
  return Object.entries(instance)
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => [
      LABELS[k] ?? k,
      mb.includes(k) && typeof v === 'number' ? formatMegabytes(v) : displayValue(v),
    ]);
}

function DiskTable({ disks }: { disks: InventoryInstance[] }) {
  if (disks.length === 0) return <NotReported what="disks" />;
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table className="steward-table" data-testid="disk-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Mount point</Table.Th>
            <Table.Th>Device</Table.Th>
            <Table.Th>File system</Table.Th>
            <Table.Th ta="right">Size</Table.Th>
            <Table.Th ta="right">Free</Table.Th>
            <Table.Th w={220}>Used</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {disks.map((d, i) => {
            const size = num(d, 'sizeMb');
            const free = num(d, 'freeMb');
            const used = size && free !== null ? Math.round(((size - free) / size) * 100) : null;
            const color =
              used === null ? 'gray' : used >= 90 ? 'red' : used >= 75 ? 'orange' : 'teal';
            return (
              <Table.Tr key={`${str(d, 'mountPoint') ?? ''}-${i}`} data-testid="disk-row">
                <Table.Td fw={600}>{str(d, 'mountPoint') ?? '—'}</Table.Td>
                <Table.Td className="steward-mono">{str(d, 'device') ?? '—'}</Table.Td>
                <Table.Td>{str(d, 'fsType') ?? '—'}</Table.Td>
                <Table.Td ta="right">{formatMegabytes(size)}</Table.Td>
                <Table.Td ta="right">{formatMegabytes(free)}</Table.Td>
                <Table.Td>
                  {used === null ? (
                    '—'
                  ) : (
                    <Group gap={8} wrap="nowrap">
                      <Progress
                        value={used}
                        color={color}
                        size="lg"
                        radius="sm"
                        style={{ flex: 1 }}
                        aria-label={`${used}% used`}
                      />
                      <Text size="xs" w={34} ta="right">
                        {used}%
                      </Text>
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function NetworkTable({
  adapters,
  addresses,
}: {
  adapters: InventoryInstance[];
  addresses: InventoryInstance[];
}) {
  if (adapters.length === 0) return <NotReported what="network adapters" />;
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table className="steward-table" data-testid="network-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Adapter</Table.Th>
            <Table.Th>MAC address</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th ta="right">MTU</Table.Th>
            <Table.Th ta="right">Speed</Table.Th>
            <Table.Th>IP addresses</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {adapters.map((a, i) => {
            const name = str(a, 'name');
            const ips = addresses.filter((ip) => str(ip, 'adapter') === name);
            const speed = num(a, 'speedMbps');
            return (
              <Table.Tr key={`${name ?? ''}-${i}`}>
                <Table.Td>
                  <Group gap={6}>
                    <Text size="sm" fw={600}>
                      {name ?? '—'}
                    </Text>
                    {a.virtual === true && (
                      <Badge size="xs" variant="light" color="gray">
                        virtual
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td className="steward-mono">{str(a, 'mac') ?? '—'}</Table.Td>
                <Table.Td>
                  <Badge
                    size="sm"
                    variant="light"
                    color={str(a, 'state') === 'up' ? 'teal' : 'gray'}
                  >
                    {str(a, 'state') ?? 'unknown'}
                  </Badge>
                </Table.Td>
                <Table.Td ta="right">{displayValue(a.mtu)}</Table.Td>
                <Table.Td ta="right">
                  {speed && speed > 0 ? `${speed.toLocaleString()} Mb/s` : '—'}
                </Table.Td>
                <Table.Td>
                  <Stack gap={0}>
                    {ips.length === 0 ? (
                      <Text size="sm" c="dimmed">
                        —
                      </Text>
                    ) : (
                      ips.map((ip) => (
                        <Text key={str(ip, 'address')} size="sm" className="steward-mono">
                          {str(ip, 'address')}/{displayValue(ip.prefixLength)}{' '}
                          <Text span size="xs" c="dimmed">
                            {str(ip, 'family')}
                          </Text>
                        </Text>
                      ))
                    )}
                  </Stack>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function HardwareTab({ device }: { device: DeviceDetail }) {
  const inv = device.inventory;
  const machine = inv.machine?.[0];
  const reason = str(machine, 'typeReason');
  return (
    <Stack gap="xl" data-testid="hardware-tab">
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="xl">
        <Section title="Operating system" icon={<IconTerminal2 size={16} />} testId="hw-os">
          {inv.os?.[0] ? (
            <KeyValueTable rows={facts(inv.os[0])} />
          ) : (
            <NotReported what="the operating system" />
          )}
        </Section>
        <Section title="Machine" icon={<IconDeviceDesktop size={16} />} testId="hw-machine">
          {machine ? (
            <>
              <Alert
                variant="light"
                color="indigo"
                icon={<IconInfoCircle size={18} />}
                p="xs"
                data-testid="machine-type-reason"
              >
                <Text size="sm">
                  <b>{machineTypeLabel(str(machine, 'type'))}</b>
                  {reason ? ` — ${reason}` : ''}
                </Text>
              </Alert>
              <KeyValueTable rows={facts(machine, ['type', 'typeReason'])} />
            </>
          ) : (
            <NotReported what="the machine" />
          )}
        </Section>
        <Section title="Processor" icon={<IconCpu size={16} />}>
          {inv.cpu?.[0] ? (
            <KeyValueTable rows={facts(inv.cpu[0])} />
          ) : (
            <NotReported what="the processor" />
          )}
        </Section>
        <Section title="Memory" icon={<IconServer size={16} />}>
          {inv.memory?.[0] ? (
            <KeyValueTable
              rows={facts(inv.memory[0], [], ['totalMb', 'availableMb', 'swapTotalMb'])}
            />
          ) : (
            <NotReported what="memory" />
          )}
        </Section>
        <Section title="Firmware" icon={<IconId size={16} />} testId="hw-firmware">
          {inv.firmware?.[0] ? (
            <KeyValueTable rows={facts(inv.firmware[0])} />
          ) : (
            <NotReported what="the firmware" />
          )}
        </Section>
        <Section title="System identity" icon={<IconId size={16} />} testId="hw-identity">
          {inv.systemIdentity?.[0] ? (
            <KeyValueTable rows={facts(inv.systemIdentity[0])} />
          ) : (
            <NotReported what="the system identity" />
          )}
        </Section>
      </SimpleGrid>
      <Section title="Disks" icon={<IconServer size={16} />}>
        <DiskTable disks={inv.disk ?? []} />
      </Section>
      <Section title="Storage devices" icon={<IconDeviceFloppy size={16} />}>
        <ClassTable
          instances={inv.storageDevice}
          what="storage devices"
          testId="storage-device-table"
          columns={[
            { key: 'name', label: 'Device', mono: true },
            { key: 'model', label: 'Model' },
            { key: 'serialNumber', label: 'Serial number', mono: true },
            { key: 'sizeMb', label: 'Size (MB)', align: 'right' },
            { key: 'transport', label: 'Transport' },
            { key: 'rotational', label: 'Rotational' },
            { key: 'removable', label: 'Removable' },
          ]}
        />
      </Section>
      <Section title="Network adapters" icon={<IconNetwork size={16} />}>
        <NetworkTable adapters={inv.networkAdapter ?? []} addresses={inv.ipAddress ?? []} />
      </Section>
      <Section title="Listening ports" icon={<IconPlugConnected size={16} />}>
        <ClassTable
          instances={inv.listeningPort}
          what="listening ports"
          testId="listening-port-table"
          columns={[
            { key: 'protocol', label: 'Protocol' },
            { key: 'address', label: 'Address', mono: true },
            { key: 'port', label: 'Port', align: 'right' },
            { key: 'process', label: 'Process' },
            { key: 'pid', label: 'PID', align: 'right' },
            { key: 'user', label: 'User' },
          ]}
        />
      </Section>
      <Section title="PCI devices" icon={<IconCpu size={16} />}>
        <ClassTable
          instances={inv.pciDevice}
          what="PCI devices"
          testId="pci-device-table"
          columns={[
            { key: 'address', label: 'Slot', mono: true },
            { key: 'className', label: 'Class' },
            { key: 'vendorName', label: 'Vendor' },
            { key: 'deviceName', label: 'Device' },
            { key: 'vendorId', label: 'Vendor id', mono: true },
            { key: 'deviceId', label: 'Device id', mono: true },
            { key: 'driver', label: 'Driver' },
          ]}
        />
      </Section>
      <Section title="USB devices" icon={<IconUsb size={16} />}>
        <ClassTable
          instances={inv.usbDevice}
          what="USB devices"
          testId="usb-device-table"
          columns={[
            { key: 'busPath', label: 'Port', mono: true },
            { key: 'manufacturer', label: 'Manufacturer' },
            { key: 'product', label: 'Product' },
            { key: 'vendorId', label: 'Vendor id', mono: true },
            { key: 'productId', label: 'Product id', mono: true },
            { key: 'driver', label: 'Driver' },
          ]}
        />
      </Section>
    </Stack>
  );
}
