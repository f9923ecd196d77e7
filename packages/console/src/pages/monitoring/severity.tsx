import { ThemeIcon, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconCircleX, IconInfoCircle } from '@tabler/icons-react';
import type { Severity } from '@steward/protocol';

export const SEVERITY_COLORS: Record<Severity, string> = {
  informational: 'blue',
  warning: 'yellow',
  error: 'red',
};

export function SeverityIcon({ severity }: { severity: Severity }) {
  const glyph =
    severity === 'error' ? (
      <IconCircleX size={15} />
    ) : severity === 'warning' ? (
      <IconAlertTriangle size={15} />
    ) : (
      <IconInfoCircle size={15} />
    );
  return (
    <Tooltip label={severity} withArrow openDelay={300}>
      <ThemeIcon
        size="sm"
        variant="light"
        color={SEVERITY_COLORS[severity]}
        radius="xl"
        data-severity={severity}
      >
        {glyph}
      </ThemeIcon>
    </Tooltip>
  );
}
