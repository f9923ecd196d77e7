import { Button, Group, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops } from '@steward/protocol';
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { ErrorState } from '../../components/error-state';
import { useSession } from '../../session/session-context';
import { ProblemsAlert } from './problems-alert';
import { VariablesTable, variableNameProblem, type VariableRow } from './variables-table';

/**
 * A collection's or a device's task-sequence variables: they override a sequence's defaults
 * (a device's also its collections'). Saved as a whole list.
 */
export function TargetVariables(props: { target: 'collection' | 'device'; id: string }) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const key = ['task-sequence-variables', props.target, props.id];
  const isDevice = props.target === 'device';
  const vars = useQuery({
    queryKey: key,
    queryFn: () =>
      isDevice
        ? api.call(ops.taskSequences.deviceVariables, { params: { id: props.id } })
        : api.call(ops.taskSequences.collectionVariables, { params: { id: props.id } }),
  });
  const [rows, setRows] = useState<VariableRow[]>([]);
  const [dirty, setDirty] = useState(false);
  useEffect(() => {
    if (vars.data && !dirty) setRows(vars.data.variables);
  }, [vars.data, dirty]);
  const save = useMutation({
    mutationFn: (variables: VariableRow[]) =>
      isDevice
        ? api.call(ops.taskSequences.setDeviceVariables, {
            params: { id: props.id },
            body: { variables },
          })
        : api.call(ops.taskSequences.setCollectionVariables, {
            params: { id: props.id },
            body: { variables },
          }),
    meta: { silent: true },
    onSuccess: (v) => {
      notifySuccess('Task-sequence variables saved.', 'Saved');
      setDirty(false);
      queryClient.setQueryData(key, v);
    },
  });
  if (vars.isError) return <ErrorState error={vars.error} what="the task-sequence variables" />;
  const writable = can(isDevice ? 'devices:write' : 'collections:write');
  const invalid = rows.some((_, i) => variableNameProblem(rows, i) !== undefined);
  return (
    <Stack gap="sm" data-testid={`${props.target}-ts-variables`}>
      <Text size="sm" c="dimmed">
        {isDevice
          ? "These override the device's collections' variables and the sequence's defaults."
          : "These override a sequence's defaults for the collection's members (a device's own override them)."}
      </Text>
      {save.error ? (
        <ProblemsAlert error={save.error} title="Variables not saved" testId="ts-variables-error" />
      ) : null}
      <VariablesTable
        rows={rows}
        onChange={(r) => {
          setRows(r);
          setDirty(true);
        }}
        readOnly={!writable}
        testId={`${props.target}-vars`}
      />
      {writable && (
        <Group>
          <Button
            size="xs"
            disabled={!dirty || invalid}
            loading={save.isPending}
            onClick={() => save.mutate(rows)}
            data-testid={`${props.target}-vars-save`}
          >
            Save variables
          </Button>
        </Group>
      )}
    </Stack>
  );
}
