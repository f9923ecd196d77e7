import {
  ActionIcon,
  Avatar,
  Badge,
  Burger,
  Group,
  Menu,
  Text,
  Tooltip,
  UnstyledButton,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import {
  IconChevronDown,
  IconLogout,
  IconMoon,
  IconSun,
  IconUserCircle,
} from '@tabler/icons-react';
import { Link, useNavigate } from 'react-router-dom';
import { useSession } from '../session/session-context';
import { GlobalSearch } from './global-search';
import { StewardLogo } from './steward-logo';

const ROLE_LABELS: Record<string, string> = {
  'full-administrator': 'Full administrator',
  'operations-administrator': 'Operations administrator',
  'read-only-analyst': 'Read-only analyst',
};

export function roleLabel(role: string): string {
  return ROLE_LABELS[role] ?? role;
}

export function ThemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme('light', { getInitialValueInEffect: true });
  const next = computed === 'dark' ? 'light' : 'dark';
  return (
    <Tooltip label={`Switch to ${next} theme`} withArrow>
      <ActionIcon
        variant="default"
        size="lg"
        aria-label="Toggle colour theme"
        onClick={() => setColorScheme(next)}
        data-testid="theme-toggle"
      >
        {computed === 'dark' ? (
          <IconSun size={18} stroke={1.6} />
        ) : (
          <IconMoon size={18} stroke={1.6} />
        )}
      </ActionIcon>
    </Tooltip>
  );
}

export function AppHeader({ navOpened, toggleNav }: { navOpened: boolean; toggleNav: () => void }) {
  const { user, site, signOut } = useSession();
  const navigate = useNavigate();
  const initials = (user?.name ?? '?').slice(0, 2).toUpperCase();
  return (
    <Group h="100%" px="md" justify="space-between" wrap="nowrap">
      <Group gap="sm" wrap="nowrap">
        <Burger opened={navOpened} onClick={toggleNav} hiddenFrom="sm" size="sm" />
        <UnstyledButton component={Link} to="/devices">
          <Group gap={8} wrap="nowrap">
            <StewardLogo size={26} />
            <Text fw={700} fz={17} lts={-0.2}>
              Steward
            </Text>
          </Group>
        </UnstyledButton>
        {site && (
          <Group gap={6} visibleFrom="sm" ml="md" wrap="nowrap" data-testid="site-info">
            <Text size="sm" c="dimmed">
              {site.siteName}
            </Text>
            <Tooltip
              label={`Site code · ${site.database === 'postgres' ? 'PostgreSQL' : 'SQLite'} · v${site.version}`}
              withArrow
            >
              <Badge variant="outline" color="gray" size="sm" radius="sm" data-testid="site-code">
                {site.siteCode}
              </Badge>
            </Tooltip>
          </Group>
        )}
      </Group>
      <Group gap="xs" wrap="nowrap">
        <GlobalSearch />
        <ThemeToggle />
        <Menu position="bottom-end" width={230} shadow="md" withinPortal>
          <Menu.Target>
            <UnstyledButton data-testid="user-menu" px={6} py={4} style={{ borderRadius: 6 }}>
              <Group gap={8} wrap="nowrap">
                <Avatar size={30} radius="xl" color="indigo" variant="filled">
                  {initials}
                </Avatar>
                <div style={{ lineHeight: 1.1 }}>
                  <Text size="sm" fw={600} data-testid="signed-in-user">
                    {user?.name ?? '…'}
                  </Text>
                  <Text size="xs" c="dimmed" visibleFrom="sm">
                    {user ? roleLabel(user.role) : ''}
                  </Text>
                </div>
                <IconChevronDown size={14} stroke={1.6} />
              </Group>
            </UnstyledButton>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Label>Signed in as {user?.name}</Menu.Label>
            <Menu.Item leftSection={<IconUserCircle size={16} />} disabled>
              {user ? roleLabel(user.role) : ''}
            </Menu.Item>
            <Menu.Divider />
            <Menu.Item
              color="red"
              leftSection={<IconLogout size={16} />}
              data-testid="sign-out"
              onClick={() => {
                void signOut().then(() => navigate('/sign-in'));
              }}
            >
              Sign out
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </Group>
    </Group>
  );
}
