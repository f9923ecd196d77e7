import { Group, SegmentedControl, Select, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { type ReactNode, useEffect, useState } from 'react';
import { EmptyState } from './empty-state';
import { ErrorState } from './error-state';
import { Pager } from './pager';

export interface ListPage {
  offset: number;
  limit: number;
}

/** The page of a filtered list: back to the first page whenever the filters (their key) change. */
export function useListPage(filterKey: string, limit = 50): [ListPage, (p: ListPage) => void] {
  const [page, setPage] = useState<ListPage>({ offset: 0, limit });
  const [pagedFor, setPagedFor] = useState(filterKey);
  if (pagedFor !== filterKey) {
    setPagedFor(filterKey);
    setPage((p) => ({ ...p, offset: 0 }));
  }
  return [page, setPage];
}

/**
 * A paged list with its filter bar: the filters on the left and the actions (export) on the
 * right, then the list's error, its empty state, or the table (`children`) and its pager. The
 * update pages (catalog, advisories, scan audit, a deployment's devices) show their lists so.
 */
export function FilteredList(props: {
  filters?: ReactNode;
  actions?: ReactNode;
  /** Between the bar and the list (a bulk-action bar, a selection banner). */
  between?: ReactNode;
  query: {
    isError: boolean;
    isPending: boolean;
    error: unknown;
    data?: { total: number } | undefined;
  };
  /** "the advisories": what could not be loaded. */
  what: string;
  /** Shown when nothing matches; without it an empty table is shown. */
  empty?: { icon: ReactNode; title: string; description?: string };
  page: ListPage;
  onPage: (p: ListPage) => void;
  pagerTestId: string;
  children: ReactNode;
}) {
  const { query } = props;
  const total = query.data?.total ?? 0;
  return (
    <>
      {(props.filters !== undefined || props.actions !== undefined) && (
        <Group justify="space-between" align="flex-start" mb="sm" wrap="nowrap">
          <Group gap="sm" wrap="wrap">
            {props.filters}
          </Group>
          {props.actions}
        </Group>
      )}
      {props.between}
      {query.isError && !query.data ? (
        <ErrorState error={query.error} what={props.what} />
      ) : props.empty && !query.isPending && total === 0 ? (
        <EmptyState
          icon={props.empty.icon}
          title={props.empty.title}
          description={props.empty.description}
          compact
        />
      ) : (
        <>
          {props.children}
          <Pager
            offset={props.page.offset}
            limit={props.page.limit}
            total={total}
            onChange={(offset, limit) => props.onPage({ offset, limit })}
            testId={props.pagerTestId}
          />
        </>
      )}
    </>
  );
}

/**
 * A text filter typed freely and applied 300 ms after the last key (`onChange` gets the settled
 * text, so a list is not fetched for every key). `search` gives it the magnifier.
 */
export function TextFilter(props: {
  value: string;
  onChange: (text: string) => void;
  placeholder: string;
  w: number;
  testId: string;
  search?: boolean;
}) {
  const [text, setText] = useState(props.value);
  const [settled] = useDebouncedValue(text, 300);
  useEffect(() => {
    if (settled !== props.value) props.onChange(settled);
    // Only the settled text drives the filter; `onChange` is a new function every render.
  }, [settled]);
  return (
    <TextInput
      placeholder={props.placeholder}
      leftSection={props.search ? <IconSearch size={16} /> : undefined}
      value={text}
      onChange={(e) => setText(props.search ? e.currentTarget.value : e.currentTarget.value.trim())}
      w={props.w}
      data-testid={props.testId}
    />
  );
}

/** A clearable choice among fixed values ("Any severity"). */
export function ChoiceFilter<T extends string>(props: {
  choices: readonly T[];
  value: T | undefined;
  onChange: (v: T | undefined) => void;
  placeholder: string;
  w: number;
  testId: string;
  label?: (v: T) => string;
}) {
  return (
    <Select
      placeholder={props.placeholder}
      data={props.choices.map((c) => ({ value: c, label: props.label ? props.label(c) : c }))}
      value={props.value ?? null}
      onChange={(v) => props.onChange(props.choices.find((c) => c === v))}
      clearable
      w={props.w}
      data-testid={props.testId}
    />
  );
}

/**
 * One of a few fixed views, always set (the catalog's kind: apt, custom or all): a segmented
 * control, each choice with its data-value for tests.
 */
export function SegmentFilter<T extends string>(props: {
  choices: readonly { value: T; label: string }[];
  value: T;
  onChange: (v: T) => void;
  testId: string;
}) {
  return (
    <SegmentedControl
      data={props.choices.map((c) => ({ value: c.value, label: c.label }))}
      value={props.value}
      onChange={(v) => {
        const c = props.choices.find((x) => x.value === v);
        if (c) props.onChange(c.value);
      }}
      data-testid={props.testId}
    />
  );
}
