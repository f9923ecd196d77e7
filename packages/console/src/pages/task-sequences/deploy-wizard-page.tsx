import {
  Button,
  Group,
  Paper,
  PasswordInput,
  Select,
  Stack,
  Stepper,
  Switch,
  TextInput,
} from '@mantine/core';
import { IconArrowLeft, IconArrowRight, IconRocket } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  PXE_PASSWORD_MAX,
  ops,
  type TaskSequenceAvailability,
  type TaskSequenceDeploymentBody,
  type TaskSequenceRerun,
} from '@steward/protocol';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { CollectionSelect, useCollections } from '../../components/collection-select';
import { KeyValueTable } from '../../components/key-value-table';
import { PageHeader } from '../../components/page-header';
import { ProblemsAlert } from './problems-alert';
import { TS_KEY, taskSequencePath } from './task-sequence-list-page';

export const AVAILABLE_TO: { value: TaskSequenceAvailability; label: string }[] = [
  { value: 'clients', label: 'Clients (agents in the full OS)' },
  { value: 'media-and-pxe', label: 'Boot media and PXE only' },
  { value: 'clients-media-and-pxe', label: 'Clients, boot media and PXE' },
];
export const RERUN: { value: TaskSequenceRerun; label: string }[] = [
  { value: 'never', label: 'Never: once per device' },
  { value: 'if-failed', label: 'If the previous run failed' },
  { value: 'always', label: 'Always' },
];
export const TSD_KEY = 'task-sequence-deployments';
export const tsDeploymentPath = (id: string) =>
  `/software/task-sequence-deployments/${encodeURIComponent(id)}`;

/** A `datetime-local` value (the browser's zone) as a UTC instant; null when empty. */
export function utcOf(local: string): string | null {
  if (!local) return null;
  const t = new Date(local);
  return Number.isNaN(t.getTime()) ? null : t.toISOString();
}
/** A UTC instant as a `datetime-local` value in the browser's zone. */
export function localOf(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${String(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

interface Form {
  collectionId: string | null;
  version: string | null;
  name: string;
  purpose: 'available' | 'required';
  availableTo: TaskSequenceAvailability;
  availableAt: string;
  deadline: string;
  honorWindows: boolean;
  rerun: TaskSequenceRerun;
  pxePassword: string;
}

/** The field each step checks before the next one opens; undefined when it is fine. */
function stepError(f: Form, step: number): Partial<Record<keyof Form, string>> {
  const e: Partial<Record<keyof Form, string>> = {};
  if (step === 0 && !f.collectionId) e.collectionId = 'Choose the collection';
  if (step === 1) {
    if (f.purpose === 'required' && !f.deadline)
      e.deadline = 'A required deployment runs at its deadline';
    if (f.availableAt && !utcOf(f.availableAt)) e.availableAt = 'Not a date and time';
    const at = utcOf(f.availableAt);
    const dl = utcOf(f.deadline);
    if (at && dl && dl < at) e.deadline = 'The deadline is before it becomes available';
  }
  if (step === 2 && f.pxePassword) {
    if (f.pxePassword.length < 4) e.pxePassword = 'At least 4 characters';
    if (/\s/.test(f.pxePassword)) e.pxePassword = 'No spaces';
  }
  return e;
}

function bodyOf(sequenceId: string, f: Form): TaskSequenceDeploymentBody {
  return {
    sequenceId,
    collectionId: f.collectionId ?? '',
    ...(f.version ? { version: Number(f.version) } : {}),
    ...(f.name.trim() ? { name: f.name.trim() } : {}),
    purpose: f.purpose,
    availableTo: f.availableTo,
    availableAt: utcOf(f.availableAt),
    deadline: f.purpose === 'required' ? utcOf(f.deadline) : null,
    honorWindows: f.honorWindows,
    rerun: f.rerun,
    ...(f.pxePassword ? { pxePassword: f.pxePassword } : {}),
  };
}

/** Deploys one version of a task sequence to a collection, in three steps and a review. */
export function TaskSequenceDeployPage() {
  const { sequenceId = '' } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [active, setActive] = useState(0);
  const [errors, setErrors] = useState<Partial<Record<keyof Form, string>>>({});
  const [form, setForm] = useState<Form>({
    collectionId: null,
    version: null,
    name: '',
    purpose: 'available',
    availableTo: 'clients',
    availableAt: '',
    deadline: '',
    honorWindows: true,
    rerun: 'never',
    pxePassword: '',
  });
  const set = <K extends keyof Form>(k: K, v: Form[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    setErrors((e) => ({ ...e, [k]: undefined }));
  };
  const sequence = useQuery({
    queryKey: [TS_KEY, sequenceId],
    queryFn: () => api.call(ops.taskSequences.get, { params: { id: sequenceId } }),
  });
  const versions = useQuery({
    queryKey: [TS_KEY, sequenceId, 'versions'],
    queryFn: () => api.call(ops.taskSequences.versions, { params: { id: sequenceId } }),
  });
  const create = useMutation({
    mutationFn: () =>
      api.call(ops.taskSequenceDeployments.create, {
        body: bodyOf(sequence.data?.id ?? sequenceId, form),
      }),
    meta: { silent: true },
    onSuccess: (d) => {
      notifySuccess(
        `${d.sequenceName} v${String(d.version)} deployed to ${d.collectionName}.`,
        'Deployed',
      );
      void queryClient.invalidateQueries({ queryKey: [TSD_KEY] });
      void navigate(tsDeploymentPath(d.id));
    },
  });
  const next = () => {
    const e = stepError(form, active);
    setErrors(e);
    if (Object.keys(e).length === 0) setActive((a) => a + 1);
  };
  const collections = useCollections();
  const collectionName =
    collections.data?.find((c) => c.id === form.collectionId)?.name ?? form.collectionId ?? '-';
  const s = sequence.data;
  const pxe = form.availableTo !== 'clients';
  return (
    <>
      <PageHeader
        crumbs={[
          { label: 'Task sequences', to: '/software/task-sequences' },
          { label: s?.name ?? sequenceId, to: taskSequencePath(sequenceId) },
          { label: 'Deploy' },
        ]}
        title={`Deploy ${s?.name ?? ''}`}
        description="One version of the sequence, to a collection; available (offered) or required (runs at its deadline)"
        testId="tsd-wizard"
      />
      <Paper p="md">
        <Stepper active={active} onStepClick={(i) => i < active && setActive(i)} size="sm">
          <Stepper.Step label="Target" description="Collection and version">
            <Stack maw={520} mt="md">
              <CollectionSelect
                label="Collection"
                required
                value={form.collectionId}
                onChange={(v) => set('collectionId', v)}
                error={errors.collectionId}
                data-testid="tsd-collection"
              />
              <Select
                label="Version"
                placeholder={s ? `Newest (${String(s.version)})` : 'Newest'}
                clearable
                data={(versions.data ?? []).map((v) => ({
                  value: String(v.version),
                  label: `Version ${String(v.version)} (${String(v.stepCount)} steps)`,
                }))}
                value={form.version}
                onChange={(v) => set('version', v)}
                data-testid="tsd-version"
              />
              <TextInput
                label="Name"
                placeholder="The sequence's name and the collection's"
                maxLength={200}
                value={form.name}
                onChange={(e) => set('name', e.currentTarget.value)}
                data-testid="tsd-name"
              />
            </Stack>
          </Stepper.Step>
          <Stepper.Step label="Schedule" description="Purpose, when, reruns">
            <Stack maw={520} mt="md">
              <Select
                label="Purpose"
                data={[
                  { value: 'available', label: 'Available: offered, started by a person' },
                  { value: 'required', label: 'Required: runs at its deadline' },
                ]}
                allowDeselect={false}
                value={form.purpose}
                onChange={(v) => set('purpose', v === 'required' ? 'required' : 'available')}
                data-testid="tsd-purpose"
              />
              <Select
                label="Make available to"
                data={AVAILABLE_TO}
                allowDeselect={false}
                value={form.availableTo}
                onChange={(v) => {
                  const a = AVAILABLE_TO.find((x) => x.value === v);
                  if (a) set('availableTo', a.value);
                }}
                data-testid="tsd-available-to"
              />
              <TextInput
                type="datetime-local"
                label="Available from"
                description="Your local time; empty: now"
                value={form.availableAt}
                onChange={(e) => set('availableAt', e.currentTarget.value)}
                error={errors.availableAt}
                data-testid="tsd-available-at"
              />
              {form.purpose === 'required' && (
                <TextInput
                  type="datetime-local"
                  label="Deadline"
                  required
                  value={form.deadline}
                  onChange={(e) => set('deadline', e.currentTarget.value)}
                  error={errors.deadline}
                  data-testid="tsd-deadline"
                />
              )}
              <Switch
                label="Only inside the device's maintenance windows (when it has any)"
                checked={form.honorWindows}
                onChange={(e) => set('honorWindows', e.currentTarget.checked)}
                data-testid="tsd-honor-windows"
              />
              <Select
                label="Run again"
                data={RERUN}
                allowDeselect={false}
                value={form.rerun}
                onChange={(v) => {
                  const r = RERUN.find((x) => x.value === v);
                  if (r) set('rerun', r.value);
                }}
                data-testid="tsd-rerun"
              />
            </Stack>
          </Stepper.Step>
          <Stepper.Step label="PXE" description="Password at the prompt">
            <Stack maw={520} mt="md">
              <PasswordInput
                label="PXE password"
                description={
                  pxe
                    ? 'Asked at the PXE prompt of an available deployment; empty: none'
                    : 'Only used when the deployment is made available to boot media and PXE'
                }
                maxLength={PXE_PASSWORD_MAX}
                value={form.pxePassword}
                onChange={(e) => set('pxePassword', e.currentTarget.value)}
                error={errors.pxePassword}
                disabled={!pxe}
                data-testid="tsd-pxe-password"
              />
            </Stack>
          </Stepper.Step>
          <Stepper.Completed>
            <Stack maw={620} mt="md">
              {create.error ? (
                <ProblemsAlert error={create.error} title="Not deployed" testId="tsd-error" />
              ) : null}
              <KeyValueTable
                rows={[
                  ['Task sequence', s ? s.name : sequenceId],
                  ['Version', form.version ?? `newest (${String(s?.version ?? '?')})`],
                  ['Collection', collectionName],
                  ['Purpose', form.purpose],
                  ['Available to', form.availableTo],
                  ['Available from', utcOf(form.availableAt) ?? 'now'],
                  ['Deadline', form.purpose === 'required' ? (utcOf(form.deadline) ?? '-') : '-'],
                  ['Maintenance windows', form.honorWindows ? 'honoured' : 'ignored'],
                  ['Run again', form.rerun],
                  ['PXE password', form.pxePassword ? 'set' : 'none'],
                ]}
              />
            </Stack>
          </Stepper.Completed>
        </Stepper>
        <Group justify="space-between" mt="lg">
          <Button
            variant="default"
            leftSection={<IconArrowLeft size={16} />}
            disabled={active === 0}
            onClick={() => setActive((a) => a - 1)}
          >
            Back
          </Button>
          {active < 3 ? (
            <Button
              rightSection={<IconArrowRight size={16} />}
              onClick={next}
              data-testid="tsd-next"
            >
              Next
            </Button>
          ) : (
            <Button
              leftSection={<IconRocket size={16} />}
              loading={create.isPending}
              onClick={() => create.mutate()}
              data-testid="tsd-create"
            >
              Deploy
            </Button>
          )}
        </Group>
      </Paper>
    </>
  );
}
