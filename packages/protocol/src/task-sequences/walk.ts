import {
  type Group,
  MAX_GROUP_DEPTH,
  type SequenceItem,
  type SequenceNode,
  settingsProblem,
  type Step,
} from './steps.js';

/** A step with the groups it sits in, outermost first (how the engine and progress see it). */
export interface PlacedStep {
  step: Step;
  groups: Group[];
}

/**
 * What is wrong with a sequence's items beyond their schema: ids used twice, a parent that is
 * not a group listed before its members, groups nested deeper than MAX_GROUP_DEPTH, settings
 * that do not match their step's kind. Empty when the sequence is sound.
 */
export function sequenceProblems(items: readonly SequenceItem[]): string[] {
  const problems: string[] = [];
  const depth = new Map<string, number>();
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.id)) problems.push(`${item.id}: the id is used twice`);
    seen.add(item.id);
    let level = 0;
    if (item.parentId !== undefined) {
      const parentDepth = depth.get(item.parentId);
      if (parentDepth === undefined)
        problems.push(`${item.id}: its group ${item.parentId} is not a group listed before it`);
      else level = parentDepth + 1;
    }
    if (item.type === 'group') {
      if (level >= MAX_GROUP_DEPTH)
        problems.push(`${item.id}: groups nest at most ${String(MAX_GROUP_DEPTH)} deep`);
      depth.set(item.id, level);
    } else {
      const bad = settingsProblem(item);
      if (bad !== undefined) problems.push(`${item.id} (${item.kind}): ${bad}`);
    }
  }
  return problems;
}

/**
 * The tree of a sequence's flat items: members in their group, in list order. An item whose
 * group is unknown stays at the top level (the site refuses such a sequence on save).
 */
export function sequenceTree(items: readonly SequenceItem[]): SequenceNode[] {
  const top: SequenceNode[] = [];
  const groups = new Map<string, Group>();
  for (const item of items) {
    const node: SequenceNode = item.type === 'group' ? { ...item, children: [] } : item;
    if (node.type === 'group') groups.set(node.id, node);
    const parent = item.parentId === undefined ? undefined : groups.get(item.parentId);
    (parent ? parent.children : top).push(node);
  }
  return top;
}

/** The flat items of a tree (the inverse of `sequenceTree`): what the API stores and takes. */
export function sequenceItems(nodes: readonly SequenceNode[], parentId?: string): SequenceItem[] {
  return nodes.flatMap((node): SequenceItem[] => {
    const placed = parentId === undefined ? node : { ...node, parentId };
    if (placed.type === 'step') return [placed];
    const { children, ...group } = placed;
    return [group, ...sequenceItems(children, node.id)];
  });
}

/** Every step in run order (depth first), each with its enclosing groups. */
export function placedSteps(nodes: readonly SequenceNode[], groups: Group[] = []): PlacedStep[] {
  return nodes.flatMap((node) =>
    node.type === 'group'
      ? placedSteps(node.children, [...groups, node])
      : [{ step: node, groups }],
  );
}

/** What a sequence refers to in the library, for checking at save time. */
export interface SequenceReferences {
  programIds: string[];
  imageIds: string[];
  driverIds: string[];
  upgradePackageIds: string[];
}

export function referencesOf(items: readonly SequenceItem[]): SequenceReferences {
  const refs: SequenceReferences = {
    programIds: [],
    imageIds: [],
    driverIds: [],
    upgradePackageIds: [],
  };
  for (const step of items) {
    if (step.type !== 'step' || settingsProblem(step) !== undefined) continue;
    switch (step.kind) {
      case 'install-software':
        refs.programIds.push(...step.settings.programIds);
        break;
      case 'apply-os-image':
        refs.imageIds.push(step.settings.imageId);
        break;
      case 'apply-drivers':
        refs.driverIds.push(...(step.settings.driverIds ?? []));
        break;
      case 'upgrade-os':
        refs.upgradePackageIds.push(step.settings.upgradePackageId);
        break;
      default:
        break;
    }
  }
  return {
    programIds: [...new Set(refs.programIds)],
    imageIds: [...new Set(refs.imageIds)],
    driverIds: [...new Set(refs.driverIds)],
    upgradePackageIds: [...new Set(refs.upgradePackageIds)],
  };
}
