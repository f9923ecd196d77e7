import { Badge, Button, Group, Modal, ScrollArea, Table, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconFolderOpen, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { useCollections } from './collection-select';
import { TableSkeleton } from './table-skeleton';

/** "Browse..." to change a report's scope to another collection, as in the seed's console. */
export function CollectionBrowser(props: {
  value: string | null;
  onChange: (id: string) => void;
  label?: string;
}) {
  const [opened, { open, close }] = useDisclosure(false);
  const [search, setSearch] = useState('');
  const collections = useCollections();
  const current = collections.data?.find((c) => c.id === props.value);
  const needle = search.trim().toLowerCase();
  const rows = (collections.data ?? []).filter(
    (c) =>
      !needle ||
      c.name.toLowerCase().includes(needle) ||
      c.description.toLowerCase().includes(needle),
  );
  return (
    <>
      <Group gap="xs" wrap="nowrap">
        <Text size="sm" c="dimmed">
          {props.label ?? 'Collection'}:
        </Text>
        <Text size="sm" fw={600} data-testid="scope-collection">
          {current?.name ?? (props.value ? '…' : 'All devices')}
        </Text>
        <Button
          size="xs"
          variant="default"
          leftSection={<IconFolderOpen size={14} />}
          onClick={open}
          data-testid="browse-collection"
        >
          Browse…
        </Button>
      </Group>
      <Modal opened={opened} onClose={close} title="Select a collection" size="lg">
        <TextInput
          placeholder="Search collections"
          leftSection={<IconSearch size={15} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          mb="sm"
          data-autofocus
        />
        <ScrollArea h={380}>
          <Table className="steward-table" stickyHeader>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th ta="right">Members</Table.Th>
              </Table.Tr>
            </Table.Thead>
            {collections.isPending ? (
              <TableSkeleton columns={2} rows={6} />
            ) : (
              <Table.Tbody>
                {rows.map((c) => (
                  <Table.Tr
                    key={c.id}
                    className="clickable"
                    bg={c.id === props.value ? 'var(--mantine-primary-color-light)' : undefined}
                    onClick={() => {
                      props.onChange(c.id);
                      close();
                    }}
                    data-testid="browse-collection-row"
                  >
                    <Table.Td>
                      <Group gap={6}>
                        <Text size="sm" fw={500}>
                          {c.name}
                        </Text>
                        {c.builtin && (
                          <Badge size="xs" variant="light" color="gray">
                            built-in
                          </Badge>
                        )}
                      </Group>
                      {c.description && (
                        <Text size="xs" c="dimmed" lineClamp={1}>
                          {c.description}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td ta="right">{c.memberCount.toLocaleString()}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            )}
          </Table>
        </ScrollArea>
      </Modal>
    </>
  );
}
