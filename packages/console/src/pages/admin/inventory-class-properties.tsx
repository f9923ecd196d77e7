import { ActionIcon, Button, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { PROPERTY_NAME } from '@steward/protocol';
import type { CustomClassProperty } from '@steward/protocol';
import { FROM_HINT, TYPES } from './inventory-class-draft';
import type { Draft } from './inventory-class-draft';

/** The property rows of a custom class: name, type, and where the value comes from. */
export function InventoryClassProperties({
  d,
  set,
}: {
  d: Draft;
  set: (patch: Partial<Draft>) => void;
}) {
  const setProp = (i: number, patch: Partial<CustomClassProperty>) =>
    set({ properties: d.properties.map((p, j) => (j === i ? { ...p, ...patch } : p)) });
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Text size="sm" fw={500}>
          Properties
        </Text>
        <Button
          size="xs"
          variant="light"
          leftSection={<IconPlus size={14} />}
          onClick={() =>
            set({ properties: [...d.properties, { name: '', type: 'string', from: '' }] })
          }
          disabled={d.properties.length >= 64}
        >
          Add property
        </Button>
      </Group>
      <Text size="xs" c="dimmed">
        “From” is {FROM_HINT[d.kind]}.
      </Text>
      <Table withTableBorder verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th w={130}>Type</Table.Th>
            <Table.Th>From</Table.Th>
            <Table.Th w={40} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {d.properties.map((p, i) => (
            <Table.Tr key={i}>
              <Table.Td>
                <TextInput
                  size="xs"
                  value={p.name}
                  placeholder="version"
                  onChange={(e) => setProp(i, { name: e.currentTarget.value })}
                  error={p.name !== '' && !new RegExp(PROPERTY_NAME).test(p.name)}
                  data-testid={`prop-name-${i}`}
                />
              </Table.Td>
              <Table.Td>
                <Select
                  size="xs"
                  data={TYPES}
                  value={p.type}
                  allowDeselect={false}
                  onChange={(v) => setProp(i, { type: TYPES.find((t) => t === v) ?? 'string' })}
                />
              </Table.Td>
              <Table.Td>
                <TextInput
                  size="xs"
                  value={p.from}
                  placeholder={d.kind === 'kernel' ? '/sys/class/dmi/id/bios_version' : 'VERSION'}
                  onChange={(e) => setProp(i, { from: e.currentTarget.value })}
                  styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
                  data-testid={`prop-from-${i}`}
                />
              </Table.Td>
              <Table.Td>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  disabled={d.properties.length === 1}
                  onClick={() => set({ properties: d.properties.filter((_, j) => j !== i) })}
                  aria-label="Remove property"
                >
                  <IconTrash size={15} />
                </ActionIcon>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
