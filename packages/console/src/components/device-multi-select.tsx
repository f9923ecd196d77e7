import { MultiSelect } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { api } from '../api/client';

/**
 * Picks devices by searching the server (the fleet can be large); remembers the names of the
 * devices already picked so they stay labelled when the search changes.
 */
export function DeviceMultiSelect(props: {
  value: string[];
  onChange: (ids: string[]) => void;
  label?: string;
  description?: string;
  testId?: string;
}) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const names = useRef(new Map<string, string>());
  const found = useQuery({
    queryKey: ['devices', 'picker', debounced],
    queryFn: () => api.listDevices({ search: debounced || undefined, limit: 25, sort: 'name' }),
    placeholderData: keepPreviousData,
  });
  const missing = props.value.filter((id) => !names.current.has(id));
  const known = useQuery({
    queryKey: ['devices', 'picker-known', missing],
    queryFn: async () => Promise.all(missing.map((id) => api.getDevice(id))),
    enabled: missing.length > 0,
  });
  for (const d of found.data?.items ?? []) names.current.set(d.id, d.name);
  for (const d of known.data ?? []) names.current.set(d.id, d.name);

  const ids = new Set([...props.value, ...(found.data?.items ?? []).map((d) => d.id)]);
  const data = [...ids].map((id) => ({ value: id, label: names.current.get(id) ?? id }));

  return (
    <MultiSelect
      label={props.label}
      description={props.description}
      placeholder={props.value.length === 0 ? 'Search devices by name' : undefined}
      searchable
      clearable
      data={data}
      value={props.value}
      onChange={props.onChange}
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
      nothingFoundMessage={found.isFetching ? 'Searching…' : 'No device matches'}
      data-testid={props.testId}
      maxDropdownHeight={260}
    />
  );
}
