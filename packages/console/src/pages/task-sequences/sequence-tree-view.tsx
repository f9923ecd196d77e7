import { Badge, Group, Stack, Text, UnstyledButton } from '@mantine/core';
import { IconFolder, IconGripVertical, IconTerminal2 } from '@tabler/icons-react';
import { StepKinds, settingsProblem, type SequenceNode } from '@steward/protocol';
import { useState, type ReactNode } from 'react';

/**
 * A sequence's steps and groups as an indented tree. With `onSelect` a row is selectable; with
 * `onDrop` rows can be dragged onto another row to move before it.
 */
export function SequenceTreeView(props: {
  nodes: readonly SequenceNode[];
  selectedId?: string | undefined;
  onSelect?: (id: string) => void;
  onDrop?: (dragId: string, targetId: string) => void;
  testId: string;
}) {
  const [dragOver, setDragOver] = useState<string | null>(null);
  let number = 0;
  const rows = (nodes: readonly SequenceNode[], depth: number): ReactNode[] =>
    nodes.flatMap((node) => {
      const selected = props.selectedId === node.id;
      const problem = node.type === 'step' ? settingsProblem(node) : undefined;
      if (node.type === 'step') number += 1;
      const row = (
        <UnstyledButton
          key={node.id}
          onClick={() => props.onSelect?.(node.id)}
          draggable={props.onDrop !== undefined}
          onDragStart={(e) => {
            e.dataTransfer.setData('text/x-steward-node', node.id);
            e.dataTransfer.effectAllowed = 'move';
          }}
          onDragOver={(e) => {
            if (!props.onDrop) return;
            e.preventDefault();
            setDragOver(node.id);
          }}
          onDragLeave={() => setDragOver((d) => (d === node.id ? null : d))}
          onDrop={(e) => {
            e.preventDefault();
            setDragOver(null);
            const id = e.dataTransfer.getData('text/x-steward-node');
            if (id) props.onDrop?.(id, node.id);
          }}
          data-testid={`ts-node-${node.id}`}
          data-depth={depth}
          data-selected={selected || undefined}
          px={6}
          py={4}
          pl={6 + depth * 22}
          style={{
            borderRadius: 4,
            background: selected ? 'var(--mantine-primary-color-light)' : undefined,
            borderTop:
              dragOver === node.id
                ? '2px solid var(--mantine-primary-color-filled)'
                : '2px solid transparent',
            opacity: node.enabled ? 1 : 0.55,
          }}
        >
          <Group gap={6} wrap="nowrap">
            {props.onDrop && <IconGripVertical size={14} color="gray" style={{ cursor: 'grab' }} />}
            {node.type === 'group' ? <IconFolder size={16} /> : <IconTerminal2 size={16} />}
            {node.type === 'step' && (
              <Text size="xs" c="dimmed" w={22}>
                {number}.
              </Text>
            )}
            <Text size="sm" fw={node.type === 'group' ? 600 : 400} truncate>
              {node.name}
            </Text>
            {node.type === 'step' && (
              <Text size="xs" c="dimmed" truncate>
                {StepKinds[node.kind].label}
              </Text>
            )}
            {!node.enabled && (
              <Badge size="xs" color="gray" variant="light">
                disabled
              </Badge>
            )}
            {node.continueOnError && (
              <Badge size="xs" color="yellow" variant="light">
                continue on error
              </Badge>
            )}
            {node.condition && (
              <Badge size="xs" color="blue" variant="light">
                condition
              </Badge>
            )}
            {node.type === 'step' && node.timeoutSeconds !== undefined && (
              <Badge size="xs" color="gray" variant="outline">
                {node.timeoutSeconds}s
              </Badge>
            )}
            {problem && (
              <Badge size="xs" color="red" variant="light" title={problem}>
                incomplete
              </Badge>
            )}
          </Group>
        </UnstyledButton>
      );
      return node.type === 'group' ? [row, ...rows(node.children, depth + 1)] : [row];
    });
  return (
    <Stack gap={1} data-testid={props.testId}>
      {props.nodes.length === 0 ? (
        <Text size="sm" c="dimmed">
          No steps yet.
        </Text>
      ) : (
        rows(props.nodes, 0)
      )}
    </Stack>
  );
}
