import { Button, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconFilter, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ops, type DiscoveredMemberRuleKind } from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../api/client';
import { notifySuccess } from '../../api/errors';
import { DataTable } from '../../components/data-table';
import { ErrorState } from '../../components/error-state';

const KINDS: { value: DiscoveredMemberRuleKind; label: string; placeholder: string }[] = [
  { value: 'subnet', label: 'Subnet or range', placeholder: '10.1.0.0/24 or 10.1.0.1-10.1.0.99' },
  { value: 'host-name', label: 'Host name pattern', placeholder: 'web-*.example.lan' },
  { value: 'os', label: 'Guessed OS', placeholder: 'ubuntu 22' },
];
const labelOf = (k: DiscoveredMemberRuleKind) => KINDS.find((x) => x.value === k)?.label ?? k;

/**
 * A collection's rules for discovered machines (ADR 0038): by subnet or range, host-name
 * pattern or guessed OS. Evaluated whenever the members are read, so machines a sweep finds
 * later are included at once; each rule shows how many it matches now.
 */
export function CollectionDiscoveredRules({
  collectionId,
  writable,
}: {
  collectionId: string;
  writable: boolean;
}) {
  const queryClient = useQueryClient();
  const key = ['collection', collectionId, 'discovered-rules'];
  const [kind, setKind] = useState<DiscoveredMemberRuleKind>('subnet');
  const [value, setValue] = useState('');
  const rules = useQuery({
    queryKey: key,
    queryFn: () => api.call(ops.discovery.listCollectionRules, { params: { id: collectionId } }),
    refetchInterval: 15_000,
  });
  const refresh = () =>
    void queryClient.invalidateQueries({ queryKey: ['collection', collectionId] });
  const add = useMutation({
    mutationFn: () =>
      api.call(ops.discovery.addCollectionRule, {
        params: { id: collectionId },
        body: { kind, value },
      }),
    meta: { errorTitle: 'Could not add the rule' },
    onSuccess: (r) => {
      setValue('');
      notifySuccess(`Rule added: it matches ${r.matches} discovered machine(s) now.`);
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (ruleId: string) =>
      api.call(ops.discovery.removeCollectionRule, { params: { id: collectionId, ruleId } }),
    meta: { errorTitle: 'Could not remove the rule' },
    onSuccess: refresh,
  });
  if (rules.isError) return <ErrorState error={rules.error} what="the discovered-member rules" />;
  const items = rules.data ?? [];
  return (
    <Stack gap="xs" data-testid="collection-discovered-rules">
      <Group gap="xs">
        <IconFilter size={16} />
        <Text size="sm" fw={500}>
          Included by rule
        </Text>
        <Text size="sm" c="dimmed">
          subnet, host name or guessed OS; machines found by later sweeps join by themselves
        </Text>
      </Group>
      {items.length > 0 && (
        <DataTable
          testId="collection-discovered-rules-table"
          loading={rules.isPending}
          minWidth={500}
          columns={[
            { label: 'Rule' },
            { label: 'Value' },
            { label: 'Matches now' },
            ...(writable ? [{ label: '' }] : []),
          ]}
        >
          {items.map((r) => (
            <Table.Tr key={r.id} data-testid={`collection-discovered-rule-${r.value}`}>
              <Table.Td>{labelOf(r.kind)}</Table.Td>
              <Table.Td ff="monospace">{r.value}</Table.Td>
              <Table.Td>{r.matches}</Table.Td>
              {writable && (
                <Table.Td>
                  <Button
                    size="compact-xs"
                    variant="subtle"
                    color="red"
                    leftSection={<IconTrash size={12} />}
                    onClick={() => remove.mutate(r.id)}
                    aria-label={`remove rule ${r.value}`}
                  >
                    Remove
                  </Button>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </DataTable>
      )}
      {writable && (
        <Group align="end">
          <Select
            label="Include by"
            data={KINDS.map(({ value: v, label }) => ({ value: v, label }))}
            value={kind}
            onChange={(v) => {
              const k = KINDS.find((x) => x.value === v);
              if (k !== undefined) setKind(k.value);
            }}
            allowDeselect={false}
            w={200}
            data-testid="collection-discovered-rule-kind"
          />
          <TextInput
            label="Value"
            placeholder={KINDS.find((x) => x.value === kind)?.placeholder}
            value={value}
            onChange={(e) => setValue(e.currentTarget.value)}
            w={280}
            data-testid="collection-discovered-rule-value"
          />
          <Button
            onClick={() => add.mutate()}
            loading={add.isPending}
            disabled={value.trim() === ''}
            data-testid="collection-discovered-rule-add"
          >
            Add rule
          </Button>
        </Group>
      )}
    </Stack>
  );
}
