import { Text, Tooltip } from '@mantine/core';
import type { TextProps } from '@mantine/core';
import { formatDateTime, formatRelative } from '../lib/format';

export function RelativeTime({ iso, ...props }: { iso: string | null | undefined } & TextProps) {
  if (!iso) {
    return (
      <Text span c="dimmed" size="sm" {...props}>
        never
      </Text>
    );
  }
  return (
    <Tooltip label={formatDateTime(iso)} openDelay={300} withArrow>
      <Text span size="sm" {...props}>
        {formatRelative(iso)}
      </Text>
    </Tooltip>
  );
}
