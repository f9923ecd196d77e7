import {
  ActionIcon,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  NumberInput,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Tooltip,
} from '@mantine/core';
import { IconPencil, IconPlus, IconTrash, IconX } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  ClientSettingsOptions,
  ClientSettingsPriority,
  describeSetting,
  ops,
  settingEntries,
  shownLabel,
  type ClientSettingsObject,
  type ClientSettingsSubset,
} from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { notifyError, notifySuccess } from '../../api/errors';
import { CollectionSelect } from '../../components/collection-select';
import { ConfirmButton } from '../../components/confirm-button';
import { MissingFieldsHint, missingFields } from '../../components/form-actions';
import { ErrorState } from '../../components/error-state';
import { SettingInput } from '../../components/settings-fields';
import { BlockSkeleton } from '../../components/table-skeleton';

const KEY = ['client-settings-objects'];

/** Each value an object sets, as a person reads it. */
function describeSubset(s: ClientSettingsSubset): string {
  const parts = settingEntries(ClientSettingsOptions).flatMap(({ key, field }) =>
    s[key] === undefined ? [] : [`${shownLabel(field)}: ${describeSetting(field, s[key])}`],
  );
  return parts.length > 0 ? parts.join(' · ') : 'Nothing set';
}

interface Draft {
  id?: string;
  name: string;
  description: string;
  priority: number;
  settings: ClientSettingsSubset;
}

/**
 * Client settings objects (ADR 0025): each sets some of the declared client settings for the
 * collections it is assigned to. The lowest priority number wins each value; what no object
 * sets comes from the site settings above.
 */
export function ClientSettingsObjectsPanel({ writable }: { writable: boolean }) {
  const queryClient = useQueryClient();
  const list = useQuery({
    queryKey: KEY,
    queryFn: () => api.call(ops.clientSettingsObjects.list, {}),
  });
  const [draft, setDraft] = useState<Draft | undefined>();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: KEY });
  const remove = useMutation({
    mutationFn: (id: string) => api.call(ops.clientSettingsObjects.remove, { params: { id } }),
    onSuccess: () => {
      notifySuccess('Client settings object deleted; its devices fetch policy now.');
      refresh();
    },
    onError: (e) => notifyError(e),
  });
  const unassign = useMutation({
    mutationFn: (a: { id: string; collection: string }) =>
      api.call(ops.clientSettingsObjects.unassign, { params: a }),
    onSuccess: refresh,
    onError: (e) => notifyError(e),
  });
  const next = Math.max(0, ...(list.data ?? []).map((o) => o.priority)) + 1;

  return (
    <Paper p="md" mt="md" data-testid="client-settings-objects">
      <Group justify="space-between" mb="xs">
        <div>
          <Text fw={600}>Client settings per collection</Text>
          <Text size="sm" c="dimmed">
            Objects assigned to collections. For each value the object with the lowest priority
            number wins; values no object sets come from the site settings above.
          </Text>
        </div>
        {writable && (
          <Button
            leftSection={<IconPlus size={16} />}
            onClick={() => setDraft({ name: '', description: '', priority: next, settings: {} })}
            data-testid="new-client-settings-object"
          >
            New client settings
          </Button>
        )}
      </Group>
      {list.isError ? (
        <ErrorState error={list.error} what="the client settings objects" />
      ) : !list.data ? (
        <BlockSkeleton lines={3} />
      ) : list.data.length === 0 ? (
        <Text size="sm" c="dimmed" fs="italic">
          No client settings objects: every device runs the site settings.
        </Text>
      ) : (
        <Table className="steward-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th ta="right">Priority</Table.Th>
              <Table.Th>Name</Table.Th>
              <Table.Th>Settings</Table.Th>
              <Table.Th>Collections</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.map((o) => (
              <Table.Tr key={o.id} data-testid={`client-settings-object-${o.name}`}>
                <Table.Td ta="right">{o.priority}</Table.Td>
                <Table.Td>
                  <Text size="sm" fw={600}>
                    {o.name}
                  </Text>
                  {o.description && (
                    <Text size="xs" c="dimmed" lineClamp={1}>
                      {o.description}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{describeSubset(o.settings)}</Text>
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {o.collections.map((c) => (
                      <Badge
                        key={c.id}
                        variant="light"
                        rightSection={
                          writable ? (
                            <ActionIcon
                              size="xs"
                              variant="transparent"
                              aria-label={`Remove from ${c.name}`}
                              onClick={() => unassign.mutate({ id: o.id, collection: c.id })}
                            >
                              <IconX size={10} />
                            </ActionIcon>
                          ) : undefined
                        }
                      >
                        {c.name}
                      </Badge>
                    ))}
                    {writable && <AssignSelect object={o} onDone={refresh} />}
                  </Group>
                </Table.Td>
                <Table.Td>
                  {writable && (
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <Tooltip label="Edit">
                        <ActionIcon
                          variant="subtle"
                          aria-label={`Edit ${o.name}`}
                          onClick={() =>
                            setDraft({
                              id: o.id,
                              name: o.name,
                              description: o.description,
                              priority: o.priority,
                              settings: o.settings,
                            })
                          }
                        >
                          <IconPencil size={16} />
                        </ActionIcon>
                      </Tooltip>
                      <ConfirmButton
                        variant="subtle"
                        color="red"
                        size="compact-sm"
                        title={`Delete ${o.name}?`}
                        message="Its devices go back to the next object's values, or the site settings, at their next policy fetch."
                        confirmLabel="Delete"
                        danger
                        loading={remove.isPending}
                        onConfirm={() => remove.mutateAsync(o.id)}
                        testId={`delete-${o.name}`}
                      >
                        <IconTrash size={16} />
                      </ConfirmButton>
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {draft && (
        <ObjectModal
          draft={draft}
          onClose={() => setDraft(undefined)}
          onSaved={() => {
            setDraft(undefined);
            refresh();
          }}
        />
      )}
    </Paper>
  );
}

function AssignSelect({ object, onDone }: { object: ClientSettingsObject; onDone: () => void }) {
  const assign = useMutation({
    mutationFn: (collection: string) =>
      api.call(ops.clientSettingsObjects.assign, { params: { id: object.id, collection } }),
    onSuccess: (o) => {
      notifySuccess(`${o.name} assigned; its members fetch policy now.`);
      onDone();
    },
    onError: (e) => notifyError(e),
  });
  return (
    <CollectionSelect
      size="xs"
      w={180}
      placeholder="Assign to collection…"
      value={null}
      exclude={object.collections.map((c) => c.id)}
      onChange={(id) => id && assign.mutate(id)}
      aria-label={`Assign ${object.name} to a collection`}
    />
  );
}

function ObjectModal(props: { draft: Draft; onClose: () => void; onSaved: () => void }) {
  const [d, setD] = useState<Draft>(props.draft);
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: d.name,
        description: d.description,
        priority: d.priority,
        settings: d.settings,
      };
      return d.id === undefined
        ? api.call(ops.clientSettingsObjects.create, { body })
        : api.call(ops.clientSettingsObjects.update, { params: { id: d.id }, body });
    },
    onSuccess: () => {
      notifySuccess('Client settings saved; devices apply them with their next policy.');
      props.onSaved();
    },
    onError: (e) => notifyError(e),
  });
  // Values are checked by their declaration at the site (INVALID_INPUT names the field).
  const setValue = (key: keyof ClientSettingsSubset & string, value: unknown) => {
    const kept = Object.fromEntries(Object.entries(d.settings).filter(([k]) => k !== key));
    setD({ ...d, settings: value === undefined ? kept : { ...kept, [key]: value } });
  };
  return (
    <Modal
      opened
      onClose={props.onClose}
      title={d.id === undefined ? 'New client settings' : `Edit ${props.draft.name}`}
      size="xl"
    >
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Name"
            required
            value={d.name}
            onChange={(e) => setD({ ...d, name: e.currentTarget.value })}
            data-testid="client-settings-name"
          />
          <NumberInput
            label="Priority"
            description="The lowest number wins; unique"
            min={ClientSettingsPriority.minimum}
            max={ClientSettingsPriority.maximum}
            allowDecimal={false}
            value={d.priority}
            onChange={(v) => typeof v === 'number' && setD({ ...d, priority: v })}
            data-testid="client-settings-priority"
          />
        </SimpleGrid>
        <Textarea
          label="Description"
          value={d.description}
          onChange={(e) => setD({ ...d, description: e.currentTarget.value })}
          autosize
          minRows={1}
        />
        <Text size="sm" c="dimmed">
          Tick the values this object sets; the others come from lower-priority objects or the site
          settings.
        </Text>
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          {settingEntries(ClientSettingsOptions).map(({ key, field }) => {
            const value = d.settings[key];
            return (
              <Stack key={key} gap={4}>
                <Checkbox
                  label={`Set ${shownLabel(field).toLowerCase()}`}
                  checked={value !== undefined}
                  onChange={(e) =>
                    setValue(key, e.currentTarget.checked ? field.default : undefined)
                  }
                  data-testid={`set-${key}`}
                />
                {value !== undefined && (
                  <SettingInput
                    field={field}
                    value={value}
                    onChange={(v) => setValue(key, v)}
                    testId={`setting-${key}`}
                  />
                )}
              </Stack>
            );
          })}
        </SimpleGrid>
        <Group justify="flex-end">
          <MissingFieldsHint missing={missingFields({ Name: d.name.trim() !== '' })} />
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button
            onClick={() => save.mutate()}
            loading={save.isPending}
            disabled={d.name.trim() === ''}
            data-testid="client-settings-save"
          >
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
