import { ExportButton } from '../../components/export-button';
import {
  Badge,
  Group,
  Modal,
  MultiSelect,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconMapPin, IconRoute, IconTopologyStar3 } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ops, type BoundaryType } from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { errorCode, errorMessage, notifySuccess } from '../../api/errors';
import { DataTable } from '../../components/data-table';
import { DeleteIconButton } from '../../components/delete-icon-button';
import { EmptyState } from '../../components/empty-state';
import { FormActions, missingFields } from '../../components/form-actions';
import { NewButton } from '../../components/new-button';
import { PageHeader } from '../../components/page-header';
import { PageTabs, useTabParam } from '../../components/page-tabs';
import { QueryView } from '../../components/query-view';
import { useSession } from '../../session/session-context';
import { keys, useBoundaries, useBoundaryGroups } from '../software/queries';
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
  const message = create.isError ? errorMessage(create.error) : undefined;
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
        <FormActions
          onCancel={onClose}
          onSubmit={() => create.mutate()}
          submitLabel="Create"
          missing={missingFields({ Name: name.trim() !== '', Value: value.trim() !== '' })}
          loading={create.isPending}
          testId="boundary-create"
        />
      </Stack>
    </Modal>
  );
}

function BoundariesTab() {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [opened, { open, close }] = useDisclosure(false);
  const boundaries = useBoundaries();
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
      <NewButton onClick={open} testId={testId}>
        New boundary
      </NewButton>
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
      <QueryView
        query={boundaries}
        what="the boundaries"
        isEmpty={list.length === 0}
        empty={
          <EmptyState
            icon={<IconMapPin size={24} />}
            title="No boundaries"
            description="Without boundaries every client gets every unprotected DP, the site server last."
            action={newButton()}
            compact
          />
        }
      >
        <DataTable
          columns={[
            { label: 'Name' },
            { label: 'Type' },
            { label: 'Value' },
            { label: 'Boundary groups' },
            { w: 60 },
          ]}
          loading={boundaries.isPending}
          skeletonRows={3}
          testId="boundary-table"
        >
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
                  <DeleteIconButton
                    name={b.name}
                    message="Clients in it no longer match it; they may get other DPs."
                    loading={remove.isPending}
                    onConfirm={() => remove.mutateAsync(b.id)}
                    testId="boundary-delete"
                  />
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      </QueryView>
      <CreateBoundaryModal opened={opened} onClose={close} />
    </Stack>
  );
}

const TABS = ['boundaries', 'groups', 'resolve'] as const;

/** Administration › Boundaries: subnets and ranges, boundary groups, and a content-location resolver. */
export function BoundariesPage() {
  const [tab, setTab] = useTabParam(TABS);
  return (
    <>
      <PageHeader
        title="Boundaries"
        description="Where clients are on the network decides which distribution points they download from, and when they may fall back."
        actions={<ExportButton op={ops.exports.boundaries} testId="boundaries-export" />}
      />
      <PageTabs
        value={tab}
        onChange={setTab}
        tabs={[
          {
            value: 'boundaries',
            label: 'Boundaries',
            icon: <IconMapPin size={15} />,
            testId: 'btab-boundaries',
            panel: <BoundariesTab />,
          },
          {
            value: 'groups',
            label: 'Boundary groups',
            icon: <IconTopologyStar3 size={15} />,
            testId: 'btab-groups',
            panel: <BoundaryGroupsTab />,
          },
          {
            value: 'resolve',
            label: 'Which DP would a client get?',
            icon: <IconRoute size={15} />,
            testId: 'btab-resolve',
            panel: <BoundaryResolver />,
          },
        ]}
      />
    </>
  );
}
