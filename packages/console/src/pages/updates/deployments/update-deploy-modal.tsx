import { Button, Group, Modal, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconRocket } from '@tabler/icons-react';
import { useMutation, useQueries, useQueryClient } from '@tanstack/react-query';
import {
  ops,
  settingsDefaults,
  UpdateDeploymentOptions,
  UpdateDeploymentSharedOptions,
  type SettingValues,
} from '@steward/protocol';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api } from '../../../api/client';
import { errorMessage } from '../../../api/errors';
import { CollectionSelect } from '../../../components/collection-select';
import { SettingsFields } from '../../../components/settings-fields';
import { CUSTOM_UPDATES_KEY } from '../custom/custom-update-labels';
import { UPDATE_DEPLOYMENTS_KEY } from './update-deployment-labels';

type Shared = SettingValues<typeof UpdateDeploymentSharedOptions>;
type Own = SettingValues<typeof UpdateDeploymentOptions>;

/**
 * What the deployment installs: the group's apt updates (one apt transaction) and each custom
 * update by its install program, the custom ones named with their programs.
 */
function DeployContents(props: { updates: number; customUpdateIds: readonly string[] }) {
  const custom = useQueries({
    queries: props.customUpdateIds.map((id) => ({
      queryKey: [CUSTOM_UPDATES_KEY, id],
      queryFn: () => api.call(ops.customUpdates.getCustomUpdate, { params: { id } }),
    })),
  });
  return (
    <Stack gap={4} data-testid="update-deploy-contents">
      <Text size="sm">
        {props.updates.toLocaleString()} apt updates and{' '}
        {props.customUpdateIds.length.toLocaleString()} custom updates.
      </Text>
      {custom.map((q, i) => {
        const u = q.data;
        return (
          <Text
            key={props.customUpdateIds[i]}
            size="xs"
            c="dimmed"
            data-testid="update-deploy-custom"
          >
            {u
              ? `${u.title} (custom): ${
                  u.installProgram
                    ? `installed by ${u.installProgram.packageName} / ${u.installProgram.name}`
                    : 'no install program, so devices that need it fail'
                }`
              : (props.customUpdateIds[i] ?? '')}
          </Text>
        );
      })}
    </Stack>
  );
}

/**
 * The deploy wizard of an update group (issue 10): the collection, when the updates are offered
 * and by when they must be installed, then every option as declared in protocol (postpone,
 * windows, pre-download, restarts, rehearsal first...). A form added to the declarations shows
 * here with no change.
 */
export function UpdateDeployButton({
  groupId,
  groupName,
  updates,
  customUpdateIds,
  disabled,
}: {
  /**
   * The group to deploy, or chosen updates (catalog and custom ids) deployed in one step: the
   * site makes their group, named after the deployment, and publishes it.
   */
  groupId: string | { selection: readonly string[] };
  groupName: string;
  /** How many apt updates the group holds. */
  updates: number;
  /** The group's custom updates (ADR 0083), named in the wizard: their programs run too. */
  customUpdateIds: readonly string[];
  disabled: boolean;
}) {
  const [opened, { open, close }] = useDisclosure(false);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [collectionId, setCollectionId] = useState<string | null>(null);
  const [availableAt, setAvailableAt] = useState('');
  const [deadline, setDeadline] = useState('');
  const [shared, setShared] = useState<Shared>(() =>
    settingsDefaults(UpdateDeploymentSharedOptions),
  );
  const [own, setOwn] = useState<Own>(() => settingsDefaults(UpdateDeploymentOptions));
  const selection = typeof groupId === 'string' ? null : groupId.selection;
  const create = useMutation({
    mutationFn: () => {
      const body = {
        collectionId: collectionId ?? '',
        ...(name.trim() ? { name: name.trim() } : {}),
        ...(availableAt ? { availableAt } : {}),
        ...(deadline ? { deadline } : {}),
        ...shared,
        ...own,
      };
      return typeof groupId === 'string'
        ? api.call(ops.updateDeployments.createUpdateDeployment, { body: { ...body, groupId } })
        : api.call(ops.updateDeployments.deploySelectedUpdates, {
            body: { ...body, updateIds: [...groupId.selection] },
          });
    },
    onSuccess: (d) => {
      void queryClient.invalidateQueries({ queryKey: [UPDATE_DEPLOYMENTS_KEY] });
      close();
      void navigate(`/software/update-deployments/${encodeURIComponent(d.id)}`);
    },
  });
  return (
    <>
      <Button
        leftSection={<IconRocket size={16} />}
        onClick={open}
        disabled={disabled}
        data-testid={selection ? 'update-selection-deploy' : 'update-group-deploy'}
      >
        {selection ? 'Deploy selected' : 'Deploy'}
      </Button>
      <Modal opened={opened} onClose={close} size="xl" title={`Deploy ${groupName}`}>
        <Stack gap="md">
          <DeployContents updates={updates} customUpdateIds={customUpdateIds} />
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <TextInput
              label="Name"
              placeholder={selection ? 'Selected updates <time>' : `${groupName} (updates)`}
              description={
                selection ? 'Also the name of the update group made of the selection' : undefined
              }
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              data-testid="update-deploy-name"
            />
            <CollectionSelect
              label="Collection"
              required
              value={collectionId}
              onChange={setCollectionId}
              data-testid="update-deploy-collection"
            />
            <TextInput
              type="datetime-local"
              label="Available from"
              description="Offered (and pre-downloaded) from this time; now when empty"
              value={availableAt}
              onChange={(e) => setAvailableAt(e.currentTarget.value)}
              data-testid="update-deploy-available"
            />
            <TextInput
              type="datetime-local"
              label="Deadline"
              description="Installed by this time; without one the updates are only offered"
              value={deadline}
              onChange={(e) => setDeadline(e.currentTarget.value)}
              data-testid="update-deploy-deadline"
            />
          </SimpleGrid>
          <Title order={6}>Schedule and content</Title>
          <SettingsFields
            declaration={UpdateDeploymentSharedOptions}
            values={shared}
            onChange={(key, value) => setShared((v) => ({ ...v, [key]: value }))}
            testIdPrefix="update-deploy"
          />
          <Title order={6}>Install and restart</Title>
          <SettingsFields
            declaration={UpdateDeploymentOptions}
            values={own}
            onChange={(key, value) => setOwn((v) => ({ ...v, [key]: value }))}
            testIdPrefix="update-deploy"
          />
          {create.isError && (
            <Text c="red" size="sm" data-testid="update-deploy-error">
              {errorMessage(create.error)}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              loading={create.isPending}
              disabled={collectionId === null}
              onClick={() => create.mutate()}
              data-testid="update-deploy-submit"
            >
              Deploy
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
