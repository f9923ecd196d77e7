import { Badge, Group, Modal, Stack, Table, Text, TextInput } from '@mantine/core';

import { IconCalendarTime } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  MaintenanceWindowOptions,
  pickSettings,
  settingErrors,
  settingsDefaults,
  type MaintenanceWindow,
  type SettingValues,
  type MaintenanceWindowBody,
} from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { DataTable, RowActions } from '../../components/data-table';
import { DeleteIconButton } from '../../components/delete-icon-button';
import { EditButton } from '../../components/edit-button';
import { EmptyState } from '../../components/empty-state';
import { FormActions, missingFields } from '../../components/form-actions';
import { NewButton } from '../../components/new-button';
import { QueryView } from '../../components/query-view';
import { useEditModal } from '../../components/use-edit-modal';
import { SaveErrorAlert } from '../../components/save-error-alert';
import { SettingInput } from '../../components/settings-fields';
import { useSession } from '../../session/session-context';
import { dkeys } from './queries';
import {
  describeRecurrence,
  describeWallTime,
  draftOf,
  recurrenceOf,
  type RecurrenceDraft,
} from './recurrence';
import { RecurrenceInput } from './recurrence-input';
import { WindowPreview } from './window-preview';

function durationText(min: number): string {
  const h = Math.floor(min / 60);
  const m = min % 60;
  return [h ? `${h} h` : '', m ? `${m} min` : ''].filter(Boolean).join(' ') || '0 min';
}

function todayAt(hour: number): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(hour)}:00`;
}

interface FormProps {
  collectionId: string;
  existing: MaintenanceWindow | undefined;
  onClose: () => void;
}

function WindowForm({ collectionId, existing, onClose }: FormProps) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(existing?.name ?? '');
  const [start, setStart] = useState(existing?.start ?? todayAt(22));
  const [recurrence, setRecurrence] = useState<RecurrenceDraft>(
    draftOf(existing?.recurrence ?? { kind: 'daily', everyDays: 1 }),
  );
  const [settings, setSettings] = useState<SettingValues<typeof MaintenanceWindowOptions>>(
    existing
      ? pickSettings(MaintenanceWindowOptions, existing)
      : settingsDefaults(MaintenanceWindowOptions),
  );
  const save = useMutation({
    mutationFn: () => {
      const body: MaintenanceWindowBody = {
        name: name.trim(),
        start,
        recurrence: recurrenceOf(recurrence),
        ...settings,
      };
      return existing
        ? api.updateMaintenanceWindow(existing.id, body)
        : api.createMaintenanceWindow(collectionId, body);
    },
    meta: { silent: true },
    onSuccess: (w) => {
      notifySuccess(`Maintenance window “${w.name}” saved; the collection’s devices are told.`);
      void queryClient.invalidateQueries({ queryKey: dkeys.windows(collectionId) });
      onClose();
    },
  });
  const errors = settingErrors(MaintenanceWindowOptions, settings);
  // Each declared field in the form's layout; ids stay `window-duration`, `window-timeBase`...
  const input = (key: keyof typeof MaintenanceWindowOptions & string, testId = `window-${key}`) => (
    <SettingInput
      field={MaintenanceWindowOptions[key]}
      value={settings[key]}
      // The input produces values of its own field's kind (its choices, clamped numbers,
      // booleans), the declared type of `key`.
      onChange={(v) => setSettings({ ...settings, [key]: v })}
      error={errors[key]}
      testId={testId}
    />
  );
  return (
    <Stack gap="sm">
      <TextInput
        label="Name"
        required
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        data-testid="window-name"
      />
      <Group grow align="flex-start">
        <TextInput
          type="datetime-local"
          label="Starts"
          value={start}
          onChange={(e) => setStart(e.currentTarget.value)}
          data-testid="window-start"
        />
        {input('durationMinutes', 'window-duration')}
      </Group>
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          Repeats
        </Text>
        <RecurrenceInput value={recurrence} onChange={setRecurrence} />
      </Stack>
      {input('timeBase')}
      {input('appliesTo')}
      {input('enabled')}
      {save.isError && <SaveErrorAlert error={save.error} />}
      <FormActions
        onCancel={onClose}
        onSubmit={() => save.mutate()}
        submitLabel="Save"
        loading={save.isPending}
        disabled={Object.keys(errors).length > 0}
        missing={missingFields({ Name: name.trim() !== '', Start: Boolean(start) })}
        testId="window-save"
      />
    </Stack>
  );
}

/**
 * Maintenance windows of a collection. A required run starts only if its maximum run time fits
 * in the current window; overlapping windows merge; agents evaluate them offline.
 */
export function MaintenanceWindowsTab({ collectionId }: { collectionId: string }) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const editor = useEditModal<MaintenanceWindow>();
  const windows = useQuery({
    queryKey: dkeys.windows(collectionId),
    queryFn: () => api.listMaintenanceWindows(collectionId),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.deleteMaintenanceWindow(id),
    onSuccess: () => {
      notifySuccess('Maintenance window deleted.');
      void queryClient.invalidateQueries({ queryKey: dkeys.windows(collectionId) });
    },
  });
  const writable = can('deployments:write');
  const list = windows.data ?? [];
  // The empty state repeats the button without the test id: one element per test id.
  const newButton = (testId?: string) =>
    writable && (
      <NewButton onClick={editor.openNew} testId={testId}>
        New window
      </NewButton>
    );
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          Required deployments run on these devices only inside a window long enough for the
          program.
        </Text>
        {newButton('new-window')}
      </Group>
      <QueryView
        query={windows}
        what="the maintenance windows"
        isEmpty={list.length === 0}
        empty={
          <EmptyState
            icon={<IconCalendarTime size={24} />}
            title="No maintenance windows"
            description="Without windows, required deployments run whenever they are scheduled."
            action={newButton()}
            compact
          />
        }
      >
        <DataTable
          columns={[
            { label: 'Name' },
            { label: 'Starts' },
            { label: 'Duration' },
            { label: 'Repeats' },
            { label: 'Applies to' },
            { w: 160 },
          ]}
          loading={windows.isPending}
          skeletonRows={2}
          testId="window-table"
        >
          {list.map((w) => (
            <Table.Tr key={w.id} data-testid="window-row">
              <Table.Td>
                <Group gap={6}>
                  <Text size="sm" fw={600}>
                    {w.name}
                  </Text>
                  {!w.enabled && (
                    <Badge size="xs" variant="outline" color="gray">
                      disabled
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>{describeWallTime(w.start, w.timeBase)}</Table.Td>
              <Table.Td>{durationText(w.durationMinutes)}</Table.Td>
              <Table.Td>{describeRecurrence(w.recurrence)}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={w.appliesTo === 'all' ? 'indigo' : 'orange'}>
                  {w.appliesTo === 'all' ? 'all deployments' : 'software updates'}
                </Badge>
              </Table.Td>
              <Table.Td ta="right">
                {writable && (
                  <RowActions>
                    <EditButton onClick={() => editor.openEdit(w)} />
                    <DeleteIconButton
                      name={w.name}
                      message="Devices stop honouring this window at their next contact."
                      loading={remove.isPending}
                      onConfirm={() => remove.mutateAsync(w.id)}
                      testId="window-delete"
                    />
                  </RowActions>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      </QueryView>
      {list.length > 0 && <WindowPreview windows={list} />}
      <Modal
        opened={editor.opened}
        onClose={editor.close}
        title={
          <Text fw={600}>
            {editor.editing ? `Edit ${editor.editing.name}` : 'New maintenance window'}
          </Text>
        }
        size="lg"
      >
        <WindowForm
          key={editor.editing?.id ?? 'new'}
          collectionId={collectionId}
          existing={editor.editing}
          onClose={editor.close}
        />
      </Modal>
    </Stack>
  );
}
