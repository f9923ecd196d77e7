import { ActionIcon, Alert, Button, Code, Group, NumberInput, SegmentedControl, Select, Stack, Switch, Table, Text, TextInput, Textarea } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { CUSTOM_CLASS_NAME, PROPERTY_NAME } from '@steward/protocol';
import type { CustomClassDefinition, CustomClassProperty, CustomClassSource, PropertyType } from '@steward/protocol';
import { useState } from 'react';
import { errorCode, errorMessage } from '../../api/errors';

const TYPES: PropertyType[] = ['string', 'number', 'boolean', 'version', 'datetime'];
type Kind = CustomClassSource['kind'];
type FileFormat = 'keyvalue' | 'ini' | 'json';
type CommandFormat = 'regex' | 'json' | 'keyvalue';

interface Draft {
  name: string;
  description: string;
  multiInstance: boolean;
  kind: Kind;
  path: string;
  fileFormat: FileFormat;
  command: string;
  commandFormat: CommandFormat;
  pattern: string;
  timeoutSeconds: number;
  instancesPath: string;
  properties: CustomClassProperty[];
}

function draftOf(def: CustomClassDefinition | undefined): Draft {
  const d: Draft = {
    name: def?.name ?? '',
    description: def?.description ?? '',
    multiInstance: def?.multiInstance ?? false,
    kind: def?.source.kind ?? 'file',
    path: '',
    fileFormat: 'keyvalue',
    command: '',
    commandFormat: 'regex',
    pattern: '',
    timeoutSeconds: 30,
    instancesPath: '',
    properties: def?.properties ?? [{ name: '', type: 'string', from: '' }],
  };
  const s = def?.source;
  if (s?.kind === 'file') Object.assign(d, { path: s.path, fileFormat: s.format, instancesPath: s.instancesPath ?? '' });
  if (s?.kind === 'command') {
    Object.assign(d, { command: s.command, commandFormat: s.format, pattern: s.pattern ?? '', timeoutSeconds: s.timeoutSeconds ?? 30, instancesPath: s.instancesPath ?? '' });
  }
  return d;
}

function sourceOf(d: Draft): CustomClassSource {
  switch (d.kind) {
    case 'file':
      return { kind: 'file', path: d.path, format: d.fileFormat, ...(d.fileFormat === 'json' && d.instancesPath ? { instancesPath: d.instancesPath } : {}) };
    case 'command':
      return {
        kind: 'command',
        command: d.command,
        format: d.commandFormat,
        timeoutSeconds: d.timeoutSeconds,
        ...(d.commandFormat === 'regex' && d.pattern ? { pattern: d.pattern } : {}),
        ...(d.commandFormat === 'json' && d.instancesPath ? { instancesPath: d.instancesPath } : {}),
      };
    case 'kernel':
      return { kind: 'kernel' };
  }
}

const FROM_HINT: Record<Kind, string> = {
  file: 'KEY for key=value files, section.key for ini, a dotted path for JSON',
  command: 'a named capture group for regex, a key or dotted path otherwise',
  kernel: 'an absolute path under /proc or /sys',
};

/** Create or edit a custom inventory class (the SMS_def.mof extension analog). */
export function InventoryClassForm(props: { initial?: CustomClassDefinition; onSubmit: (def: CustomClassDefinition) => Promise<unknown>; onCancel: () => void }) {
  const [d, setD] = useState<Draft>(() => draftOf(props.initial));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));
  const setProp = (i: number, patch: Partial<CustomClassProperty>) => set({ properties: d.properties.map((p, j) => (j === i ? { ...p, ...patch } : p)) });
  const nameOk = new RegExp(CUSTOM_CLASS_NAME).test(d.name);
  const propsOk = d.properties.length > 0 && d.properties.every((p) => new RegExp(PROPERTY_NAME).test(p.name) && p.from.trim() !== '');

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit({ name: d.name, description: d.description, multiInstance: d.multiInstance, source: sourceOf(d), properties: d.properties });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="sm" data-testid="inventory-class-form">
      {error !== null && (
        <Alert color="red" variant="light" title={`Not saved: ${errorCode(error)}`}>
          <Text size="sm">{errorMessage(error)}</Text>
        </Alert>
      )}
      <Group grow align="flex-start">
        <TextInput label="Class name" required disabled={props.initial !== undefined} value={d.name} onChange={(e) => set({ name: e.currentTarget.value })} error={d.name && !nameOk ? 'Starts with a lowercase letter; letters and digits, 2–40 characters' : null} description="Used in queries, e.g. backupAgent.version" data-testid="class-name" />
        <Switch mt={32} label="Several instances per device" checked={d.multiInstance} onChange={(e) => set({ multiInstance: e.currentTarget.checked })} />
      </Group>
      <Textarea label="Description" autosize minRows={1} value={d.description} onChange={(e) => set({ description: e.currentTarget.value })} maxLength={500} />
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          Source
        </Text>
        <SegmentedControl value={d.kind} onChange={(v) => set({ kind: v === 'command' ? 'command' : v === 'kernel' ? 'kernel' : 'file' })} data={[{ value: 'file', label: 'File' }, { value: 'command', label: 'Command output' }, { value: 'kernel', label: '/proc or /sys value' }]} data-testid="class-kind" />
      </Stack>
      {d.kind === 'file' && (
        <Group grow align="flex-start">
          <TextInput label="File path" required placeholder="/etc/backup-agent/agent.conf" value={d.path} onChange={(e) => set({ path: e.currentTarget.value })} error={d.path && !d.path.startsWith('/') ? 'An absolute path' : null} />
          <Select label="Format" data={[{ value: 'keyvalue', label: 'KEY=value lines' }, { value: 'ini', label: 'INI sections' }, { value: 'json', label: 'JSON' }]} value={d.fileFormat} onChange={(v) => set({ fileFormat: v === 'ini' ? 'ini' : v === 'json' ? 'json' : 'keyvalue' })} allowDeselect={false} />
        </Group>
      )}
      {d.kind === 'command' && (
        <>
          <Textarea label="Command" required description="Run with /bin/sh -c as the agent's user" styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} autosize minRows={2} value={d.command} onChange={(e) => set({ command: e.currentTarget.value })} />
          <Group grow align="flex-start">
            <Select label="Output format" data={[{ value: 'regex', label: 'Regular expression' }, { value: 'json', label: 'JSON' }, { value: 'keyvalue', label: 'KEY=value lines' }]} value={d.commandFormat} onChange={(v) => set({ commandFormat: v === 'json' ? 'json' : v === 'keyvalue' ? 'keyvalue' : 'regex' })} allowDeselect={false} />
            <NumberInput label="Time limit" suffix=" s" min={1} max={300} value={d.timeoutSeconds} onChange={(v) => set({ timeoutSeconds: typeof v === 'number' ? v : 30 })} />
          </Group>
          {d.commandFormat === 'regex' && (
            <TextInput label="Pattern" description="Each match is an instance; properties name capture groups, e.g. (?<name>\S+)\s+(?<size>\d+)" styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} value={d.pattern} onChange={(e) => set({ pattern: e.currentTarget.value })} />
          )}
        </>
      )}
      {((d.kind === 'file' && d.fileFormat === 'json') || (d.kind === 'command' && d.commandFormat === 'json')) && (
        <TextInput label="Instances path" description="Dotted path to an array whose elements are instances (optional)" value={d.instancesPath} onChange={(e) => set({ instancesPath: e.currentTarget.value })} />
      )}
      <Stack gap={4}>
        <Group justify="space-between">
          <Text size="sm" fw={500}>
            Properties
          </Text>
          <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={() => set({ properties: [...d.properties, { name: '', type: 'string', from: '' }] })} disabled={d.properties.length >= 64}>
            Add property
          </Button>
        </Group>
        <Text size="xs" c="dimmed">
          “From” is {FROM_HINT[d.kind]}.
        </Text>
        <Table withTableBorder verticalSpacing={4}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th w={130}>Type</Table.Th>
              <Table.Th>From</Table.Th>
              <Table.Th w={40} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {d.properties.map((p, i) => (
              <Table.Tr key={i}>
                <Table.Td>
                  <TextInput size="xs" value={p.name} placeholder="version" onChange={(e) => setProp(i, { name: e.currentTarget.value })} error={p.name !== '' && !new RegExp(PROPERTY_NAME).test(p.name)} data-testid={`prop-name-${i}`} />
                </Table.Td>
                <Table.Td>
                  <Select size="xs" data={TYPES} value={p.type} allowDeselect={false} onChange={(v) => setProp(i, { type: TYPES.find((t) => t === v) ?? 'string' })} />
                </Table.Td>
                <Table.Td>
                  <TextInput size="xs" value={p.from} placeholder={d.kind === 'kernel' ? '/sys/class/dmi/id/bios_version' : 'VERSION'} onChange={(e) => setProp(i, { from: e.currentTarget.value })} styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} data-testid={`prop-from-${i}`} />
                </Table.Td>
                <Table.Td>
                  <ActionIcon variant="subtle" color="red" disabled={d.properties.length === 1} onClick={() => set({ properties: d.properties.filter((_, j) => j !== i) })} aria-label="Remove property">
                    <IconTrash size={15} />
                  </ActionIcon>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Stack>
      <Text size="xs" c="dimmed">
        Agents receive the class with their next policy and report it with their next inventory; it then appears in queries as{' '}
        <Code>{d.multiInstance ? `any(${d.name || 'name'}, …)` : `${d.name || 'name'}.property`}</Code>.
      </Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={props.onCancel}>
          Cancel
        </Button>
        <Button loading={busy} disabled={!nameOk || !propsOk} onClick={() => void submit()} data-testid="class-save">
          Save class
        </Button>
      </Group>
    </Stack>
  );
}
