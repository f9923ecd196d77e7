import {
  Badge,
  Button,
  Group,
  Modal,
  MultiSelect,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconMapPin, IconPlus, IconRoute, IconTopologyStar3, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { BoundaryType } from '@steward/protocol';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api } from '../../api/client';
import { errorCode, errorMessage, notifySuccess } from '../../api/errors';
import { ConfirmButton } from '../../components/confirm-button';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { TableSkeleton } from '../../components/table-skeleton';
import { useSession } from '../../session/session-context';
import { keys, useBoundaryGroups } from '../software/queries';
import { BoundaryGroupsTab } from './boundary-groups-tab';
import { BoundaryResolver } from './boundary-resolver';

function CreateBoundaryModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const groups = useBoundaryGroups();
  const [name, setName] = useState('');
  const [type, setType] = useState<BoundaryType>('subnet');
  const [value, setValue] = useState('');
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: () =>
      api.createBoundary({
        name: name.trim(),
        type,
        value: value.trim(),
        boundaryGroupIds: groupIds,
      }),
    meta: { silent: true },
    onSuccess: (b) => {
      notifySuccess(`Boundary ${b.name} created.`);
      void queryClient.invalidateQueries({ queryKey: keys.boundaries });
      void queryClient.invalidateQueries({ queryKey: keys.boundaryGroups });
      setName('');
      setValue('');
      setGroupIds([]);
      onClose();
    },
  });
  const code = create.isError ? errorCode(create.error) : '';
  const message = create.isError ? `${code}: ${errorMessage(create.error)}` : undefined;
  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={600}>New boundary</Text>}>
      <Stack gap="sm">
        <TextInput
          label="Name"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={code.includes('NAME') ? message : undefined}
          data-testid="boundary-name"
        />
        <SegmentedControl
          value={type}
          onChange={(v) => setType(v === 'range' ? 'range' : 'subnet')}
          data={[
            { value: 'subnet', label: 'IP subnet' },
            { value: 'range', label: 'IP address range' },
          ]}
        />
        <TextInput
          label={type === 'subnet' ? 'Subnet' : 'Range'}
          placeholder={type === 'subnet' ? '10.1.0.0/16 or 2001:db8::/48' : '10.1.0.10-10.1.0.200'}
          required
          value={value}
          onChange={(e) => setValue(e.currentTarget.value)}
          error={!code.includes('NAME') ? message : undefined}
          data-testid="boundary-value"
        />
        <MultiSelect
          label="Boundary groups"
          data={(groups.data ?? []).map((g) => ({ value: g.id, label: g.name }))}
          value={groupIds}
          onChange={setGroupIds}
          searchable
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            onClick={() => create.mutate()}
            disabled={!name.trim() || !value.trim()}
            loading={create.isPending}
            data-testid="boundary-create"
          >
            Create
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function BoundariesTab() {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [opened, { open, close }] = useDisclosure(false);
  const boundaries = useQuery({ queryKey: keys.boundaries, queryFn: () => api.listBoundaries() });
  const groups = useBoundaryGroups();
  const remove = useMutation({
    mutationFn: (id: string) => api.deleteBoundary(id),
    onSuccess: () => {
      notifySuccess('Boundary deleted.');
      void queryClient.invalidateQueries({ queryKey: keys.boundaries });
      void queryClient.invalidateQueries({ queryKey: keys.boundaryGroups });
    },
  });
  const writable = can('software:write');
  // The empty state repeats the button without the test id: one element per test id.
  const newButton = (testId?: string) =>
    writable && (
      <Button leftSection={<IconPlus size={16} />} onClick={open} data-testid={testId}>
        New boundary
      </Button>
    );
  const groupName = (id: string) => groups.data?.find((g) => g.id === id)?.name ?? id;
  const list = [...(boundaries.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          A client belongs to every boundary its address falls in, and so to their boundary groups.
        </Text>
        {newButton('new-boundary')}
      </Group>
      {boundaries.isError ? (
        <ErrorState error={boundaries.error} what="the boundaries" />
      ) : !boundaries.isPending && list.length === 0 ? (
        <EmptyState
          icon={<IconMapPin size={24} />}
          title="No boundaries"
          description="Without boundaries every client gets every unprotected DP, the site server last."
          action={newButton()}
          compact
        />
      ) : (
        <Table className="steward-table" data-testid="boundary-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>Value</Table.Th>
              <Table.Th>Boundary groups</Table.Th>
              <Table.Th w={60} />
            </Table.Tr>
          </Table.Thead>
          {boundaries.isPending ? (
            <TableSkeleton columns={5} rows={3} />
          ) : (
            <Table.Tbody>
              {list.map((b) => (
                <Table.Tr key={b.id} data-testid="boundary-row">
                  <Table.Td fw={600}>{b.name}</Table.Td>
                  <Table.Td>{b.type === 'subnet' ? 'Subnet' : 'Range'}</Table.Td>
                  <Table.Td className="steward-mono">{b.value}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {b.boundaryGroupIds.map((id) => (
                        <Badge key={id} variant="light" size="sm">
                          {groupName(id)}
                        </Badge>
                      ))}
                      {b.boundaryGroupIds.length === 0 && (
                        <Text size="xs" c="dimmed">
                          in no group
                        </Text>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td ta="right">
                    {writable && (
                      <ConfirmButton
                        size="xs"
                        variant="subtle"
                        color="red"
                        px={6}
                        title={`Delete ${b.name}?`}
                        message="Clients in it no longer match it; they may get other DPs."
                        confirmLabel="Delete"
                        loading={remove.isPending}
                        onConfirm={() => remove.mutateAsync(b.id)}
                        testId="boundary-delete"
                      >
                        <IconTrash size={15} />
                      </ConfirmButton>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          )}
        </Table>
      )}
      <CreateBoundaryModal opened={opened} onClose={close} />
    </Stack>
  );
}

const TABS = ['boundaries', 'groups', 'resolve'] as const;

/** Administration › Boundaries: subnets and ranges, boundary groups, and a content-location resolver. */
export function BoundariesPage() {
  const [params, setParams] = useSearchParams();
  const tab = TABS.find((t) => t === params.get('tab')) ?? 'boundaries';
  return (
    <>
      <PageHeader
        title="Boundaries"
        description="Where clients are on the network decides which distribution points they download from, and when they may fall back."
      />
      <Tabs
        value={tab}
        onChange={(v) => setParams(v && v !== 'boundaries' ? { tab: v } : {}, { replace: true })}
        variant="outline"
        keepMounted={false}
      >
        <Tabs.List>
          <Tabs.Tab
            value="boundaries"
            leftSection={<IconMapPin size={15} />}
            data-testid="btab-boundaries"
          >
            Boundaries
          </Tabs.Tab>
          <Tabs.Tab
            value="groups"
            leftSection={<IconTopologyStar3 size={15} />}
            data-testid="btab-groups"
          >
            Boundary groups
          </Tabs.Tab>
          <Tabs.Tab
            value="resolve"
            leftSection={<IconRoute size={15} />}
            data-testid="btab-resolve"
          >
            Which DP would a client get?
          </Tabs.Tab>
        </Tabs.List>
        <Paper p="md" style={{ borderTopLeftRadius: 0, borderTopRightRadius: 0, borderTop: 0 }}>
          <Tabs.Panel value="boundaries">
            <BoundariesTab />
          </Tabs.Panel>
          <Tabs.Panel value="groups">
            <BoundaryGroupsTab />
          </Tabs.Panel>
          <Tabs.Panel value="resolve">
            <BoundaryResolver />
          </Tabs.Panel>
        </Paper>
      </Tabs>
    </>
  );
}
