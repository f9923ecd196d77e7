import { Badge, Button, Group, Paper, SimpleGrid, Skeleton, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconEdit,
  IconFiles,
  IconRocket,
  IconServer2,
  IconTerminal2,
  IconTrash,
} from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { api } from '../../api/client';
import { isNotFound, notifySuccess } from '../../api/errors';
import { ConfirmButton } from '../../components/confirm-button';
import { ErrorState } from '../../components/error-state';
import { Fact } from '../../components/fact';
import { PageHeader } from '../../components/page-header';
import { PageTabs, useTabParam } from '../../components/page-tabs';
import { RatioBar } from '../../components/ratio-bar';
import { RelativeTime } from '../../components/relative-time';
import { formatBytes } from '../../lib/format';
import { useSession } from '../../session/session-context';
import { DeploymentTable } from '../deployments/deployment-table';
import { NotFoundPage } from '../not-found-page';
import { ContentStatusTab } from './content-status-tab';
import { PackageModal } from './package-create-modal';
import { ProgramsTab } from './programs-tab';
import { keys } from './queries';
import { VersionsTab } from './versions-tab';

const TABS = ['versions', 'programs', 'content', 'deployments'] as const;

/** Software Library › a package: content versions, programs, content status, deployments. */
export function PackagePage() {
  const { packageId = '' } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const [editOpened, edit] = useDisclosure(false);
  const [tab, setTab] = useTabParam(TABS);
  const pkg = useQuery({
    queryKey: keys.package(packageId),
    queryFn: () => api.getPackage(packageId),
    refetchInterval: 15_000,
  });
  const remove = useMutation({
    mutationFn: () => api.deletePackage(packageId),
    onSuccess: () => {
      notifySuccess('Package deleted; its files leave the library once no version uses them.');
      void queryClient.invalidateQueries({ queryKey: keys.packages });
      void navigate('/software/packages');
    },
  });
  if (pkg.isError && isNotFound(pkg.error)) return <NotFoundPage />;
  if (pkg.isError && !pkg.data) return <ErrorState error={pkg.error} what="this package" />;
  const p = pkg.data;
  const writable = can('software:write');
  const facts: [string, ReactNode][] = p
    ? [
        [
          'Content version',
          p.currentVersion ? (
            <Text fz={17} fw={700} data-testid="package-current-version">
              v{p.currentVersion.number}
            </Text>
          ) : (
            <Text fz={17} c="dimmed">
              none
            </Text>
          ),
        ],
        [
          'Size',
          <Text fz={17} fw={600}>
            {formatBytes(p.currentVersion?.sizeBytes)}
          </Text>,
        ],
        [
          'Files',
          <Text fz={17} fw={600}>
            {p.currentVersion?.fileCount.toLocaleString() ?? '—'}
          </Text>,
        ],
        [
          'Programs',
          <Text fz={17} fw={600}>
            {p.programCount}
          </Text>,
        ],
        ['Distribution points', <RatioBar done={p.dpInstalled} total={p.dpTargeted} w={160} />],
        ['Updated', <RelativeTime iso={p.updatedAt} fz={17} fw={600} />],
      ]
    : [];

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Packages', to: '/software/packages' }, { label: p?.name ?? '…' }]}
        title={
          p ? (
            <Group gap="xs" component="span">
              {p.name}
              {p.version && (
                <Badge variant="light" color="gray">
                  {p.version}
                </Badge>
              )}
            </Group>
          ) : (
            <Skeleton h={24} w={240} />
          )
        }
        testId="package-title"
        description={
          p ? [p.publisher, p.description].filter(Boolean).join(' · ') || undefined : undefined
        }
        actions={
          writable &&
          p && (
            <>
              <Button
                variant="default"
                leftSection={<IconRocket size={16} />}
                onClick={() =>
                  void navigate(`/deployments/new?package=${encodeURIComponent(p.id)}`)
                }
                data-testid="package-deploy"
              >
                Deploy
              </Button>
              <Button variant="default" leftSection={<IconEdit size={16} />} onClick={edit.open}>
                Edit
              </Button>
              <ConfirmButton
                variant="light"
                color="red"
                leftSection={<IconTrash size={16} />}
                title={`Delete ${p.name}?`}
                message="The package, its programs and its versions are deleted and it is removed from every distribution point. Deployments of its programs must be deleted first."
                confirmLabel="Delete"
                loading={remove.isPending}
                onConfirm={() => remove.mutateAsync()}
                testId="package-delete"
              >
                Delete
              </ConfirmButton>
            </>
          )
        }
      />
      <Paper p="md" mb="md">
        <SimpleGrid cols={{ base: 2, md: 6 }}>
          {p
            ? facts.map(([label, value]) => (
                <Fact key={label} label={label}>
                  {value}
                </Fact>
              ))
            : Array.from({ length: 6 }, (_, i) => <Skeleton key={i} h={40} />)}
        </SimpleGrid>
      </Paper>
      <PageTabs
        value={tab}
        onChange={setTab}
        placeholder={p ? undefined : <Skeleton h={120} />}
        tabs={[
          {
            value: 'versions',
            label: 'Content versions',
            icon: <IconFiles size={15} />,
            testId: 'ptab-versions',
            panel: p && <VersionsTab pkg={p} />,
          },
          {
            value: 'programs',
            label: 'Programs',
            icon: <IconTerminal2 size={15} />,
            testId: 'ptab-programs',
            panel: p && <ProgramsTab pkg={p} />,
          },
          {
            value: 'content',
            label: 'Content status',
            icon: <IconServer2 size={15} />,
            testId: 'ptab-content',
            panel: p && <ContentStatusTab pkg={p} />,
          },
          {
            value: 'deployments',
            label: 'Deployments',
            icon: <IconRocket size={15} />,
            testId: 'ptab-deployments',
            panel: p && <DeploymentTable filter={{ package: p.id }} />,
          },
        ]}
      />
      {p && <PackageModal opened={editOpened} onClose={edit.close} existing={p} />}
    </>
  );
}
