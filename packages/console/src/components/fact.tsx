import { Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** One figure of a summary strip: a small uppercase label above its value. */
export function Fact(props: { label: ReactNode; gap?: number; children: ReactNode }) {
  return (
    <Stack gap={props.gap ?? 2}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {props.label}
      </Text>
      {props.children}
    </Stack>
  );
}
