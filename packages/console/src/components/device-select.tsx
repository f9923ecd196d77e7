import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';

/** Picks one device, searching the server by name. */
export function DeviceSelect(props: {
  value: string | null;
  onChange: (id: string | null) => void;
  placeholder?: string;
  w?: number;
  testId?: string;
}) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const found = useQuery({
    queryKey: ['devices', 'picker', debounced],
    queryFn: () => api.listDevices({ search: debounced || undefined, limit: 25, sort: 'name' }),
    placeholderData: keepPreviousData,
  });
  const selected = useQuery({
    queryKey: ['device', props.value],
    queryFn: () => api.getDevice(props.value ?? ''),
    enabled: props.value !== null,
    meta: { silent: true },
  });
  const options = new Map<string, string>();
  if (props.value) options.set(props.value, selected.data?.name ?? props.value);
  for (const d of found.data?.items ?? []) options.set(d.id, d.name);
  return (
    <Select
      placeholder={props.placeholder ?? 'Any device'}
      searchable
      clearable
      w={props.w}
      data={[...options].map(([value, label]) => ({ value, label }))}
      value={props.value}
      onChange={props.onChange}
      onSearchChange={setSearch}
      filter={({ options: o }) => o}
      nothingFoundMessage="No device matches"
      data-testid={props.testId}
    />
  );
}
