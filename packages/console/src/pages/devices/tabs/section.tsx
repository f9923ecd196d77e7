import { Group, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** A titled block inside a device tab. */
export function Section(props: {
  title: string;
  icon?: ReactNode;
  right?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <Stack gap={6} data-testid={props.testId}>
      <Group justify="space-between" gap="xs">
        <Group gap={6}>
          {props.icon}
          <Title order={4} fz={15} fw={600}>
            {props.title}
          </Title>
        </Group>
        {props.right}
      </Group>
      {props.children}
    </Stack>
  );
}

export function NotReported({ what }: { what: string }) {
  return (
    <Text size="sm" c="dimmed" fs="italic">
      The agent has not reported {what} yet. Use “Collect inventory now” to ask for it.
    </Text>
  );
}
