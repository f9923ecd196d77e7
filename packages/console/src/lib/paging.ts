/**
 * The paging options of a list read a page at a time, each page after the last id seen (audit
 * log, device history, collection history). The first page has no cursor; a short page is the
 * last one.
 */
export function pagedByLastId(pageSize: number): {
  initialPageParam: string | undefined;
  getNextPageParam: (last: readonly { id: string }[]) => string | undefined;
} {
  return {
    initialPageParam: undefined,
    getNextPageParam: (last) => (last.length < pageSize ? undefined : last[last.length - 1]?.id),
  };
}
