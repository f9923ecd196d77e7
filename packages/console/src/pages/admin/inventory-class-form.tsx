import {
  Code,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { CUSTOM_CLASS_NAME, PROPERTY_NAME } from '@steward/protocol';
import type { CustomClassDefinition } from '@steward/protocol';
import { useState } from 'react';
import { errorMessage } from '../../api/errors';
import { draftOf, sourceOf } from './inventory-class-draft';
import type { Draft } from './inventory-class-draft';
import { InventoryClassProperties } from './inventory-class-properties';
import { FormActions, missingFields } from '../../components/form-actions';
import { SaveErrorAlert } from '../../components/save-error-alert';

/** Create or edit a custom inventory class (the SMS_def.mof extension analog). */
export function InventoryClassForm(props: {
  initial?: CustomClassDefinition;
  onSubmit: (def: CustomClassDefinition) => Promise<unknown>;
  onCancel: () => void;
}) {
  const [d, setD] = useState<Draft>(() => draftOf(props.initial));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));
  const nameOk = new RegExp(CUSTOM_CLASS_NAME).test(d.name);
  const propsOk =
    d.properties.length > 0 &&
    d.properties.every((p) => new RegExp(PROPERTY_NAME).test(p.name) && p.from.trim() !== '');

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit({
        name: d.name,
        description: d.description,
        multiInstance: d.multiInstance,
        source: sourceOf(d),
        properties: d.properties,
      });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="sm" data-testid="inventory-class-form">
      {error !== null && (
        <SaveErrorAlert error={error}>
          <Text size="sm">{errorMessage(error)}</Text>
        </SaveErrorAlert>
      )}
      <Group grow align="flex-start">
        <TextInput
          label="Class name"
          required
          disabled={props.initial !== undefined}
          value={d.name}
          onChange={(e) => set({ name: e.currentTarget.value })}
          error={
            d.name && !nameOk
              ? 'Starts with a lowercase letter; letters and digits, 2–40 characters'
              : null
          }
          description="Used in queries, e.g. backupAgent.version"
          data-testid="class-name"
        />
        <Switch
          mt={32}
          label="Several instances per device"
          checked={d.multiInstance}
          onChange={(e) => set({ multiInstance: e.currentTarget.checked })}
        />
      </Group>
      <Textarea
        label="Description"
        autosize
        minRows={1}
        value={d.description}
        onChange={(e) => set({ description: e.currentTarget.value })}
        maxLength={500}
      />
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          Source
        </Text>
        <SegmentedControl
          value={d.kind}
          onChange={(v) =>
            set({ kind: v === 'command' ? 'command' : v === 'kernel' ? 'kernel' : 'file' })
          }
          data={[
            { value: 'file', label: 'File' },
            { value: 'command', label: 'Command output' },
            { value: 'kernel', label: '/proc or /sys value' },
          ]}
          data-testid="class-kind"
        />
      </Stack>
      {d.kind === 'file' && (
        <Group grow align="flex-start">
          <TextInput
            label="File path"
            required
            placeholder="/etc/backup-agent/agent.conf"
            value={d.path}
            onChange={(e) => set({ path: e.currentTarget.value })}
            error={d.path && !d.path.startsWith('/') ? 'An absolute path' : null}
          />
          <Select
            label="Format"
            data={[
              { value: 'keyvalue', label: 'KEY=value lines' },
              { value: 'ini', label: 'INI sections' },
              { value: 'json', label: 'JSON' },
            ]}
            value={d.fileFormat}
            onChange={(v) =>
              set({ fileFormat: v === 'ini' ? 'ini' : v === 'json' ? 'json' : 'keyvalue' })
            }
            allowDeselect={false}
          />
        </Group>
      )}
      {d.kind === 'command' && (
        <>
          <Textarea
            label="Command"
            required
            description="Run with /bin/sh -c as the agent's user"
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            autosize
            minRows={2}
            value={d.command}
            onChange={(e) => set({ command: e.currentTarget.value })}
          />
          <Group grow align="flex-start">
            <Select
              label="Output format"
              data={[
                { value: 'regex', label: 'Regular expression' },
                { value: 'json', label: 'JSON' },
                { value: 'keyvalue', label: 'KEY=value lines' },
              ]}
              value={d.commandFormat}
              onChange={(v) =>
                set({
                  commandFormat: v === 'json' ? 'json' : v === 'keyvalue' ? 'keyvalue' : 'regex',
                })
              }
              allowDeselect={false}
            />
            <NumberInput
              label="Time limit"
              suffix=" s"
              min={1}
              max={300}
              value={d.timeoutSeconds}
              onChange={(v) => set({ timeoutSeconds: typeof v === 'number' ? v : 30 })}
            />
          </Group>
          {d.commandFormat === 'regex' && (
            <TextInput
              label="Pattern"
              description="Each match is an instance; properties name capture groups, e.g. (?<name>\S+)\s+(?<size>\d+)"
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
              value={d.pattern}
              onChange={(e) => set({ pattern: e.currentTarget.value })}
            />
          )}
        </>
      )}
      {((d.kind === 'file' && d.fileFormat === 'json') ||
        (d.kind === 'command' && d.commandFormat === 'json')) && (
        <TextInput
          label="Instances path"
          description="Dotted path to an array whose elements are instances (optional)"
          value={d.instancesPath}
          onChange={(e) => set({ instancesPath: e.currentTarget.value })}
        />
      )}
      <InventoryClassProperties d={d} set={set} />
      <Text size="xs" c="dimmed">
        Agents receive the class with their next policy and report it with their next inventory; it
        then appears in queries as{' '}
        <Code>
          {d.multiInstance ? `any(${d.name || 'name'}, …)` : `${d.name || 'name'}.property`}
        </Code>
        .
      </Text>
      <FormActions
        onCancel={props.onCancel}
        onSubmit={() => void submit()}
        submitLabel="Save class"
        loading={busy}
        missing={missingFields({
          'Class name': d.name.trim() !== '',
          'A property with its name and source': d.properties.some(
            (p) => p.name.trim() !== '' && p.from.trim() !== '',
          ),
        })}
        disabled={!nameOk || !propsOk}
        testId="class-save"
      />
    </Stack>
  );
}
