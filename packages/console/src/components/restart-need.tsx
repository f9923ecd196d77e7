import { Badge, Group, Text } from '@mantine/core';
import type { RestartNeed } from '@steward/protocol';

const SOURCE: Record<RestartNeed['source'], string> = {
  needrestart: 'needrestart',
  'reboot-required': 'reboot-required',
  prediction: 'predicted',
};

/**
 * What an update install left to restart (or a rehearsal predicts): a reboot badge and the
 * services to restart, with where the answer came from (ADR 0099). Nothing for other runs.
 */
export function RestartNeedText({ need }: { need: RestartNeed | null }) {
  if (need === null) return null;
  const nothing = !need.reboot && need.services.length === 0;
  return (
    <Group gap={4} data-testid="restart-need" data-reboot={String(need.reboot)}>
      {need.reboot && (
        <Badge
          color="orange"
          variant="light"
          size="sm"
          title={need.packages.length > 0 ? `asked by ${need.packages.join(', ')}` : undefined}
        >
          reboot
        </Badge>
      )}
      <Text size="xs" c="dimmed" data-testid="restart-need-services">
        {nothing
          ? 'no restart'
          : need.services.length > 0
            ? `restart ${need.services.join(', ')}`
            : ''}{' '}
        ({SOURCE[need.source]})
      </Text>
    </Group>
  );
}
