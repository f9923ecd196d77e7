import { ActionIcon, Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';

export interface VariableRow {
  name: string;
  value: string;
}

/** The protocol's VariableName: a letter first, so never the engine's `_STW…` built-ins. */
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** What is wrong with a row's name, as the site would say it; undefined when it is fine. */
export function variableNameProblem(rows: readonly VariableRow[], i: number): string | undefined {
  const name = rows[i]?.name ?? '';
  if (!NAME.test(name)) return 'A letter, then letters, digits or _';
  if (name.length > 64) return 'At most 64 characters';
  if (rows.findIndex((r) => r.name === name) !== i) return 'Named twice';
  return undefined;
}

export const rowsOf = (vars: Readonly<Record<string, string>>): VariableRow[] =>
  Object.entries(vars).map(([name, value]) => ({ name, value }));
export const recordOf = (rows: readonly VariableRow[]): Record<string, string> =>
  Object.fromEntries(rows.map((r) => [r.name, r.value]));

/** Task-sequence variables as an editable name/value table (defaults, collections, devices). */
export function VariablesTable(props: {
  rows: VariableRow[];
  onChange: (rows: VariableRow[]) => void;
  testId: string;
  readOnly?: boolean;
}) {
  const { rows, onChange } = props;
  const set = (i: number, patch: Partial<VariableRow>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <Stack gap="xs" data-testid={props.testId}>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          No variables.
        </Text>
      ) : (
        <Table className="steward-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w="35%">Name</Table.Th>
              <Table.Th>Value</Table.Th>
              <Table.Th w={40} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r, i) => (
              <Table.Tr key={i}>
                <Table.Td>
                  <TextInput
                    size="xs"
                    aria-label="Variable name"
                    value={r.name}
                    readOnly={props.readOnly}
                    error={variableNameProblem(rows, i)}
                    onChange={(e) => set(i, { name: e.currentTarget.value })}
                    data-testid={`${props.testId}-name-${String(i)}`}
                  />
                </Table.Td>
                <Table.Td>
                  <TextInput
                    size="xs"
                    aria-label="Variable value"
                    value={r.value}
                    readOnly={props.readOnly}
                    maxLength={4000}
                    onChange={(e) => set(i, { value: e.currentTarget.value })}
                    data-testid={`${props.testId}-value-${String(i)}`}
                  />
                </Table.Td>
                <Table.Td>
                  {!props.readOnly && (
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={`Remove ${r.name}`}
                      onClick={() => onChange(rows.filter((_, j) => j !== i))}
                    >
                      <IconTrash size={14} />
                    </ActionIcon>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {!props.readOnly && (
        <Group>
          <Button
            size="xs"
            variant="light"
            leftSection={<IconPlus size={14} />}
            onClick={() => onChange([...rows, { name: '', value: '' }])}
            data-testid={`${props.testId}-add`}
          >
            Add variable
          </Button>
        </Group>
      )}
    </Stack>
  );
}
