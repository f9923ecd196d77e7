import { Select } from '@mantine/core';
import type { SelectProps } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';

export function useCollections() {
  // A picker opened now must list a collection created a moment ago (elsewhere, or through the
  // API): what is cached shows at once and is refreshed on every mount.
  return useQuery({
    queryKey: ['collections'],
    queryFn: () => api.listCollections(),
    refetchOnMount: 'always',
  });
}

/** Picks one collection by id. */
export function CollectionSelect(
  props: {
    value: string | null;
    onChange: (id: string | null) => void;
    exclude?: readonly string[];
  } & Omit<SelectProps, 'value' | 'onChange' | 'data'>,
) {
  const { value, onChange, exclude, ...rest } = props;
  const collections = useCollections();
  const data = (collections.data ?? [])
    .filter((c) => !exclude?.includes(c.id))
    .map((c) => ({ value: c.id, label: `${c.name} (${c.memberCount})` }));
  return (
    <Select
      searchable
      clearable
      nothingFoundMessage="No collection matches"
      {...rest}
      data={data}
      value={value}
      onChange={onChange}
      disabled={rest.disabled || collections.isPending}
    />
  );
}
