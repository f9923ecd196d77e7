import { Anchor, Checkbox, Group, Table, Text } from '@mantine/core';
import { MAX_SELECTION_IDS } from '@steward/protocol';
import { useEffect, useMemo, useState } from 'react';

/**
 * Selecting rows of a paged list (issue 12, ADR 0031), the same for every list: tick rows or a
 * page (explicit ids, kept across pages), then "select all matching this filter": the selection
 * becomes the filter itself, resolved on the site in one request.
 */
export interface RowSelection<F> {
  isSelected: (id: string) => boolean;
  toggle: (id: string) => void;
  /** The header checkbox: every row of this page, some, or none. */
  pageState: 'all' | 'some' | 'none';
  togglePage: () => void;
  /** Every row matching the filter (only offered when the list has a filter to send). */
  selectAllMatching: () => void;
  clear: () => void;
  /** Selected rows: the ids ticked, or the filter's total. */
  count: number;
  allMatching: boolean;
  /** How many rows match the filter in all, and how many the page shows. */
  total: number;
  pageSize: number;
  canSelectAllMatching: boolean;
  /** What a bulk request sends; undefined while nothing is selected. */
  selection: { ids: string[] } | { filter: F } | undefined;
}

/**
 * The selection of a list showing `pageIds` of `total` rows matching `filter` (omit `filter`
 * for a list that can only act on explicit ids). Changing the filter clears the selection.
 */
export function useRowSelection<F>(o: {
  pageIds: readonly string[];
  total: number;
  filter?: F;
}): RowSelection<F> {
  const [ids, setIds] = useState<ReadonlySet<string>>(new Set());
  const [allMatching, setAllMatching] = useState(false);
  const filterKey = JSON.stringify(o.filter ?? null);
  useEffect(() => {
    setIds(new Set());
    setAllMatching(false);
  }, [filterKey]);
  const { pageIds, total, filter } = o;
  return useMemo(() => {
    const onPage = pageIds.filter((id) => allMatching || ids.has(id)).length;
    const pageState =
      pageIds.length > 0 && onPage === pageIds.length ? 'all' : onPage > 0 ? 'some' : 'none';
    const count = allMatching ? total : ids.size;
    const selection =
      count === 0
        ? undefined
        : allMatching && filter !== undefined
          ? { filter }
          : { ids: [...ids] };
    return {
      isSelected: (id) => allMatching || ids.has(id),
      toggle: (id) => {
        if (allMatching) {
          // Leaving "all matching": keep this page's other rows ticked.
          setAllMatching(false);
          setIds(new Set(pageIds.filter((p) => p !== id)));
          return;
        }
        const next = new Set(ids);
        if (next.has(id)) next.delete(id);
        else if (next.size < MAX_SELECTION_IDS) next.add(id);
        setIds(next);
      },
      pageState,
      togglePage: () => {
        if (pageState === 'all') {
          setAllMatching(false);
          const next = new Set(ids);
          for (const id of pageIds) next.delete(id);
          setIds(next);
        } else setIds(new Set([...ids, ...pageIds].slice(0, MAX_SELECTION_IDS)));
      },
      selectAllMatching: () => setAllMatching(true),
      clear: () => {
        setAllMatching(false);
        setIds(new Set());
      },
      count,
      allMatching,
      total,
      pageSize: pageIds.length,
      canSelectAllMatching: filter !== undefined && total > pageIds.length,
      selection,
    };
  }, [pageIds, total, filter, ids, allMatching]);
}

/** The header cell: select (or clear) this page. */
export function SelectPageTh<F>({ selection }: { selection: RowSelection<F> }) {
  return (
    <Table.Th w={36}>
      <Checkbox
        aria-label="Select this page"
        data-testid="select-page"
        checked={selection.pageState === 'all'}
        indeterminate={selection.pageState === 'some'}
        onChange={() => selection.togglePage()}
      />
    </Table.Th>
  );
}

/** A row's cell: select this row (clicking it does not open the row). */
export function SelectRowTd<F>(props: { selection: RowSelection<F>; id: string; label: string }) {
  return (
    <Table.Td w={36} onClick={(e) => e.stopPropagation()}>
      <Checkbox
        aria-label={`Select ${props.label}`}
        data-testid="select-row"
        checked={props.selection.isSelected(props.id)}
        onChange={() => props.selection.toggle(props.id)}
      />
    </Table.Td>
  );
}

/**
 * Once a whole page is selected: "All 50 on this page are selected. Select all 8,213 matching
 * this filter", then "All 8,213 matching this filter are selected. Clear selection".
 */
export function SelectionBanner<F>(props: { selection: RowSelection<F>; noun: string }) {
  const s = props.selection;
  if (s.allMatching)
    return (
      <Group
        gap="xs"
        justify="center"
        py={6}
        className="steward-selection-banner"
        data-testid="selection-banner"
      >
        <Text size="sm">
          All {s.total.toLocaleString()} {props.noun} matching this filter are selected.
        </Text>
        <Anchor component="button" size="sm" onClick={() => s.clear()}>
          Clear selection
        </Anchor>
      </Group>
    );
  if (s.pageState !== 'all' || !s.canSelectAllMatching) return null;
  return (
    <Group
      gap="xs"
      justify="center"
      py={6}
      className="steward-selection-banner"
      data-testid="selection-banner"
    >
      <Text size="sm">All {s.pageSize.toLocaleString()} on this page are selected.</Text>
      <Anchor
        component="button"
        size="sm"
        fw={600}
        onClick={() => s.selectAllMatching()}
        data-testid="select-all-matching"
      >
        Select all {s.total.toLocaleString()} matching this filter
      </Anchor>
    </Group>
  );
}
