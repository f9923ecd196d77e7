import { Skeleton, Table } from '@mantine/core';

/** Placeholder rows in the shape of the table that is loading. */
export function TableSkeleton({ rows = 8, columns }: { rows?: number; columns: number }) {
  return (
    <Table.Tbody data-testid="table-skeleton">
      {Array.from({ length: rows }, (_, r) => (
        <Table.Tr key={r}>
          {Array.from({ length: columns }, (_, c) => (
            <Table.Td key={c}>
              <Skeleton
                height={12}
                radius="sm"
                width={c === 0 ? '70%' : `${40 + ((r * 7 + c * 13) % 45)}%`}
              />
            </Table.Td>
          ))}
        </Table.Tr>
      ))}
    </Table.Tbody>
  );
}

export function BlockSkeleton({ lines = 4 }: { lines?: number }) {
  return (
    <>
      {Array.from({ length: lines }, (_, i) => (
        <Skeleton
          key={i}
          height={14}
          mt={i === 0 ? 0 : 10}
          width={`${90 - ((i * 17) % 40)}%`}
          radius="sm"
        />
      ))}
    </>
  );
}
