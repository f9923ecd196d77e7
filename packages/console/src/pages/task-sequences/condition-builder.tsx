import { ActionIcon, Button, Group, Paper, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import type { Condition, ConditionNode } from '@steward/protocol';

type Match = Condition['match'];
type Test = Exclude<ConditionNode, { type: 'block' }>;

const MATCHES: { value: Match; label: string }[] = [
  { value: 'all', label: 'All of these are true' },
  { value: 'any', label: 'Any of these is true' },
  { value: 'none', label: 'None of these is true' },
];
const VARIABLE_OPS = ['equals', 'not-equals', 'exists'] as const;
const FACT_OPS = ['equals', 'not-equals', 'exists', 'matches', 'at-least'] as const;

const isMatch = (v: string | null): v is Match => v === 'all' || v === 'any' || v === 'none';

function newTest(type: 'variable' | 'fact'): Test {
  return type === 'variable'
    ? { type: 'variable', name: '', op: 'equals', value: '' }
    : { type: 'fact', source: 'inventory', name: '', op: 'equals', value: '' };
}

/** One test of a variable or a fact: its name, operator and value (no value for `exists`). */
function TestRow(props: {
  test: Test;
  onChange: (t: Test) => void;
  onRemove: () => void;
  testId: string;
}) {
  const t = props.test;
  const withValue = (next: Test): Test => {
    if (next.op === 'exists') {
      const { value: _dropped, ...rest } = next;
      return rest;
    }
    return { ...next, value: next.value ?? '' };
  };
  return (
    <Group gap="xs" wrap="nowrap" align="flex-end" data-testid={props.testId}>
      {t.type === 'fact' && (
        <Select
          aria-label="Fact source"
          data={['inventory', 'hardware']}
          value={t.source}
          allowDeselect={false}
          onChange={(v) =>
            props.onChange({ ...t, source: v === 'hardware' ? 'hardware' : 'inventory' })
          }
          w={120}
          size="xs"
        />
      )}
      <TextInput
        aria-label={t.type === 'variable' ? 'Variable name' : 'Fact name'}
        placeholder={t.type === 'variable' ? 'Variable' : 'os.id, memoryMiB, ...'}
        value={t.name}
        onChange={(e) => props.onChange({ ...t, name: e.currentTarget.value })}
        size="xs"
        w={170}
        data-testid={`${props.testId}-name`}
      />
      <Select
        aria-label="Operator"
        data={t.type === 'variable' ? [...VARIABLE_OPS] : [...FACT_OPS]}
        value={t.op}
        allowDeselect={false}
        onChange={(v) => {
          if (t.type === 'variable') {
            const op = VARIABLE_OPS.find((o) => o === v);
            if (op) props.onChange(withValue({ ...t, op }));
          } else {
            const op = FACT_OPS.find((o) => o === v);
            if (op) props.onChange(withValue({ ...t, op }));
          }
        }}
        size="xs"
        w={120}
        data-testid={`${props.testId}-op`}
      />
      {t.op !== 'exists' && (
        <TextInput
          aria-label="Value"
          placeholder="Value"
          value={t.value ?? ''}
          onChange={(e) => props.onChange({ ...t, value: e.currentTarget.value })}
          size="xs"
          w={150}
          data-testid={`${props.testId}-value`}
        />
      )}
      <ActionIcon variant="subtle" color="red" onClick={props.onRemove} aria-label="Remove test">
        <IconTrash size={14} />
      </ActionIcon>
    </Group>
  );
}

/** A block: all/any/none of its tests; the outer block may hold inner blocks (one level). */
function BlockEditor(props: {
  block: Condition;
  onChange: (b: Condition | undefined) => void;
  inner: boolean;
  testId: string;
}) {
  const b = props.block;
  const setTests = (tests: ConditionNode[]) =>
    props.onChange(tests.length === 0 ? undefined : { ...b, tests });
  return (
    <Paper withBorder p="xs" data-testid={props.testId}>
      <Stack gap={6}>
        <Select
          aria-label="Match"
          data={MATCHES}
          value={b.match}
          allowDeselect={false}
          onChange={(v) => {
            if (isMatch(v)) props.onChange({ ...b, match: v });
          }}
          size="xs"
          w={220}
          data-testid={`${props.testId}-match`}
        />
        {b.tests.map((t, i) => {
          const replace = (next: ConditionNode | undefined) =>
            setTests(
              next === undefined
                ? b.tests.filter((_, j) => j !== i)
                : b.tests.map((x, j) => (j === i ? next : x)),
            );
          return t.type === 'block' ? (
            <BlockEditor
              key={i}
              block={t}
              inner
              onChange={replace}
              testId={`${props.testId}-block-${String(i)}`}
            />
          ) : (
            <TestRow
              key={i}
              test={t}
              onChange={replace}
              onRemove={() => replace(undefined)}
              testId={`${props.testId}-test-${String(i)}`}
            />
          );
        })}
        <Group gap="xs">
          <Button
            size="compact-xs"
            variant="light"
            leftSection={<IconPlus size={12} />}
            onClick={() => setTests([...b.tests, newTest('variable')])}
            data-testid={`${props.testId}-add-variable`}
          >
            Variable test
          </Button>
          <Button
            size="compact-xs"
            variant="light"
            leftSection={<IconPlus size={12} />}
            onClick={() => setTests([...b.tests, newTest('fact')])}
            data-testid={`${props.testId}-add-fact`}
          >
            Fact test
          </Button>
          {!props.inner && (
            <Button
              size="compact-xs"
              variant="light"
              leftSection={<IconPlus size={12} />}
              onClick={() =>
                setTests([
                  ...b.tests,
                  { type: 'block', match: 'any', tests: [newTest('variable')] },
                ])
              }
              data-testid={`${props.testId}-add-block`}
            >
              Block
            </Button>
          )}
        </Group>
      </Stack>
    </Paper>
  );
}

/**
 * A step's or group's condition: a block of variable and fact tests (all / any / none), with
 * inner blocks one level deep, as the protocol's Condition schema allows. No condition: it runs.
 */
export function ConditionBuilder(props: {
  value: Condition | undefined;
  onChange: (c: Condition | undefined) => void;
}) {
  if (!props.value)
    return (
      <Group gap="xs">
        <Text size="sm" c="dimmed">
          No condition: it always runs.
        </Text>
        <Button
          size="compact-xs"
          variant="light"
          leftSection={<IconPlus size={12} />}
          onClick={() =>
            props.onChange({ type: 'block', match: 'all', tests: [newTest('variable')] })
          }
          data-testid="condition-add"
        >
          Add condition
        </Button>
      </Group>
    );
  return (
    <BlockEditor block={props.value} onChange={props.onChange} inner={false} testId="condition" />
  );
}
