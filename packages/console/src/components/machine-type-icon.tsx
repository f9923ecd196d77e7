import { ThemeIcon, Tooltip } from '@mantine/core';
import {
  IconBox,
  IconDeviceDesktop,
  IconDeviceLaptop,
  IconDevices,
  IconServer2,
} from '@tabler/icons-react';

const LABELS: Record<string, string> = {
  server: 'Server',
  desktop: 'Desktop',
  laptop: 'Laptop',
  'virtual-machine': 'Virtual machine',
  unknown: 'Unknown type',
};

export function machineTypeLabel(type: string | null | undefined): string {
  return LABELS[type ?? 'unknown'] ?? type ?? 'Unknown type';
}

export function MachineTypeGlyph({
  type,
  size = 16,
}: {
  type: string | null | undefined;
  size?: number;
}) {
  switch (type) {
    case 'server':
      return <IconServer2 size={size} stroke={1.7} />;
    case 'desktop':
      return <IconDeviceDesktop size={size} stroke={1.7} />;
    case 'laptop':
      return <IconDeviceLaptop size={size} stroke={1.7} />;
    case 'virtual-machine':
      return <IconBox size={size} stroke={1.7} />;
    default:
      return <IconDevices size={size} stroke={1.7} />;
  }
}

const COLORS: Record<string, string> = {
  server: 'indigo',
  desktop: 'cyan',
  laptop: 'teal',
  'virtual-machine': 'grape',
};

export function MachineTypeIcon({
  type,
  size = 'md',
}: {
  type: string | null | undefined;
  size?: 'sm' | 'md' | 'lg' | 'xl';
}) {
  const glyph = { sm: 13, md: 16, lg: 20, xl: 26 }[size];
  return (
    <Tooltip label={machineTypeLabel(type)} openDelay={300} withArrow>
      <ThemeIcon variant="light" color={COLORS[type ?? ''] ?? 'gray'} size={size} radius="sm">
        <MachineTypeGlyph type={type} size={glyph} />
      </ThemeIcon>
    </Tooltip>
  );
}
