import { Button, Group, SegmentedControl, TextInput, Tooltip } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { IconFilterOff, IconLayoutRows, IconSearch } from '@tabler/icons-react';
import { useEffect, useState, type ReactNode } from 'react';
import { CollectionSelect } from '../../components/collection-select';
import { ColumnChooser } from './column-chooser';
import { parseStatus, type DeviceListPatch, type DeviceListState } from './device-list-filters';

/** Whether the list is narrowed by anything (search, status, collection). */
export function isFiltered(state: DeviceListState, withCollection: boolean): boolean {
  return Boolean(state.search || state.status || (withCollection && state.collection));
}

/**
 * The filters of a device list: search text, status, collection (the device list only), the
 * column chooser and the density toggle. Shared by the device list and a collection's members,
 * so both filter the same way (issue 12).
 */
export function DeviceListToolbar(props: {
  state: DeviceListState;
  update: (patch: DeviceListPatch) => void;
  withCollection: boolean;
  testIdPrefix?: string;
  /** More controls at the right end (the view menu). */
  children?: ReactNode;
}) {
  const { state, update } = props;
  const prefix = props.testIdPrefix ?? 'device';
  const [searchText, setSearchText] = useState(state.search);
  const pushSearch = useDebouncedCallback((search: string) => update({ search }), 300);
  // A view opened or filters cleared elsewhere: show their search text.
  useEffect(() => setSearchText(state.search), [state.search]);
  const filtered = isFiltered(state, props.withCollection);
  return (
    <Group gap="sm" mb="sm" wrap="wrap" justify="space-between">
      <Group gap="sm" wrap="wrap">
        <TextInput
          placeholder="Search name, address, OS, user…"
          leftSection={<IconSearch size={16} />}
          value={searchText}
          onChange={(e) => {
            setSearchText(e.currentTarget.value);
            pushSearch(e.currentTarget.value);
          }}
          w={300}
          data-testid={`${prefix}-search`}
        />
        <SegmentedControl
          size="sm"
          value={state.status ?? 'all'}
          onChange={(v) => update({ status: parseStatus(v) })}
          data={[
            { value: 'all', label: 'All' },
            { value: 'active', label: 'Active' },
            { value: 'inactive', label: 'Inactive' },
            { value: 'online', label: 'Online' },
            { value: 'obsolete', label: 'Obsolete' },
            { value: 'revoked', label: 'Revoked' },
          ]}
          data-testid={`${prefix}-status-filter`}
        />
        {props.withCollection && (
          <CollectionSelect
            placeholder="All collections"
            value={state.collection ?? null}
            onChange={(id) => update({ collection: id ?? undefined })}
            w={260}
            data-testid={`${prefix}-collection-filter`}
          />
        )}
        {filtered && (
          <Button
            variant="subtle"
            color="gray"
            leftSection={<IconFilterOff size={16} />}
            onClick={() => {
              setSearchText('');
              update({ search: '', status: undefined, collection: undefined });
            }}
          >
            Clear filters
          </Button>
        )}
      </Group>
      <Group gap="xs" wrap="nowrap">
        <ColumnChooser
          columns={state.columns}
          onChange={(edit) => update((now) => ({ columns: edit(now.columns), offset: now.offset }))}
        />
        <Tooltip
          label={
            state.density === 'compact'
              ? 'Comfortable rows'
              : 'Compact rows: more devices on one screen'
          }
        >
          <Button
            variant={state.density === 'compact' ? 'light' : 'default'}
            aria-pressed={state.density === 'compact'}
            leftSection={<IconLayoutRows size={16} />}
            onClick={() =>
              update({
                density: state.density === 'compact' ? 'comfortable' : 'compact',
                offset: state.offset,
              })
            }
            data-testid="density-toggle"
          >
            Compact
          </Button>
        </Tooltip>
        {props.children}
      </Group>
    </Group>
  );
}
