import { Select } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { ops } from '@steward/protocol';
import { api } from '../../api/client';
import { UPGRADE_PACKAGES_KEY } from '../upgrade-packages/upgrade-packages-page';

/** The upgrade-os step's package, chosen among the site's upgrade packages by name. */
export function UpgradePackageSelect(props: {
  label: string;
  required: boolean;
  description: string | undefined;
  'data-testid': string;
  value: string | null;
  onChange: (id: string | null) => void;
}) {
  const { value, onChange, ...common } = props;
  const list = useQuery({
    queryKey: [UPGRADE_PACKAGES_KEY, 'choices'],
    queryFn: () => api.call(ops.upgradePackages.list, { query: { limit: 200 } }),
  });
  const data = (list.data?.items ?? []).map((p) => ({
    value: p.id,
    label: `${p.name} (${p.fromRelease.codename} → ${p.targetRelease.codename})`,
  }));
  // A package deleted or not yet listed still shows by its id rather than vanishing.
  if (value !== null && !data.some((d) => d.value === value)) data.push({ value, label: value });
  return (
    <Select
      {...common}
      label="Upgrade package"
      searchable
      data={data}
      value={value}
      onChange={onChange}
      nothingFoundMessage="No upgrade package: create one under Upgrade packages"
    />
  );
}
