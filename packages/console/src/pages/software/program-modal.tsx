import {
  Divider,
  Group,
  Modal,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Package, Program, ProgramBody } from '@steward/protocol';
import { ApiError, ProgramOptions } from '@steward/protocol';
import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { api } from '../../api/client';
import { errorCode, errorMessage, notifySuccess } from '../../api/errors';
import {
  emptyProgramForm,
  programBodyOf,
  programFieldOfError,
  programFormOf,
  type ProgramField,
  type ProgramForm,
} from './program-form-model';
import { keys, usePrograms } from './queries';
import { SettingInput } from '../../components/settings-fields';
import { FormActions } from '../../components/form-actions';
import { SaveErrorAlert } from '../../components/save-error-alert';

interface ProgramModalProps {
  pkg: Package;
  /** Edit this program; create one when undefined. */
  program: Program | undefined;
  opened: boolean;
  onClose: () => void;
}

export function ProgramModal(props: ProgramModalProps) {
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={<Text fw={600}>{props.program ? `Edit ${props.program.name}` : 'New program'}</Text>}
      size="xl"
    >
      <ProgramFormView {...props} />
    </Modal>
  );
}

function intOrEmpty(v: string | number): number | '' {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : '';
}

function ProgramFormView({ pkg, program, onClose }: ProgramModalProps) {
  const queryClient = useQueryClient();
  const all = usePrograms();
  const [form, setForm] = useState<ProgramForm>(() =>
    program ? programFormOf(program) : emptyProgramForm(),
  );
  const [errors, setErrors] = useState<Partial<Record<ProgramField, string>>>({});
  const [siteError, setSiteError] = useState<unknown>(null);
  const set = <K extends ProgramField>(k: K, v: ProgramForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    setErrors((e) => ({ ...e, [k]: undefined }));
  };
  const save = useMutation({
    mutationFn: (body: ProgramBody) =>
      program ? api.updateProgram(program.id, body) : api.createProgram(pkg.id, body),
    meta: { silent: true },
    onSuccess: (p) => {
      notifySuccess(`Program “${p.name}” saved.`);
      void queryClient.invalidateQueries({ queryKey: ['programs'] });
      void queryClient.invalidateQueries({ queryKey: keys.packages });
      void queryClient.invalidateQueries({ queryKey: keys.package(pkg.id) });
      onClose();
    },
    onError: (err) => {
      const field = programFieldOfError(
        errorCode(err),
        err instanceof ApiError ? err.details : undefined,
      );
      if (field) {
        setErrors((e) => ({ ...e, [field]: `${errorCode(err)}: ${errorMessage(err)}` }));
        setSiteError(null);
      } else setSiteError(err);
    },
  });
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const r = programBodyOf(form);
    if (!r.ok) {
      setErrors(r.errors);
      return;
    }
    save.mutate(r.body);
  };
  const dependencyOptions = (all.data ?? [])
    .filter((p) => p.id !== program?.id)
    .map((p) => ({ value: p.id, label: `${p.packageName} › ${p.name}` }));

  return (
    <form onSubmit={submit} data-testid="program-form">
      <Stack gap="sm">
        <SimpleGrid cols={2}>
          <TextInput
            label="Name"
            required
            value={form.name}
            onChange={(e) => set('name', e.currentTarget.value)}
            error={errors.name}
            data-autofocus
            data-testid="program-name"
          />
          <TextInput
            label="Working directory"
            description="Inside the package; '.' is its root"
            value={form.workingDirectory}
            onChange={(e) => set('workingDirectory', e.currentTarget.value)}
            error={errors.workingDirectory}
            data-testid="program-working-directory"
          />
        </SimpleGrid>
        <Textarea
          label="Command line"
          description="Run by /bin/sh -c in the working directory"
          required
          autosize
          minRows={1}
          value={form.commandLine}
          onChange={(e) => set('commandLine', e.currentTarget.value)}
          error={errors.commandLine}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          data-testid="program-command"
        />
        <SimpleGrid cols={3}>
          {/* Who runs it and for how long: rendered from the protocol's declaration. */}
          <SettingInput
            field={ProgramOptions.runAs}
            value={form.runAs}
            onChange={(v) => set('runAs', v === 'user' ? 'user' : 'root')}
            testId="program-run-as"
          />
          <SettingInput
            field={ProgramOptions.maxRunMinutes}
            value={form.maxRunMinutes}
            onChange={(v) =>
              set('maxRunMinutes', typeof v === 'number' ? v : ProgramOptions.maxRunMinutes.default)
            }
            error={errors.maxRunMinutes}
            testId="program-max-run"
          />
          <Select
            label="Run another program first"
            description="Must have succeeded on the device"
            data={dependencyOptions}
            value={form.dependsOnProgramId}
            onChange={(v) => set('dependsOnProgramId', v)}
            searchable
            clearable
            error={errors.dependsOnProgramId}
            data-testid="program-depends-on"
          />
        </SimpleGrid>
        <SimpleGrid cols={2}>
          <TagsInput
            label="Success exit codes"
            description="Type a code and press Enter"
            value={form.successExitCodes}
            onChange={(v) => set('successExitCodes', v)}
            error={errors.successExitCodes}
            data-testid="program-success-codes"
          />
          <TagsInput
            label="Reboot-required exit codes"
            description="Success, and the machine must restart"
            value={form.rebootExitCodes}
            onChange={(v) => set('rebootExitCodes', v)}
            error={errors.rebootExitCodes}
            data-testid="program-reboot-codes"
          />
        </SimpleGrid>
        <Divider label="Requirements (checked by the agent before running)" labelPosition="left" />
        <SimpleGrid cols={2}>
          <TagsInput
            label="OS families"
            description="os-release ID or ID_LIKE, any matches (e.g. debian)"
            value={form.osFamilies}
            onChange={(v) => set('osFamilies', v)}
            error={errors.osFamilies}
          />
          <TextInput
            label="Minimum OS version"
            description="os-release VERSION_ID, compared as dpkg versions"
            value={form.minOsVersion}
            onChange={(e) => set('minOsVersion', e.currentTarget.value)}
          />
          <TagsInput
            label="Architectures"
            description="uname -m, any matches (e.g. x86_64, aarch64)"
            value={form.architectures}
            onChange={(v) => set('architectures', v)}
          />
          <Group grow>
            <NumberInput
              label="Free disk"
              suffix=" MB"
              min={0}
              value={form.minFreeDiskMb}
              onChange={(v) => set('minFreeDiskMb', intOrEmpty(v))}
            />
            <NumberInput
              label="Memory"
              suffix=" MB"
              min={0}
              value={form.minMemoryMb}
              onChange={(v) => set('minMemoryMb', intOrEmpty(v))}
            />
          </Group>
        </SimpleGrid>
        <Textarea
          label="Description"
          autosize
          minRows={1}
          value={form.description}
          onChange={(e) => set('description', e.currentTarget.value)}
          error={errors.description}
        />
        {siteError !== null && (
          <SaveErrorAlert error={siteError}>
            <Text size="sm">{errorMessage(siteError)}</Text>
          </SaveErrorAlert>
        )}
        <FormActions
          onCancel={onClose}
          submitLabel={program ? 'Save' : 'Create program'}
          loading={save.isPending}
          testId="program-save"
          mt="sm"
        />
      </Stack>
    </form>
  );
}
