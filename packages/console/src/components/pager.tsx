import { Group, Pagination, Select, Text } from '@mantine/core';
import { formatNumber } from '../lib/format';

/** Page controls with the total count: "1–50 of 1,234". */
export function Pager(props: {
  offset: number;
  limit: number;
  total: number;
  onChange: (offset: number, limit: number) => void;
  pageSizes?: number[];
  testId?: string;
}) {
  const { offset, limit, total } = props;
  const pages = Math.max(1, Math.ceil(total / limit));
  const page = Math.floor(offset / limit) + 1;
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, total);
  return (
    <Group justify="space-between" mt="sm" gap="sm" data-testid={props.testId ?? 'pager'}>
      <Text size="sm" c="dimmed" data-testid="pager-summary">
        {formatNumber(from)}–{formatNumber(to)} of {formatNumber(total)}
      </Text>
      <Group gap="sm">
        <Select
          size="xs"
          w={110}
          data={(props.pageSizes ?? [25, 50, 100, 200]).map((n) => ({
            value: String(n),
            label: `${n} / page`,
          }))}
          value={String(limit)}
          onChange={(v) => v && props.onChange(0, Number(v))}
          allowDeselect={false}
          aria-label="Rows per page"
        />
        <Pagination
          size="sm"
          total={pages}
          value={page}
          onChange={(p) => props.onChange((p - 1) * limit, limit)}
          withEdges={pages > 5}
        />
      </Group>
    </Group>
  );
}
