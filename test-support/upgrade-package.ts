import type { TaskSequenceBody } from '@steward/protocol';

/**
 * An upgrade task sequence (issue 11, ADR 0102): one upgrade-os step naming the package, and
 * whatever steps follow it.
 */
export function upgradeSequence(
  name: string,
  upgradePackageId: string,
  after: TaskSequenceBody['steps'] = [],
): TaskSequenceBody {
  return {
    name,
    kind: 'upgrade',
    steps: [
      {
        type: 'step',
        kind: 'upgrade-os',
        id: 'upgrade',
        name: 'Upgrade operating system',
        enabled: true,
        continueOnError: false,
        settings: { upgradePackageId },
      },
      ...after,
    ],
  };
}
