import {
  ActionIcon,
  Button,
  Card,
  Group,
  MultiSelect,
  Stack,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconCode, IconPlus, IconTrash, IconUsersGroup } from '@tabler/icons-react';
import type { InventoryClassShape } from '@steward/protocol';
import { useCollections } from '../../components/collection-select';
import { DeviceMultiSelect } from '../../components/device-multi-select';
import type { CollectionForm, QueryRuleDraft } from './collection-form';
import { newQueryRule } from './collection-form';
import { QueryEditor } from './query-editor';

/** Query rules, direct members and include/exclude collections of one collection. */
export function RulesEditor(props: {
  form: CollectionForm;
  onChange: (patch: Partial<CollectionForm>) => void;
  catalog: readonly InventoryClassShape[] | undefined;
  selfId?: string;
}) {
  const { form, onChange } = props;
  const collections = useCollections();
  const collectionOptions = (collections.data ?? [])
    .filter((c) => c.id !== props.selfId)
    .map((c) => ({ value: c.id, label: `${c.name} (${c.memberCount})` }));
  const setQuery = (key: number, patch: Partial<QueryRuleDraft>) =>
    onChange({ queries: form.queries.map((q) => (q.key === key ? { ...q, ...patch } : q)) });

  return (
    <Stack gap="md">
      <Card p="md">
        <Group justify="space-between" mb="xs">
          <Group gap={6}>
            <IconCode size={17} />
            <Title order={4} fz={15}>
              Query rules
            </Title>
          </Group>
          <Button
            size="xs"
            variant="light"
            leftSection={<IconPlus size={14} />}
            onClick={() => onChange({ queries: [...form.queries, newQueryRule()] })}
            data-testid="add-query-rule"
          >
            Add query
          </Button>
        </Group>
        <Text size="xs" c="dimmed" mb="sm">
          A device is a member when it matches any query rule (or is a direct member, or is in an
          included collection), is not in an excluded collection, and is in the limiting collection.
        </Text>
        <Stack gap="lg">
          {form.queries.length === 0 && (
            <Text size="sm" c="dimmed">
              No query rules. Add one to select devices by their inventory.
            </Text>
          )}
          {form.queries.map((q, i) => (
            <Stack key={q.key} gap={6} data-testid="query-rule">
              <Group gap="xs" wrap="nowrap">
                <TextInput
                  size="xs"
                  placeholder={`Rule ${i + 1} name (optional)`}
                  value={q.name}
                  onChange={(e) => setQuery(q.key, { name: e.currentTarget.value })}
                  style={{ flex: 1 }}
                  maxLength={200}
                />
                <Tooltip label="Remove this rule" withArrow>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    onClick={() =>
                      onChange({ queries: form.queries.filter((x) => x.key !== q.key) })
                    }
                    aria-label="Remove rule"
                  >
                    <IconTrash size={16} />
                  </ActionIcon>
                </Tooltip>
              </Group>
              <QueryEditor
                value={q.query}
                onChange={(query) => setQuery(q.key, { query })}
                catalog={props.catalog}
                testId={`query-editor-${i}`}
              />
            </Stack>
          ))}
        </Stack>
      </Card>
      <Card p="md">
        <Group gap={6} mb="sm">
          <IconUsersGroup size={17} />
          <Title order={4} fz={15}>
            Direct members and other collections
          </Title>
        </Group>
        <Stack gap="sm">
          <DeviceMultiSelect
            label="Direct members"
            description="Devices that are members whatever their inventory says"
            value={form.direct}
            onChange={(direct) => onChange({ direct })}
            testId="direct-members"
          />
          <MultiSelect
            label="Include collections"
            description="Members of these collections are members of this one"
            placeholder={form.include.length ? undefined : 'Pick collections'}
            data={collectionOptions}
            value={form.include}
            onChange={(include) => onChange({ include })}
            searchable
            clearable
            data-testid="include-collections"
          />
          <MultiSelect
            label="Exclude collections"
            description="Members of these collections are never members of this one"
            placeholder={form.exclude.length ? undefined : 'Pick collections'}
            data={collectionOptions}
            value={form.exclude}
            onChange={(exclude) => onChange({ exclude })}
            searchable
            clearable
            data-testid="exclude-collections"
          />
        </Stack>
      </Card>
    </Stack>
  );
}
