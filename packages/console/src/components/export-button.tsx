import { Button, Menu } from '@mantine/core';
import { IconChevronDown, IconDownload } from '@tabler/icons-react';
import type {
  ExportArgs,
  ExportFormat,
  ExportSpec,
  Operation,
  QueryValues,
} from '@steward/protocol';
import { api } from '../api/client';

const FORMATS: readonly { format: ExportFormat; label: string }[] = [
  { format: 'csv', label: 'CSV (spreadsheet)' },
  { format: 'json', label: 'JSON' },
];

/**
 * The one export control of every list (ADR 0032): CSV or JSON of every row matching the
 * list's current filters, not only the page shown. Each item is a plain download link, so the
 * browser streams the file to disk; the session cookie authenticates it (a GET needs no CSRF
 * token).
 */
export function ExportButton({
  op,
  params,
  filters,
  testId = 'export',
}: {
  op: Operation & { export: ExportSpec };
  params?: ExportArgs['params'];
  /** The list's current filters, as its query takes them (empty values are left out). */
  filters?: QueryValues;
  testId?: string;
}) {
  return (
    <Menu position="bottom-end" shadow="md" withinPortal>
      <Menu.Target>
        <Button
          variant="default"
          leftSection={<IconDownload size={16} />}
          rightSection={<IconChevronDown size={14} />}
          data-testid={testId}
        >
          Export
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Every matching row</Menu.Label>
        {FORMATS.map(({ format, label }) => (
          <Menu.Item
            key={format}
            component="a"
            href={api.exportUrl(op, {
              ...(params ? { params } : {}),
              query: { ...filters, format },
            })}
            download
            leftSection={<IconDownload size={14} />}
            data-testid={`${testId}-${format}`}
          >
            {label}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
