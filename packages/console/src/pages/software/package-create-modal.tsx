import { Group, Modal, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Package, PackagePriority } from '@steward/protocol';
import { useState } from 'react';
import type { SubmitEvent } from 'react';
import { api } from '../../api/client';
import { errorCode, errorMessage, notifySuccess } from '../../api/errors';
import { keys } from './queries';
import { FormActions, missingFields } from '../../components/form-actions';

const PRIORITIES: { value: PackagePriority; label: string }[] = [
  { value: 'high', label: 'High' },
  { value: 'medium', label: 'Medium' },
  { value: 'low', label: 'Low' },
];

interface PackageModalProps {
  opened: boolean;
  onClose: () => void;
  existing?: Package;
  onSaved?: (p: Package) => void;
}

/** Creates or edits a package's descriptive fields (content comes with "Update content"). */
export function PackageModal(props: PackageModalProps) {
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={<Text fw={600}>{props.existing ? `Edit ${props.existing.name}` : 'New package'}</Text>}
      size="lg"
    >
      {/* The form lives inside the modal so its state starts afresh each time it opens. */}
      <PackageForm {...props} />
    </Modal>
  );
}

function PackageForm(props: PackageModalProps) {
  const queryClient = useQueryClient();
  const e = props.existing;
  const [name, setName] = useState(e?.name ?? '');
  const [publisher, setPublisher] = useState(e?.publisher ?? '');
  const [version, setVersion] = useState(e?.version ?? '');
  const [description, setDescription] = useState(e?.description ?? '');
  const [priority, setPriority] = useState<PackagePriority>(e?.priority ?? 'medium');
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: name.trim(),
        publisher: publisher.trim(),
        version: version.trim(),
        description: description.trim(),
        priority,
      };
      return e ? api.updatePackage(e.id, body) : api.createPackage(body);
    },
    meta: { silent: true },
    onSuccess: (p) => {
      notifySuccess(e ? `Package “${p.name}” saved.` : `Package “${p.name}” created.`);
      void queryClient.invalidateQueries({ queryKey: keys.packages });
      void queryClient.invalidateQueries({ queryKey: keys.package(p.id) });
      props.onSaved?.(p);
      props.onClose();
    },
  });
  const code = save.isError ? errorCode(save.error) : null;
  const nameError = code !== null && code.includes('NAME') ? errorMessage(save.error) : undefined;
  const submit = (ev: SubmitEvent) => {
    ev.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit}>
      <Stack gap="sm">
        <TextInput
          label="Name"
          required
          value={name}
          onChange={(ev) => setName(ev.currentTarget.value)}
          maxLength={200}
          error={nameError ?? (code === 'INVALID_INPUT' ? errorMessage(save.error) : undefined)}
          data-autofocus
          data-testid="package-name"
        />
        <Group grow>
          <TextInput
            label="Publisher"
            value={publisher}
            onChange={(ev) => setPublisher(ev.currentTarget.value)}
            maxLength={200}
            data-testid="package-publisher"
          />
          <TextInput
            label="Product version"
            description="Free text; content versions are numbered by the site"
            value={version}
            onChange={(ev) => setVersion(ev.currentTarget.value)}
            maxLength={100}
            data-testid="package-version"
          />
        </Group>
        <Select
          label="Distribution priority"
          data={PRIORITIES}
          value={priority}
          allowDeselect={false}
          onChange={(v) => setPriority(PRIORITIES.find((p) => p.value === v)?.value ?? 'medium')}
        />
        <Textarea
          label="Description"
          value={description}
          onChange={(ev) => setDescription(ev.currentTarget.value)}
          maxLength={2000}
          autosize
          minRows={2}
        />
        {save.isError && code !== 'INVALID_INPUT' && nameError === undefined && (
          <Text size="sm" c="red" data-testid="package-save-error">
            {code}: {errorMessage(save.error)}
          </Text>
        )}
        <FormActions
          onCancel={props.onClose}
          submitLabel={e ? 'Save' : 'Create package'}
          loading={save.isPending}
          missing={missingFields({ Name: name.trim() !== '' })}
          testId="package-save"
          mt="sm"
        />
      </Stack>
    </form>
  );
}
