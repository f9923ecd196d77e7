import type { Group, SequenceNode, Step } from './steps.js';

/** A step with the groups it sits in, outermost first (how the engine and progress see it). */
export interface PlacedStep {
  step: Step;
  groups: Group[];
}

/** Every step in run order (depth first), each with its enclosing groups. */
export function placedSteps(nodes: readonly SequenceNode[], groups: Group[] = []): PlacedStep[] {
  return nodes.flatMap((node) =>
    node.type === 'group'
      ? placedSteps(node.children, [...groups, node])
      : [{ step: node, groups }],
  );
}

/** Every node (steps and groups) over all levels. */
export function allNodes(nodes: readonly SequenceNode[]): SequenceNode[] {
  return nodes.flatMap((n) => (n.type === 'group' ? [n, ...allNodes(n.children)] : [n]));
}

/** Ids used by more than one step or group (the editor keeps them unique; the server checks). */
export function duplicateNodeIds(nodes: readonly SequenceNode[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const n of allNodes(nodes)) (seen.has(n.id) ? dup : seen).add(n.id);
  return [...dup];
}

/** What a sequence refers to in the library, for checking at save time. */
export interface SequenceReferences {
  programIds: string[];
  imageIds: string[];
  driverIds: string[];
}

export function referencesOf(nodes: readonly SequenceNode[]): SequenceReferences {
  const refs: SequenceReferences = { programIds: [], imageIds: [], driverIds: [] };
  for (const { step } of placedSteps(nodes)) {
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
      default:
        break;
    }
  }
  return {
    programIds: [...new Set(refs.programIds)],
    imageIds: [...new Set(refs.imageIds)],
    driverIds: [...new Set(refs.driverIds)],
  };
}
