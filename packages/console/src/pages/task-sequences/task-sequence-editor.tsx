import {
  Button,
  Divider,
  Group,
  Menu,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import {
  IconArrowDown,
  IconArrowUp,
  IconFolderPlus,
  IconIndentDecrease,
  IconIndentIncrease,
  IconPlus,
  IconTrash,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import {
  MAX_GROUP_DEPTH,
  MAX_STEP_TIMEOUT_SECONDS,
  STEP_KINDS,
  StepKinds,
  ops,
  settingsProblem,
  type SequenceNode,
  type TaskSequenceKind,
} from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { ConditionBuilder } from './condition-builder';
import { SequenceTreeView } from './sequence-tree-view';
import {
  addNode,
  canIndent,
  findNode,
  indentNode,
  locate,
  moveBefore,
  moveNode,
  newGroup,
  newStep,
  outdentNode,
  removeNode,
  replaceNode,
} from './sequence-tree';
import { StepSettingsForm } from './step-settings-form';
import { VariablesTable, type VariableRow } from './variables-table';

export const SEQUENCE_KINDS: { value: TaskSequenceKind; label: string }[] = [
  { value: 'install-os', label: 'Install an operating system' },
  { value: 'non-os', label: 'Non-OS deployment' },
  { value: 'capture-os', label: 'Capture an OS image' },
  { value: 'user-state', label: 'Capture / restore user state' },
  { value: 'upgrade', label: 'Upgrade the operating system in place' },
  { value: 'custom', label: 'Custom' },
];

/** What the editor holds: the sequence's fields, its tree and its default variables. */
export interface Draft {
  name: string;
  description: string;
  kind: TaskSequenceKind;
  bootImageId: string | null;
  nodes: SequenceNode[];
  variables: VariableRow[];
}

/** The properties of the selected step or group. */
function NodeForm(props: { node: SequenceNode; onChange: (n: SequenceNode) => void }) {
  const n = props.node;
  return (
    <Stack gap="sm" data-testid="ts-node-form">
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {n.type === 'group' ? 'Group' : StepKinds[n.kind].label}
        {n.type === 'step' && StepKinds[n.kind].where === 'boot' ? ' · boot image only' : ''}
        {n.type === 'step' && StepKinds[n.kind].where === 'full-os' ? ' · installed OS only' : ''}
      </Text>
      <TextInput
        label="Name"
        required
        maxLength={200}
        value={n.name}
        onChange={(e) => props.onChange({ ...n, name: e.currentTarget.value })}
        data-testid="ts-node-name"
      />
      <Textarea
        label="Description"
        autosize
        minRows={1}
        maxLength={2000}
        value={n.description ?? ''}
        onChange={(e) => {
          const { description: _old, ...rest } = n;
          const v = e.currentTarget.value;
          props.onChange(v ? { ...rest, description: v } : rest);
        }}
      />
      <Group gap="lg">
        <Switch
          label="Enabled"
          checked={n.enabled}
          onChange={(e) => props.onChange({ ...n, enabled: e.currentTarget.checked })}
          data-testid="ts-node-enabled"
        />
        <Switch
          label="Continue on error"
          checked={n.continueOnError}
          onChange={(e) => props.onChange({ ...n, continueOnError: e.currentTarget.checked })}
          data-testid="ts-node-continue"
        />
      </Group>
      {n.type === 'step' && (
        <>
          <NumberInput
            label="Timeout"
            description={`Seconds, 1 to ${String(MAX_STEP_TIMEOUT_SECONDS)}; empty: no timeout`}
            min={1}
            max={MAX_STEP_TIMEOUT_SECONDS}
            allowDecimal={false}
            value={n.timeoutSeconds ?? ''}
            onChange={(v) => {
              const { timeoutSeconds: _old, ...rest } = n;
              props.onChange(typeof v === 'number' ? { ...rest, timeoutSeconds: v } : rest);
            }}
            data-testid="ts-node-timeout"
          />
          <Divider label="Settings" labelPosition="left" />
          <StepSettingsForm
            kind={n.kind}
            settings={n.settings}
            // The form edits the settings of this step's own kind (its schema's properties).
            // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- settingsProblem checks them against the kind's schema, shown below and by the site on save
            onChange={(settings) => props.onChange({ ...n, settings } as SequenceNode)}
            error={settingsProblem(n)}
          />
        </>
      )}
      <Divider label="Condition" labelPosition="left" />
      <ConditionBuilder
        value={n.condition}
        onChange={(c) => {
          const { condition: _old, ...rest } = n;
          props.onChange(c ? { ...rest, condition: c } : rest);
        }}
      />
    </Stack>
  );
}

/**
 * The task-sequence editor (issue 11): the sequence's fields, its tree of steps and groups
 * (add, move by drag or buttons, indent into groups up to MAX_GROUP_DEPTH), the selected node's
 * properties and settings, and the default variables. Saving is the caller's (a new version).
 */
export function TaskSequenceEditor(props: {
  draft: Draft;
  onChange: (d: Draft) => void;
  readOnly?: boolean;
}) {
  const { draft, onChange } = props;
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined);
  const [refusal, setRefusal] = useState<string | null>(null);
  const bootImages = useQuery({
    queryKey: ['boot-images'],
    queryFn: () => api.call(ops.bootImages.list, {}),
  });
  const nodes = draft.nodes;
  const setNodes = (next: SequenceNode[] | undefined, why?: string) => {
    if (!next) {
      setRefusal(why ?? `Groups nest at most ${String(MAX_GROUP_DEPTH)} deep.`);
      return;
    }
    setRefusal(null);
    onChange({ ...draft, nodes: next });
  };
  const selected = selectedId ? findNode(nodes, selectedId) : undefined;
  const place = selectedId ? locate(nodes, selectedId) : undefined;
  const add = (node: SequenceNode) => {
    const next = addNode(nodes, selectedId, node);
    setNodes(next);
    if (next) setSelectedId(node.id);
  };
  const ro = props.readOnly === true;

  return (
    <Stack gap="md">
      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <TextInput
            label="Name"
            required
            maxLength={200}
            value={draft.name}
            readOnly={ro}
            onChange={(e) => onChange({ ...draft, name: e.currentTarget.value })}
            data-testid="ts-name"
          />
          <Select
            label="Kind"
            data={SEQUENCE_KINDS}
            value={draft.kind}
            allowDeselect={false}
            readOnly={ro}
            onChange={(v) => {
              const k = SEQUENCE_KINDS.find((x) => x.value === v);
              if (k) onChange({ ...draft, kind: k.value });
            }}
            data-testid="ts-kind"
          />
          <Textarea
            label="Description"
            autosize
            minRows={1}
            maxLength={2000}
            readOnly={ro}
            value={draft.description}
            onChange={(e) => onChange({ ...draft, description: e.currentTarget.value })}
            data-testid="ts-description"
          />
          <Select
            label="Boot image"
            description="What PXE and boot media start this sequence in; none for full-OS sequences"
            placeholder="None"
            clearable
            readOnly={ro}
            data={(bootImages.data ?? []).map((b) => ({
              value: b.id,
              label: `${b.name} v${String(b.version)} (${b.arch}, ${b.status})`,
            }))}
            value={draft.bootImageId}
            onChange={(v) => onChange({ ...draft, bootImageId: v })}
            data-testid="ts-boot-image"
          />
        </SimpleGrid>
      </Paper>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Paper withBorder p="md">
          <Group justify="space-between" mb="xs">
            <Title order={5}>Steps</Title>
            {!ro && (
              <Group gap={4}>
                <Menu position="bottom-end" withinPortal>
                  <Menu.Target>
                    <Button
                      size="xs"
                      leftSection={<IconPlus size={14} />}
                      data-testid="ts-add-step"
                    >
                      Step
                    </Button>
                  </Menu.Target>
                  <Menu.Dropdown>
                    {STEP_KINDS.map((k) => (
                      <Menu.Item
                        key={k}
                        onClick={() => add(newStep(nodes, k))}
                        data-testid={`ts-add-step-${k}`}
                      >
                        {StepKinds[k].label}
                      </Menu.Item>
                    ))}
                  </Menu.Dropdown>
                </Menu>
                <Button
                  size="xs"
                  variant="light"
                  leftSection={<IconFolderPlus size={14} />}
                  onClick={() => add(newGroup(nodes))}
                  data-testid="ts-add-group"
                >
                  Group
                </Button>
              </Group>
            )}
          </Group>
          {!ro && (
            <Group gap={4} mb="xs">
              {[
                {
                  label: 'Move up',
                  icon: <IconArrowUp size={14} />,
                  disabled: !place || place.index === 0,
                  run: (id: string) => setNodes(moveNode(nodes, id, -1)),
                  testId: 'ts-move-up',
                },
                {
                  label: 'Move down',
                  icon: <IconArrowDown size={14} />,
                  disabled: !place || place.index >= place.siblings.length - 1,
                  run: (id: string) => setNodes(moveNode(nodes, id, 1)),
                  testId: 'ts-move-down',
                },
                {
                  label: 'Into the group above',
                  icon: <IconIndentIncrease size={14} />,
                  disabled: !selectedId || !canIndent(nodes, selectedId),
                  run: (id: string) => setNodes(indentNode(nodes, id)),
                  testId: 'ts-indent',
                },
                {
                  label: 'Out of its group',
                  icon: <IconIndentDecrease size={14} />,
                  disabled: !place || place.parentId === undefined,
                  run: (id: string) => setNodes(outdentNode(nodes, id)),
                  testId: 'ts-outdent',
                },
                {
                  label: selected?.type === 'group' ? 'Remove with its members' : 'Remove',
                  icon: <IconTrash size={14} />,
                  disabled: !selectedId,
                  run: (id: string) => {
                    setNodes(removeNode(nodes, id));
                    setSelectedId(undefined);
                  },
                  testId: 'ts-remove',
                },
              ].map((b) => (
                <Tooltip key={b.testId} label={b.label}>
                  <Button
                    size="compact-xs"
                    variant="default"
                    aria-label={b.label}
                    disabled={b.disabled}
                    onClick={() => selectedId && b.run(selectedId)}
                    data-testid={b.testId}
                  >
                    {b.icon}
                  </Button>
                </Tooltip>
              ))}
            </Group>
          )}
          {refusal && (
            <Text size="sm" c="red" mb="xs" data-testid="ts-refusal">
              {refusal}
            </Text>
          )}
          <SequenceTreeView
            nodes={nodes}
            selectedId={selectedId}
            onSelect={setSelectedId}
            {...(ro
              ? {}
              : {
                  onDrop: (dragId: string, targetId: string) =>
                    setNodes(
                      moveBefore(nodes, dragId, targetId),
                      `Cannot move there: a group cannot go into itself or nest deeper than ${String(MAX_GROUP_DEPTH)}.`,
                    ),
                })}
            testId="ts-tree"
          />
        </Paper>
        <Paper withBorder p="md">
          {selected && !ro ? (
            <NodeForm
              key={selected.id}
              node={selected}
              onChange={(n) => setNodes(replaceNode(nodes, selected.id, n))}
            />
          ) : (
            <Text size="sm" c="dimmed">
              {ro ? 'A saved version (read only).' : 'Select a step or group to edit it.'}
            </Text>
          )}
        </Paper>
      </SimpleGrid>
      <Paper withBorder p="md">
        <Title order={5} mb="xs">
          Variables
        </Title>
        <Text size="xs" c="dimmed" mb="xs">
          Defaults; a collection's and then a device's variables override them. Steps read them as
          %NAME%.
        </Text>
        <VariablesTable
          rows={draft.variables}
          onChange={(variables) => onChange({ ...draft, variables })}
          readOnly={ro}
          testId="ts-variables"
        />
      </Paper>
    </Stack>
  );
}
