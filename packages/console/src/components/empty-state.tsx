import { Center, Stack, Text, ThemeIcon } from '@mantine/core';
import type { ReactNode } from 'react';

/** An empty list says what to do next, not just that it is empty. */
export function EmptyState(props: {
  icon: ReactNode;
  title: string;
  description?: ReactNode;
  action?: ReactNode;
  testId?: string;
  compact?: boolean;
}) {
  return (
    <Center py={props.compact ? 'lg' : 48} data-testid={props.testId ?? 'empty-state'}>
      <Stack align="center" gap={8} maw={460}>
        <ThemeIcon size={props.compact ? 40 : 52} radius="xl" variant="light" color="gray">
          {props.icon}
        </ThemeIcon>
        <Text fw={600} ta="center">
          {props.title}
        </Text>
        {props.description && (
          <Text size="sm" c="dimmed" ta="center">
            {props.description}
          </Text>
        )}
        {props.action}
      </Stack>
    </Center>
  );
}
