import {
  Accordion,
  ActionIcon,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Tooltip,
} from '@mantine/core';
import { IconEdit, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { inventoryClassLabel } from '@steward/protocol';
import type { CustomClassDefinition, InventoryClassInfo } from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { ConfirmDialog } from '../../components/confirm-button';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { BlockSkeleton } from '../../components/table-skeleton';
import { useSession } from '../../session/session-context';
import { InventoryClassForm } from './inventory-class-form';

function Properties({ cls }: { cls: InventoryClassInfo }) {
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing={4}>
      {Object.entries(cls.properties).map(([name, type]) => (
        <Group key={name} gap={6} wrap="nowrap">
          <Code>{name}</Code>
          <Text size="xs" c="dimmed">
            {type}
          </Text>
        </Group>
      ))}
    </SimpleGrid>
  );
}

export function InventoryClassesPage() {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<{ initial?: CustomClassDefinition } | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const classes = useQuery({
    queryKey: ['inventory-classes'],
    queryFn: () => api.listInventoryClasses(),
  });
  const writable = can('inventory-classes:write');
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['inventory-classes'] });
  const remove = useMutation({
    mutationFn: (name: string) => api.deleteInventoryClass(name),
    onSuccess: () => {
      notifySuccess('Class deleted; agents stop collecting it with their next policy.');
      refresh();
    },
  });
  const list = [...(classes.data ?? [])].sort(
    (a, b) => Number(a.builtin) - Number(b.builtin) || a.name.localeCompare(b.name),
  );
  const custom = list.filter((c) => !c.builtin);
  const builtin = list.filter((c) => c.builtin);

  const item = (cls: InventoryClassInfo) => (
    <Accordion.Item key={cls.name} value={cls.name} data-testid="inventory-class">
      <Accordion.Control>
        <Group justify="space-between" pr="sm" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Text fw={600} size="sm">
              {inventoryClassLabel(cls.name)}
            </Text>
            <Text size="xs" c="dimmed" ff="monospace">
              {cls.name}
            </Text>
            <Badge size="xs" variant="light" color={cls.builtin ? 'gray' : 'grape'}>
              {cls.builtin ? 'built-in' : `custom · ${cls.definition?.source.kind ?? ''}`}
            </Badge>
            {cls.multiInstance && (
              <Badge size="xs" variant="outline" color="gray">
                many per device
              </Badge>
            )}
            <Text size="sm" c="dimmed" truncate>
              {cls.description}
            </Text>
          </Group>
          <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
            {Object.keys(cls.properties).length} properties
          </Text>
        </Group>
      </Accordion.Control>
      <Accordion.Panel>
        <Stack gap="sm">
          <Properties cls={cls} />
          {!cls.builtin && writable && cls.definition && (
            <Group gap="xs">
              <Button
                size="xs"
                variant="default"
                leftSection={<IconEdit size={14} />}
                onClick={() => setEditing({ initial: cls.definition })}
              >
                Edit
              </Button>
              <Tooltip label="Delete this class" withArrow>
                <ActionIcon
                  variant="light"
                  color="red"
                  onClick={() => setDeleting(cls.name)}
                  aria-label={`Delete ${cls.name}`}
                >
                  <IconTrash size={15} />
                </ActionIcon>
              </Tooltip>
            </Group>
          )}
        </Stack>
      </Accordion.Panel>
    </Accordion.Item>
  );

  return (
    <>
      <PageHeader
        title="Inventory classes"
        description="What agents collect. Add classes from files, command output and /proc or /sys values; they appear in queries and on device pages."
        actions={
          writable && (
            <Button
              leftSection={<IconPlus size={16} />}
              onClick={() => setEditing({})}
              data-testid="new-class"
            >
              New class
            </Button>
          )
        }
      />
      {classes.isError ? (
        <ErrorState error={classes.error} what="the inventory classes" />
      ) : classes.isPending ? (
        <Paper p="md">
          <BlockSkeleton lines={8} />
        </Paper>
      ) : (
        <Stack gap="lg">
          <div>
            <Text fw={600} size="sm" mb="xs">
              Custom classes ({custom.length})
            </Text>
            {custom.length === 0 ? (
              <Paper p="md">
                <Text size="sm" c="dimmed">
                  None yet. A custom class reads, for example, the version of a backup agent from
                  its configuration file, or the BIOS version from /sys/class/dmi/id/bios_version.
                </Text>
              </Paper>
            ) : (
              <Accordion variant="separated" multiple>
                {custom.map(item)}
              </Accordion>
            )}
          </div>
          <div>
            <Text fw={600} size="sm" mb="xs">
              Built-in classes ({builtin.length})
            </Text>
            <Accordion variant="separated" multiple data-testid="builtin-classes">
              {builtin.map(item)}
            </Accordion>
          </div>
        </Stack>
      )}
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={
          <Text fw={600}>
            {editing?.initial ? `Edit ${editing.initial.name}` : 'New inventory class'}
          </Text>
        }
        size="xl"
      >
        {editing && (
          <InventoryClassForm
            initial={editing.initial}
            onCancel={() => setEditing(null)}
            onSubmit={async (def) => {
              if (editing.initial) await api.updateInventoryClass(def.name, def);
              else await api.createInventoryClass(def);
              notifySuccess(`Class ${def.name} saved; agents collect it after their next policy.`);
              setEditing(null);
              refresh();
            }}
          />
        )}
      </Modal>
      <ConfirmDialog
        opened={deleting !== null}
        onClose={() => setDeleting(null)}
        title={`Delete class ${deleting ?? ''}?`}
        message="Agents stop collecting it and its data is removed from every device. Collections whose queries use it must be changed first."
        confirmLabel="Delete class"
        loading={remove.isPending}
        onConfirm={() => (deleting ? remove.mutateAsync(deleting) : undefined)}
      />
    </>
  );
}
