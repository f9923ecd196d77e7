import { Box, Group, Stack, Text, Tooltip } from '@mantine/core';
import { windowIntervals } from '@steward/protocol';
import type { MaintenanceWindow } from '@steward/protocol';

const DAY_MS = 86_400_000;
const dayLabel = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: '2-digit',
  month: 'short',
});
const timeLabel = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

interface Block {
  left: number;
  width: number;
  color: string;
  label: string;
}

function blocksForDay(windows: MaintenanceWindow[], dayStart: number): Block[] {
  const dayEnd = dayStart + DAY_MS;
  const out: Block[] = [];
  for (const w of windows) {
    // 'software-updates' asks for every window kind: this lists each window's own intervals.
    for (const i of windowIntervals([w], dayStart, dayEnd, 'software-updates')) {
      const start = Math.max(i.start, dayStart);
      const end = Math.min(i.end, dayEnd);
      if (end <= start) continue;
      out.push({
        left: ((start - dayStart) / DAY_MS) * 100,
        width: ((end - start) / DAY_MS) * 100,
        color:
          w.appliesTo === 'all' ? 'var(--mantine-color-indigo-5)' : 'var(--mantine-color-orange-5)',
        label: `${w.name}: ${timeLabel.format(i.start)}–${timeLabel.format(i.end)}`,
      });
    }
  }
  return out;
}

/**
 * The next seven days of maintenance windows, drawn in this browser's zone (client-local windows
 * open at the same wall time in each client's own zone). Evaluated with the agent's own code.
 */
export function WindowPreview({
  windows,
  now = Date.now(),
}: {
  windows: MaintenanceWindow[];
  now?: number;
}) {
  const today = new Date(now);
  today.setHours(0, 0, 0, 0);
  const days = Array.from({ length: 7 }, (_, i) => {
    const d = new Date(today);
    d.setDate(today.getDate() + i);
    return d.getTime();
  });
  return (
    <Stack gap={4} data-testid="window-preview">
      <Group gap="md">
        <Text size="xs" c="dimmed">
          Next 7 days, in this browser’s time zone
        </Text>
        <Group gap={4}>
          <Box w={10} h={10} bg="indigo.5" style={{ borderRadius: 2 }} />
          <Text size="xs">all deployments</Text>
        </Group>
        <Group gap={4}>
          <Box w={10} h={10} bg="orange.5" style={{ borderRadius: 2 }} />
          <Text size="xs">software updates only</Text>
        </Group>
      </Group>
      {days.map((dayStart) => {
        const blocks = blocksForDay(windows, dayStart);
        return (
          <Group key={dayStart} gap="xs" wrap="nowrap">
            <Text size="xs" w={96} c="dimmed">
              {dayLabel.format(dayStart)}
            </Text>
            <Box
              pos="relative"
              h={16}
              style={{
                flex: 1,
                background: 'var(--mantine-color-default-border)',
                borderRadius: 3,
                overflow: 'hidden',
              }}
              data-testid="window-preview-day"
              data-blocks={blocks.length}
            >
              {blocks.map((b, i) => (
                <Tooltip key={i} label={b.label} withArrow>
                  <Box
                    pos="absolute"
                    top={0}
                    h={16}
                    style={{
                      left: `${b.left}%`,
                      width: `max(${b.width}%, 2px)`,
                      background: b.color,
                      opacity: 0.85,
                    }}
                  />
                </Tooltip>
              ))}
            </Box>
          </Group>
        );
      })}
      <Group gap="xs" wrap="nowrap">
        <Text w={96} />
        <Group justify="space-between" style={{ flex: 1 }}>
          {['00:00', '06:00', '12:00', '18:00', '24:00'].map((t) => (
            <Text key={t} size="10px" c="dimmed">
              {t}
            </Text>
          ))}
        </Group>
      </Group>
    </Stack>
  );
}
