import { AppShell, NavLink, ScrollArea, Stack, Text } from '@mantine/core';
import { Link, useLocation } from 'react-router-dom';
import { useSession } from '../session/session-context';
import { NAV_SECTIONS } from './nav-items';

export function AppNavbar({ onNavigate }: { onNavigate: () => void }) {
  const { pathname } = useLocation();
  const { can } = useSession();
  return (
    <AppShell.Navbar p="xs" data-testid="navbar">
      <AppShell.Section grow component={ScrollArea}>
        <Stack gap="md" pt={4}>
          {NAV_SECTIONS.map((section) => (
            <div key={section.label}>
              <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" mb={4} lts={0.4}>
                {section.label}
              </Text>
              {section.items
                .filter((item) => !item.permission || can(item.permission))
                .map((item) => {
                  const active = pathname === item.to || pathname.startsWith(`${item.to}/`);
                  return (
                    <NavLink
                      key={item.to}
                      component={Link}
                      to={item.to}
                      label={item.label}
                      active={active}
                      onClick={onNavigate}
                      leftSection={<item.icon size={18} stroke={1.6} />}
                      data-testid={item.testId}
                      styles={{ root: { borderRadius: 6 }, label: { fontSize: 14 } }}
                    />
                  );
                })}
            </div>
          ))}
        </Stack>
      </AppShell.Section>
    </AppShell.Navbar>
  );
}
