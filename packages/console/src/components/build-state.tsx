import { Badge, Progress, Stack, Text } from '@mantine/core';

/** A site-side build (boot image, media): a progress bar while it runs, else its state. */
export function BuildState({
  build,
}: {
  build: {
    status: 'building' | 'ready' | 'failed' | 'interrupted';
    progress: number;
    progressText: string;
  };
}) {
  if (build.status === 'building')
    return (
      <Stack gap={2}>
        <Progress value={build.progress} size="sm" />
        <Text size="xs" c="dimmed">
          {build.progressText}
        </Text>
      </Stack>
    );
  return (
    <Badge color={build.status === 'ready' ? 'green' : 'red'} title={build.progressText}>
      {build.status}
    </Badge>
  );
}
