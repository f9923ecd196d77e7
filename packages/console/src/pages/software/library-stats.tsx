import { Group, Paper, SimpleGrid, Skeleton, Stack, Text, Tooltip } from '@mantine/core';
import type { ReactNode } from 'react';
import { formatBytes } from '../../lib/format';
import { useContentLibrary } from './queries';

/** Content library facts: what single-instance storage holds and what it saves. */
export function LibraryStats() {
  const stats = useContentLibrary();
  const s = stats.data;
  const saved = s && s.referencedBytes > 0 ? 1 - s.totalBytes / s.referencedBytes : 0;
  const cells: [string, ReactNode, string][] = s
    ? [
        ['Stored files', s.fileCount.toLocaleString(), 'Each distinct file is stored once'],
        ['Stored size', formatBytes(s.totalBytes), 'Bytes on the site server’s disk'],
        [
          'Referenced size',
          formatBytes(s.referencedBytes),
          'What every package version would take without single-instance storage',
        ],
        [
          'Saved',
          `${Math.round(Math.max(0, saved) * 100)}%`,
          'Share of the referenced size not stored twice',
        ],
        ['Package versions', s.packageVersionCount.toLocaleString(), 'Manifests in the library'],
      ]
    : [];
  return (
    <Paper p="md" mb="md" data-testid="library-stats">
      <Group justify="space-between" mb={6}>
        <Text size="xs" c="dimmed" tt="uppercase" fw={700} lts={0.3}>
          Content library
        </Text>
      </Group>
      <SimpleGrid cols={{ base: 2, md: 5 }}>
        {s
          ? cells.map(([label, value, hint]) => (
              <Tooltip key={label} label={hint} withArrow openDelay={300}>
                <Stack gap={0}>
                  <Text size="xs" c="dimmed">
                    {label}
                  </Text>
                  <Text
                    fz={18}
                    fw={700}
                    data-testid={`library-${label.toLowerCase().replace(/ /g, '-')}`}
                  >
                    {value}
                  </Text>
                </Stack>
              </Tooltip>
            ))
          : Array.from({ length: 5 }, (_, i) => <Skeleton key={i} h={38} />)}
      </SimpleGrid>
    </Paper>
  );
}
