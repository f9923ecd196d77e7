import {
  ActionIcon,
  Button,
  Checkbox,
  Divider,
  Group,
  Popover,
  ScrollArea,
  Select,
  Stack,
  Text,
} from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconColumns, IconX } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import {
  BUILTIN_DEVICE_COLUMNS,
  DEFAULT_DEVICE_COLUMNS,
  MAX_DEVICE_COLUMNS,
  deviceColumnLabel,
} from '@steward/protocol';
import { api } from '../../api/client';
import { moveColumn } from './device-list-filters';

/**
 * Chooses and orders the device table's columns (ADR 0034): the built-in ones of the catalogue,
 * and any inventory property of the site's classes (built-in and custom) as
 * `inventory.<class>.<property>`.
 */
export function ColumnChooser(props: {
  columns: readonly string[];
  /**
   * Applies an edit to the columns as they are when it lands (the address), not as this render
   * saw them: two quick clicks (move, then remove) arrive before the first one's render does.
   */
  onChange: (edit: (columns: readonly string[]) => string[]) => void;
}) {
  const classes = useQuery({
    queryKey: ['inventory-classes'],
    queryFn: () => api.listInventoryClasses(),
    staleTime: 60_000,
  });
  const chosen = new Set(props.columns);
  const full = props.columns.length >= MAX_DEVICE_COLUMNS;
  const toggle = (id: string, on: boolean) =>
    props.onChange((columns) => {
      if (on) return columns.includes(id) ? [...columns] : [...columns, id];
      // The list always keeps one column.
      return columns.length > 1 ? columns.filter((c) => c !== id) : [...columns];
    });
  const move = (id: string, by: -1 | 1) =>
    props.onChange((columns) => moveColumn(columns, columns.indexOf(id), by));
  const properties = (classes.data ?? [])
    .filter((c) => c.name !== 'package')
    .map((c) => ({
      group: c.builtin ? c.description || c.name : `${c.name} (custom)`,
      items: Object.keys(c.properties)
        .map((p) => `inventory.${c.name}.${p}`)
        .filter((id) => !chosen.has(id))
        .map((id) => ({ value: id, label: deviceColumnLabel(id) })),
    }))
    .filter((g) => g.items.length > 0);
  const inventoryChosen = props.columns.filter((id) => id.startsWith('inventory.'));
  return (
    <Popover position="bottom-start" shadow="md" width={340} trapFocus>
      <Popover.Target>
        <Button
          variant="default"
          leftSection={<IconColumns size={16} />}
          data-testid="column-chooser"
        >
          Columns
        </Button>
      </Popover.Target>
      <Popover.Dropdown data-testid="column-chooser-dropdown">
        <Text size="xs" c="dimmed" mb={6}>
          Shown columns, in order (arrows move them).
        </Text>
        <ScrollArea.Autosize mah={300} type="auto">
          <Stack gap={4}>
            {props.columns.map((id, i) => (
              <Group
                key={id}
                gap={4}
                wrap="nowrap"
                justify="space-between"
                data-testid="chosen-column"
                data-column={id}
              >
                <Text size="sm" truncate>
                  {deviceColumnLabel(id)}
                </Text>
                <Group gap={2} wrap="nowrap">
                  <ActionIcon
                    variant="subtle"
                    size="sm"
                    aria-label={`Move ${id} up`}
                    disabled={i === 0}
                    onClick={() => move(id, -1)}
                  >
                    <IconArrowUp size={14} />
                  </ActionIcon>
                  <ActionIcon
                    variant="subtle"
                    size="sm"
                    aria-label={`Move ${id} down`}
                    disabled={i === props.columns.length - 1}
                    onClick={() => move(id, 1)}
                  >
                    <IconArrowDown size={14} />
                  </ActionIcon>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    size="sm"
                    aria-label={`Remove ${id}`}
                    disabled={props.columns.length === 1}
                    onClick={() => toggle(id, false)}
                  >
                    <IconX size={14} />
                  </ActionIcon>
                </Group>
              </Group>
            ))}
          </Stack>
        </ScrollArea.Autosize>
        <Divider my="sm" label="Device columns" labelPosition="left" />
        <Stack gap={4}>
          {BUILTIN_DEVICE_COLUMNS.filter((c) => !chosen.has(c.id)).map((c) => (
            <Checkbox
              key={c.id}
              size="xs"
              label={c.label}
              checked={false}
              disabled={full}
              onChange={() => toggle(c.id, true)}
              data-testid={`add-column-${c.id}`}
            />
          ))}
        </Stack>
        <Divider my="sm" label="Inventory property" labelPosition="left" />
        <Select
          size="xs"
          searchable
          placeholder={classes.isPending ? 'Loading classes…' : 'Add a property, e.g. cpu.model'}
          data={properties}
          value={null}
          disabled={full}
          onChange={(id) => id && toggle(id, true)}
          nothingFoundMessage="No such property"
          comboboxProps={{ withinPortal: false }}
          data-testid="add-inventory-column"
        />
        {inventoryChosen.length > 0 && (
          <Text size="xs" c="dimmed" mt={6}>
            Inventory columns show the device&apos;s last reported value (one per instance for
            disks, adapters and other multi-instance classes).
          </Text>
        )}
        <Group justify="flex-end" mt="sm">
          <Button
            size="xs"
            variant="subtle"
            onClick={() => props.onChange(() => [...DEFAULT_DEVICE_COLUMNS])}
            data-testid="reset-columns"
          >
            Default columns
          </Button>
        </Group>
      </Popover.Dropdown>
    </Popover>
  );
}
