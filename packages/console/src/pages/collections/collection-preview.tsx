import {
  Alert,
  Anchor,
  Badge,
  Group,
  Loader,
  Paper,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconEye } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { CollectionPreviewRequest } from '@steward/protocol';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { ErrorState } from '../../components/error-state';
import { MachineTypeIcon } from '../../components/machine-type-icon';
import { formatOs } from '../../lib/format';

/** Live preview of who the rules select, recomputed on the server a moment after each edit. */
export function CollectionPreview({
  request,
  ready,
  reason,
}: {
  request: CollectionPreviewRequest;
  ready: boolean;
  reason: string;
}) {
  const key = JSON.stringify(request);
  const [debounced] = useDebouncedValue(key, 500);
  const settled = debounced === key;
  const preview = useQuery({
    queryKey: ['collection-preview', debounced],
    // Runs only once settled, when `request` is the debounced one (`key` is its JSON).
    queryFn: () => api.previewCollection(request),
    // Only once the text has settled: the debounced value may still hold an unfinished query.
    enabled: ready && settled && request.rules.length > 0,
    placeholderData: keepPreviousData,
    meta: { silent: true },
  });
  const busy = preview.isFetching || !settled;

  return (
    <Paper p="md" data-testid="collection-preview">
      <Group justify="space-between" mb="sm">
        <Group gap={6}>
          <IconEye size={17} />
          <Title order={4} fz={15}>
            Preview
          </Title>
        </Group>
        {busy && ready && request.rules.length > 0 && <Loader size="xs" />}
      </Group>
      {request.rules.length === 0 ? (
        <Text size="sm" c="dimmed">
          Add a query, a direct member or an included collection to see who this collection selects.
        </Text>
      ) : !ready ? (
        <Alert color="gray" variant="light" p="xs">
          <Text size="sm">{reason}</Text>
        </Alert>
      ) : preview.isError && !preview.data ? (
        <ErrorState error={preview.error} what="the preview" />
      ) : !preview.data ? (
        <Stack gap="xs">
          <Skeleton h={36} w={120} />
          <Skeleton h={14} />
          <Skeleton h={14} />
        </Stack>
      ) : (
        <Stack gap="sm" style={{ opacity: busy ? 0.6 : 1 }}>
          <div>
            <Text fz={32} fw={700} lh={1.1} data-testid="preview-count">
              {preview.data.count.toLocaleString()}
            </Text>
            <Text size="sm" c="dimmed">
              device{preview.data.count === 1 ? '' : 's'} would be members now
            </Text>
          </div>
          {preview.isError && <ErrorState error={preview.error} what="the latest preview" />}
          {preview.data.sample.length > 0 && (
            <Table fz="sm" verticalSpacing={4} data-testid="preview-sample">
              <Table.Tbody>
                {preview.data.sample.map((d) => (
                  <Table.Tr key={d.id}>
                    <Table.Td w={30}>
                      <MachineTypeIcon type={d.machineType} size="sm" />
                    </Table.Td>
                    <Table.Td>
                      <Anchor
                        component={Link}
                        to={`/devices/${encodeURIComponent(d.id)}`}
                        size="sm"
                        target="_blank"
                      >
                        {d.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" c="dimmed" truncate maw={150}>
                        {formatOs(d.osName, d.osVersion)}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          {preview.data.count > preview.data.sample.length && (
            <Badge variant="light" color="gray">
              and {(preview.data.count - preview.data.sample.length).toLocaleString()} more
            </Badge>
          )}
        </Stack>
      )}
    </Paper>
  );
}
