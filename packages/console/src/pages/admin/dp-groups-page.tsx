import {
  Alert,
  Badge,
  Button,
  CloseButton,
  Group,
  Modal,
  MultiSelect,
  Paper,
  SimpleGrid,
  Stack,
  Text,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconAlertTriangle, IconServerBolt, IconTruckDelivery } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { DpGroup } from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { DeleteIconButton } from '../../components/delete-icon-button';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { Fact } from '../../components/fact';
import { FormActions, missingFields } from '../../components/form-actions';
import { NameDescriptionFields } from '../../components/name-description-fields';
import { NewButton } from '../../components/new-button';
import { PageHeader } from '../../components/page-header';
import { BlockSkeleton } from '../../components/table-skeleton';
import { useSession } from '../../session/session-context';
import { keys, useDistributionPoints, useDpGroups, usePackages } from '../software/queries';

function CreateGroupModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const dps = useDistributionPoints();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [members, setMembers] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: () =>
      api.createDpGroup({ name: name.trim(), description: description.trim(), memberIds: members }),
    meta: { silent: true },
    onSuccess: (g) => {
      notifySuccess(`Group ${g.name} created.`);
      void queryClient.invalidateQueries({ queryKey: keys.dpGroups });
      setName('');
      setDescription('');
      setMembers([]);
      onClose();
    },
  });
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={<Text fw={600}>New distribution point group</Text>}
    >
      <Stack gap="sm">
        <NameDescriptionFields
          name={name}
          onName={setName}
          description={description}
          onDescription={setDescription}
          saveError={create.isError ? create.error : undefined}
          nameTestId="dp-group-name"
        />
        <MultiSelect
          label="Members"
          data={(dps.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
          value={members}
          onChange={setMembers}
          searchable
        />
        <FormActions
          onCancel={onClose}
          onSubmit={() => create.mutate()}
          submitLabel="Create"
          missing={missingFields({ Name: name.trim() !== '' })}
          loading={create.isPending}
          testId="dp-group-create"
        />
      </Stack>
    </Modal>
  );
}

function GroupCard({ g }: { g: DpGroup }) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const dps = useDistributionPoints();
  const packages = usePackages();
  const [adding, setAdding] = useState<string[]>([]);
  const dpName = (id: string) => dps.data?.find((d) => d.id === id)?.name ?? id;
  const pkgName = (id: string) => packages.data?.find((p) => p.id === id)?.name ?? id;
  const done = (next: DpGroup) => {
    queryClient.setQueryData<DpGroup[]>(keys.dpGroups, (old) =>
      old?.map((x) => (x.id === next.id ? next : x)),
    );
    void queryClient.invalidateQueries({ queryKey: keys.dpGroups });
    void queryClient.invalidateQueries({ queryKey: keys.distributionPoints });
  };
  const add = useMutation({
    mutationFn: () => api.addDpGroupMembers(g.id, adding),
    onSuccess: (next) => {
      setAdding([]);
      done(next);
    },
  });
  const removeMember = useMutation({
    mutationFn: (dp: string) => api.removeDpGroupMember(g.id, dp),
    onSuccess: done,
  });
  const distribute = useMutation({
    mutationFn: () => api.distributeToNewMembers(g.id),
    onSuccess: (next) => {
      notifySuccess(`The group’s packages are being distributed to its new members.`);
      done(next);
      void queryClient.invalidateQueries({ queryKey: keys.packages });
    },
  });
  const remove = useMutation({
    mutationFn: () => api.deleteDpGroup(g.id),
    onSuccess: () => {
      notifySuccess(`Group ${g.name} deleted; its DPs keep the content they hold.`);
      void queryClient.invalidateQueries({ queryKey: keys.dpGroups });
    },
  });
  const writable = can('software:write');
  const candidates = (dps.data ?? []).filter((d) => !g.memberIds.includes(d.id));
  return (
    <Paper p="md" data-testid="dp-group" data-group-name={g.name}>
      <Group justify="space-between" align="flex-start" mb="xs">
        <div>
          <Text fw={650}>{g.name}</Text>
          {g.description && (
            <Text size="xs" c="dimmed">
              {g.description}
            </Text>
          )}
        </div>
        {writable && (
          <DeleteIconButton
            name={g.name}
            message="The group is deleted; its members keep the content they hold."
            loading={remove.isPending}
            onConfirm={() => remove.mutateAsync()}
            testId="dp-group-delete"
          />
        )}
      </Group>
      {g.membersMissingContent.length > 0 && (
        <Alert
          color="orange"
          variant="light"
          icon={<IconAlertTriangle size={18} />}
          mb="sm"
          title="Members without the group’s content"
          data-testid="dp-group-missing"
        >
          <Stack gap={6}>
            <Text size="sm">
              Adding a distribution point to a group does not distribute the group’s packages to it.
            </Text>
            {g.membersMissingContent.map((m) => (
              <Text size="sm" key={m.dpId}>
                <b>{dpName(m.dpId)}</b> lacks {m.missingPackageIds.map(pkgName).join(', ')}
              </Text>
            ))}
            {writable && (
              <Group>
                <Button
                  size="xs"
                  leftSection={<IconTruckDelivery size={14} />}
                  loading={distribute.isPending}
                  onClick={() => distribute.mutate()}
                  data-testid="dp-group-distribute-new"
                >
                  Distribute to new members
                </Button>
              </Group>
            )}
          </Stack>
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Fact label={`Members (${g.memberIds.length})`} gap={6}>
          <Group gap={6}>
            {g.memberIds.map((id) => (
              <Badge
                key={id}
                variant="light"
                rightSection={
                  writable ? (
                    <CloseButton
                      size="xs"
                      onClick={() => removeMember.mutate(id)}
                      aria-label={`Remove ${dpName(id)}`}
                    />
                  ) : undefined
                }
              >
                {dpName(id)}
              </Badge>
            ))}
            {g.memberIds.length === 0 && (
              <Text size="sm" c="dimmed">
                none
              </Text>
            )}
          </Group>
          {writable && candidates.length > 0 && (
            <Group gap="xs" align="flex-end">
              <MultiSelect
                size="xs"
                placeholder="Add members"
                data={candidates.map((d) => ({ value: d.id, label: d.name }))}
                value={adding}
                onChange={setAdding}
                searchable
                style={{ flex: 1 }}
                data-testid="dp-group-add-select"
              />
              <Button
                size="xs"
                disabled={adding.length === 0}
                loading={add.isPending}
                onClick={() => add.mutate()}
                data-testid="dp-group-add"
              >
                Add
              </Button>
            </Group>
          )}
        </Fact>
        <Fact label={`Packages (${g.packageIds.length})`} gap={6}>
          <Group gap={6}>
            {g.packageIds.map((id) => (
              <Badge key={id} variant="outline" color="gray">
                {pkgName(id)}
              </Badge>
            ))}
            {g.packageIds.length === 0 && (
              <Text size="sm" c="dimmed">
                none — distribute a package to this group from the package’s Content status
              </Text>
            )}
          </Group>
        </Fact>
      </SimpleGrid>
    </Paper>
  );
}

/** Administration › Distribution point groups. */
export function DpGroupsPage() {
  const { can } = useSession();
  const groups = useDpGroups();
  const [opened, { open, close }] = useDisclosure(false);
  // The empty state repeats the button without the test id: one element per test id.
  const newButton = (testId?: string) =>
    can('software:write') && (
      <NewButton onClick={open} testId={testId}>
        New group
      </NewButton>
    );
  const list = [...(groups.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <>
      <PageHeader
        title="Distribution point groups"
        description="Distributing a package to a group targets every member at that moment."
        actions={newButton('new-dp-group')}
      />
      {groups.isError ? (
        <ErrorState error={groups.error} what="the DP groups" />
      ) : groups.isPending ? (
        <Paper p="md">
          <BlockSkeleton lines={5} />
        </Paper>
      ) : list.length === 0 ? (
        <Paper p="md">
          <EmptyState
            icon={<IconServerBolt size={24} />}
            title="No DP groups"
            description="Group distribution points (e.g. by region) to distribute packages to all of them at once."
            action={newButton()}
          />
        </Paper>
      ) : (
        <Stack gap="md">
          {list.map((g) => (
            <GroupCard key={g.id} g={g} />
          ))}
        </Stack>
      )}
      <CreateGroupModal opened={opened} onClose={close} />
    </>
  );
}
