import { Paper, Tabs } from '@mantine/core';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router-dom';

export interface PageTab<T extends string> {
  value: T;
  label: ReactNode;
  icon?: ReactNode;
  testId: string;
  panel: ReactNode;
}

/**
 * The page's tab, kept in `?tab=` so a link or a reload opens the same tab; the first tab is the
 * default and leaves the address clean.
 */
export function useTabParam<T extends string>(
  tabs: readonly T[],
): [T, (next: string | null) => void] {
  const [params, setParams] = useSearchParams();
  const first = tabs[0];
  if (first === undefined) throw new Error('useTabParam needs at least one tab');
  const tab = tabs.find((t) => t === params.get('tab')) ?? first;
  const setTab = (next: string | null) =>
    setParams(next && next !== first ? { tab: next } : {}, { replace: true });
  return [tab, setTab];
}

/**
 * Outlined tabs over a card that holds the chosen panel. `placeholder`, when given, stands in for
 * every panel (the object the panels show is still loading).
 */
export function PageTabs<T extends string>(props: {
  tabs: PageTab<T>[];
  value: T;
  onChange: (next: string | null) => void;
  placeholder?: ReactNode;
}) {
  return (
    <Tabs value={props.value} onChange={props.onChange} variant="outline" keepMounted={false}>
      <Tabs.List>
        {props.tabs.map((t) => (
          <Tabs.Tab key={t.value} value={t.value} leftSection={t.icon} data-testid={t.testId}>
            {t.label}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      <TabPanelCard>
        {props.placeholder ??
          props.tabs.map((t) => (
            <Tabs.Panel key={t.value} value={t.value}>
              {t.panel}
            </Tabs.Panel>
          ))}
      </TabPanelCard>
    </Tabs>
  );
}

/** The card under an outlined tab list, joined to it (no top border or top corners). */
export function TabPanelCard({ children }: { children: ReactNode }) {
  return (
    <Paper p="md" style={{ borderTopLeftRadius: 0, borderTopRightRadius: 0, borderTop: 0 }}>
      {children}
    </Paper>
  );
}
