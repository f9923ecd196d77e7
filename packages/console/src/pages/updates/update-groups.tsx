import { Anchor, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconStack2 } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops } from '@steward/protocol';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { DataTable } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { FormActions, missingFields } from '../../components/form-actions';
import { NameDescriptionFields } from '../../components/name-description-fields';
import { NewButton } from '../../components/new-button';
import { RelativeTime } from '../../components/relative-time';
import { ExportButton } from '../../components/export-button';
import { useSession } from '../../session/session-context';
import { UPDATE_KEYS } from './update-labels';

export function useUpdateGroups() {
  return useQuery({
    queryKey: [UPDATE_KEYS.groups],
    queryFn: () => api.call(ops.updateGroups.listGroups, {}),
  });
}

function CreateGroupModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useMutation({
    mutationFn: () =>
      api.call(ops.updateGroups.createGroup, {
        body: {
          name: name.trim(),
          ...(description.trim() ? { description: description.trim() } : {}),
        },
      }),
    meta: { silent: true },
    onSuccess: (g) => {
      notifySuccess(`Update group ${g.name} created.`);
      void queryClient.invalidateQueries({ queryKey: [UPDATE_KEYS.groups] });
      onClose();
      void navigate(`/software/update-groups/${encodeURIComponent(g.id)}`);
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={600}>New update group</Text>}>
      <Stack gap="sm">
        <NameDescriptionFields
          name={name}
          onName={setName}
          description={description}
          onDescription={setDescription}
          saveError={create.isError ? create.error : undefined}
          nameTestId="update-group-name"
          autoFocus
        />
        <Text size="xs" c="dimmed">
          Add updates from the catalog: select them and choose “Add to update group”.
        </Text>
        <FormActions
          onCancel={onClose}
          onSubmit={() => create.mutate()}
          submitLabel="Create"
          missing={missingFields({ Name: name.trim() !== '' })}
          loading={create.isPending}
          testId="update-group-create"
        />
      </Stack>
    </Modal>
  );
}

/** Update groups: named sets of updates approved together and deployed as one. */
export function UpdateGroupsPanel() {
  const { can } = useSession();
  const groups = useUpdateGroups();
  const [opened, { open, close }] = useDisclosure(false);
  const items = groups.data?.items ?? [];
  return (
    <>
      <Group justify="space-between" mb="sm">
        <Text size="sm" c="dimmed">
          {groups.data ? `${groups.data.total.toLocaleString()} groups` : ' '}
        </Text>
        <Group gap="xs" wrap="nowrap">
          <ExportButton op={ops.exports.updateGroups} testId="update-groups-export" />
          {can('software:write') && (
            <NewButton onClick={open} testId="update-group-new">
              New update group
            </NewButton>
          )}
        </Group>
      </Group>
      <CreateGroupModal opened={opened} onClose={close} />
      {groups.isError ? (
        <ErrorState error={groups.error} what="the update groups" />
      ) : !groups.isPending && items.length === 0 ? (
        <EmptyState
          icon={<IconStack2 size={26} />}
          title="No update groups yet"
          description="A group collects updates you approve together; publish its content, then deploy it."
          compact
        />
      ) : (
        <DataTable
          testId="update-groups-table"
          loading={groups.isPending}
          minWidth={700}
          columns={[
            { label: 'Name' },
            { label: 'Updates', ta: 'right' },
            { label: 'Created by' },
            { label: 'Changed' },
          ]}
        >
          {items.map((g) => (
            <Table.Tr key={g.id} data-testid="update-group-row">
              <Table.Td>
                <Anchor
                  component={Link}
                  to={`/software/update-groups/${encodeURIComponent(g.id)}`}
                  fw={600}
                  size="sm"
                >
                  {g.name}
                </Anchor>
                {g.description && (
                  <Text size="xs" c="dimmed" lineClamp={1}>
                    {g.description}
                  </Text>
                )}
              </Table.Td>
              <Table.Td ta="right">
                {g.updateIds.length.toLocaleString()}
                {g.customUpdateIds.length > 0 && (
                  <Text span size="xs" c="dimmed">
                    {' '}
                    + {g.customUpdateIds.length.toLocaleString()} custom
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{g.createdBy}</Table.Td>
              <Table.Td>
                <RelativeTime iso={g.updatedAt} size="sm" />
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      )}
    </>
  );
}
