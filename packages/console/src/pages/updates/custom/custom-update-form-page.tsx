import {
  Alert,
  Divider,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  ApiError,
  ops,
  UPDATE_SEVERITY_ORDER,
  type CustomUpdate,
  type UpdateClassification,
} from '@steward/protocol';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { api } from '../../../api/client';
import { errorCode, errorMessage, isNotFound, notifySuccess } from '../../../api/errors';
import { DeleteIconButton } from '../../../components/delete-icon-button';
import { errorField } from '../../../components/error-field';
import { ErrorState } from '../../../components/error-state';
import { FormActions, missingFields } from '../../../components/form-actions';
import { PageHeader } from '../../../components/page-header';
import { useSession } from '../../../session/session-context';
import { NotFoundPage } from '../../not-found-page';
import { UPDATE_KEYS } from '../update-labels';
import { CUSTOM_UPDATE_REFUSALS, CUSTOM_UPDATES_KEY } from './custom-update-labels';
import { bodyOf, draftOf, IDENTITY, ruleComplete, type Draft } from './custom-update-model';
import { RuleSetEditor } from './rule-set-editor';
import { CustomUpdateDevices } from './custom-update-devices';

const CLASSES: readonly UpdateClassification[] = ['security', 'updates', 'other'];
const CATALOG = '/software/updates?kind=custom';
/** Where a refusal is shown: by its code, then (for INVALID_INPUT) by the field it names. */
function placeOf(
  error: unknown,
): 'identity' | 'programs' | 'detection' | 'applicability' | 'references' | 'form' {
  const known = CUSTOM_UPDATE_REFUSALS[errorCode(error)];
  if (known && known.place !== 'form' && known.place !== 'rules') return known.place;
  const field = error instanceof ApiError ? errorField(error.details) : undefined;
  if (field === 'detection' || field === 'applicability' || field === 'references') return field;
  if (field === 'vendor' || field === 'product' || field === 'version' || field === 'title')
    return 'identity';
  return 'form';
}

function refusalText(error: unknown): string {
  const known = CUSTOM_UPDATE_REFUSALS[errorCode(error)];
  if (!known) return errorMessage(error);
  return errorCode(error) === 'INVALID_INPUT'
    ? `${known.message} ${errorMessage(error)}`
    : known.message;
}

function ProgramSelect(props: {
  label: string;
  description: string;
  value: string | null;
  onChange: (v: string | null) => void;
  error: string | undefined;
  testId: string;
}) {
  const programs = useQuery({
    queryKey: ['programs', 'all'],
    queryFn: () => api.call(ops.programs.list, {}),
  });
  return (
    <Select
      label={props.label}
      description={props.description}
      placeholder={programs.data?.length === 0 ? 'No programs in the library' : 'None'}
      data={(programs.data ?? []).map((p) => ({
        value: p.id,
        label: `${p.packageName} / ${p.name}`,
      }))}
      value={props.value}
      onChange={props.onChange}
      clearable
      searchable
      error={props.error}
      data-testid={props.testId}
    />
  );
}

function CustomUpdateForm({ update }: { update: CustomUpdate | undefined }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const [draft, setDraft] = useState<Draft>(() => draftOf(update));
  const set = (p: Partial<Draft>) => setDraft((d) => ({ ...d, ...p }));
  const save = useMutation({
    mutationFn: () => {
      const body = bodyOf(draft);
      return update
        ? api.call(ops.customUpdates.updateCustomUpdate, { params: { id: update.id }, body })
        : api.call(ops.customUpdates.createCustomUpdate, { body });
    },
    meta: { silent: true },
    onSuccess: (u) => {
      notifySuccess(update ? `“${u.title}” saved.` : `Custom update “${u.title}” created.`);
      void queryClient.invalidateQueries({ queryKey: [CUSTOM_UPDATES_KEY] });
      void navigate(CATALOG);
    },
  });
  const place = save.isError ? placeOf(save.error) : undefined;
  const err = save.isError ? refusalText(save.error) : undefined;
  const at = (p: NonNullable<typeof place>) => (place === p ? err : undefined);
  const missing = missingFields({
    Title: draft.title.trim() !== '',
    ...Object.fromEntries(IDENTITY.map(([key, label]) => [label, draft[key].trim() !== ''])),
    'Every detection rule': draft.detection.rules.every(ruleComplete),
    ...(draft.applicable
      ? { 'Every applicability rule': draft.applicability.rules.every(ruleComplete) }
      : {}),
  });
  const writable = can('software:write');
  return (
    <Paper p="lg" maw={1100}>
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <TextInput
            label="Title"
            required
            value={draft.title}
            onChange={(e) => set({ title: e.currentTarget.value })}
            data-testid="custom-title"
          />
          <Textarea
            label="Description"
            autosize
            minRows={1}
            value={draft.description}
            onChange={(e) => set({ description: e.currentTarget.value })}
            data-testid="custom-description"
          />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, md: 3 }}>
          {IDENTITY.map(([key, label]) => (
            <TextInput
              key={key}
              label={label}
              required
              value={draft[key]}
              onChange={(e) => set({ [key]: e.currentTarget.value })}
              error={key === 'vendor' ? at('identity') : undefined}
              data-testid={`custom-${key}`}
            />
          ))}
          <Select
            label="Classification"
            data={CLASSES.map((c) => ({ value: c, label: c }))}
            value={draft.classification}
            onChange={(v) => set({ classification: CLASSES.find((c) => c === v) ?? 'updates' })}
            allowDeselect={false}
            data-testid="custom-classification"
          />
          <Select
            label="Severity"
            data={UPDATE_SEVERITY_ORDER.map((s) => ({ value: s, label: s }))}
            value={draft.severity}
            onChange={(v) =>
              set({ severity: UPDATE_SEVERITY_ORDER.find((s) => s === v) ?? 'unknown' })
            }
            allowDeselect={false}
            data-testid="custom-severity"
          />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <TagsInput
            label="CVEs"
            placeholder="CVE-2026-1234, Enter"
            value={draft.cves}
            onChange={(cves) => set({ cves: cves.map((c) => c.trim().toUpperCase()) })}
            error={at('references')}
            data-testid="custom-cves"
          />
          <TagsInput
            label="Links"
            placeholder="https://… (release notes), Enter"
            value={draft.links}
            onChange={(links) => set({ links: links.map((l) => l.trim()) })}
            data-testid="custom-links"
          />
        </SimpleGrid>
        <Divider label="Detection: installed when" labelPosition="left" />
        <RuleSetEditor
          value={draft.detection}
          onChange={(detection) => set({ detection })}
          error={at('detection')}
          testId="custom-detection"
        />
        <Divider label="Applicability" labelPosition="left" />
        <Switch
          label="Only machines that match these rules need it (otherwise every machine)"
          checked={draft.applicable}
          onChange={(e) => set({ applicable: e.currentTarget.checked })}
          data-testid="custom-applicable"
        />
        {draft.applicable && (
          <RuleSetEditor
            value={draft.applicability}
            onChange={(applicability) => set({ applicability })}
            error={at('applicability')}
            testId="custom-applicability"
          />
        )}
        <Divider label="Programs" labelPosition="left" />
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <ProgramSelect
            label="Install program"
            description="A program of the content library that installs it"
            value={draft.installProgramId}
            onChange={(installProgramId) => set({ installProgramId })}
            error={at('programs')}
            testId="custom-install-program"
          />
          <ProgramSelect
            label="Uninstall program"
            description="Run by a rollback where it is installed"
            value={draft.uninstallProgramId}
            onChange={(uninstallProgramId) => set({ uninstallProgramId })}
            error={undefined}
            testId="custom-uninstall-program"
          />
        </SimpleGrid>
        {save.isError && place === 'form' && (
          <Alert
            color="red"
            variant="light"
            title="Not saved"
            data-error-code={errorCode(save.error)}
            data-testid="custom-error"
          >
            {err}
          </Alert>
        )}
        {save.isError && place !== 'form' && (
          <Text
            size="sm"
            c="red"
            data-testid="custom-error"
            data-error-code={errorCode(save.error)}
          >
            Not saved: {err}
          </Text>
        )}
        <FormActions
          onCancel={() => void navigate(CATALOG)}
          onSubmit={() => save.mutate()}
          submitLabel={update ? 'Save' : 'Create custom update'}
          loading={save.isPending}
          disabled={!writable}
          missing={missing}
          testId="custom-save"
        />
      </Stack>
    </Paper>
  );
}

/** New and edit custom update (`/software/custom-updates/new`, `/software/custom-updates/:id`). */
export function CustomUpdateFormPage() {
  const { customId = '' } = useParams();
  const editing = customId !== '';
  const { can } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const update = useQuery({
    queryKey: [CUSTOM_UPDATES_KEY, customId],
    queryFn: () => api.call(ops.customUpdates.getCustomUpdate, { params: { id: customId } }),
    enabled: editing,
  });
  const compliance = useQuery({
    queryKey: [CUSTOM_UPDATES_KEY, customId, 'compliance'],
    queryFn: () => api.call(ops.customUpdates.customUpdateCompliance, { params: { id: customId } }),
    enabled: editing,
  });
  const del = useMutation({
    mutationFn: () => api.call(ops.customUpdates.deleteCustomUpdate, { params: { id: customId } }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: [CUSTOM_UPDATES_KEY] });
      void queryClient.invalidateQueries({ queryKey: [UPDATE_KEYS.groups] });
      void navigate(CATALOG);
    },
  });
  if (editing && update.isError && isNotFound(update.error)) return <NotFoundPage />;
  const u = update.data;
  const c = compliance.data?.counts;
  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Software updates', to: CATALOG },
          { label: editing ? (u?.title ?? customId) : 'New custom update' },
        ]}
        title={editing ? `Custom update ${u?.title ?? ''}` : 'New custom update'}
        testId="custom-update-title"
        description={
          editing
            ? undefined
            : 'A third-party update: how agents recognise it (detection), which machines need it (applicability), and the programs that install and remove it.'
        }
        actions={
          editing &&
          u &&
          can('software:write') && (
            <Group gap="xs">
              <DeleteIconButton
                name={u.title}
                message="It leaves the catalog and every update group; its programs stay in the content library."
                loading={del.isPending}
                onConfirm={() => del.mutateAsync()}
                testId="custom-delete"
              />
            </Group>
          )
        }
      />
      {editing && update.isError ? (
        <ErrorState error={update.error} what="this custom update" />
      ) : editing && !u ? null : (
        <CustomUpdateForm key={u?.updatedAt ?? 'new'} update={u} />
      )}
      {editing && u && <CustomUpdateDevices customId={customId} counts={c} />}
    </>
  );
}
