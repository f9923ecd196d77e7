import { AppShell, Center, Loader } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Navigate, Outlet, useLocation } from 'react-router-dom';
import { useSession } from '../session/session-context';
import { AppHeader } from './app-header';
import { AppNavbar } from './app-navbar';

/** The signed-in frame: header, left navigation, and the page. */
export function AppLayout() {
  const session = useSession();
  const location = useLocation();
  const [opened, { toggle, close }] = useDisclosure(false);

  if (!session.signedIn) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  if (session.loading) {
    return (
      <Center h="100vh">
        <Loader />
      </Center>
    );
  }
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 236, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="lg"
    >
      <AppShell.Header>
        <AppHeader navOpened={opened} toggleNav={toggle} />
      </AppShell.Header>
      <AppNavbar onNavigate={close} />
      <AppShell.Main bg="var(--steward-page-bg)">
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
