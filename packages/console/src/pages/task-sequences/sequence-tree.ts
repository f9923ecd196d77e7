import {
  MAX_GROUP_DEPTH,
  StepKinds,
  type Group,
  type SequenceNode,
  type Step,
  type StepKind,
} from '@steward/protocol';

/**
 * The editor's operations on a sequence's tree (the protocol's `sequenceTree` form): every one
 * returns a new tree and leaves the old one as it was, so React state and undo stay simple.
 */

/** Where a node sits: its group (undefined at the top level) and its index among its siblings. */
export interface Place {
  parentId: string | undefined;
  index: number;
  siblings: readonly SequenceNode[];
  /** How many groups enclose it (0 at the top level). */
  depth: number;
}

export function locate(
  nodes: readonly SequenceNode[],
  id: string,
  parentId?: string,
  depth = 0,
): Place | undefined {
  for (const [index, node] of nodes.entries()) {
    if (node.id === id) return { parentId, index, siblings: nodes, depth };
    if (node.type === 'group') {
      const inner = locate(node.children, id, node.id, depth + 1);
      if (inner) return inner;
    }
  }
  return undefined;
}

export function findNode(nodes: readonly SequenceNode[], id: string): SequenceNode | undefined {
  for (const node of nodes) {
    if (node.id === id) return node;
    if (node.type === 'group') {
      const inner = findNode(node.children, id);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** Levels of groups inside a node, itself included (a step: 0, an empty group: 1). */
function groupHeight(node: SequenceNode): number {
  if (node.type === 'step') return 0;
  return 1 + Math.max(0, ...node.children.map(groupHeight));
}

/** Replaces the children of `parentId` (the top level when undefined). */
function withChildren(
  nodes: readonly SequenceNode[],
  parentId: string | undefined,
  change: (children: readonly SequenceNode[]) => SequenceNode[],
): SequenceNode[] {
  if (parentId === undefined) return change(nodes);
  return nodes.map((node) =>
    node.type !== 'group'
      ? node
      : node.id === parentId
        ? { ...node, children: change(node.children) }
        : { ...node, children: withChildren(node.children, parentId, change) },
  );
}

export function replaceNode(
  nodes: readonly SequenceNode[],
  id: string,
  next: SequenceNode,
): SequenceNode[] {
  return nodes.map((node) =>
    node.id === id
      ? next
      : node.type === 'group'
        ? { ...node, children: replaceNode(node.children, id, next) }
        : node,
  );
}

export function removeNode(nodes: readonly SequenceNode[], id: string): SequenceNode[] {
  return nodes
    .filter((n) => n.id !== id)
    .map((n) => (n.type === 'group' ? { ...n, children: removeNode(n.children, id) } : n));
}

function insertAt(
  nodes: readonly SequenceNode[],
  parentId: string | undefined,
  index: number,
  node: SequenceNode,
): SequenceNode[] {
  return withChildren(nodes, parentId, (children) => [
    ...children.slice(0, index),
    node,
    ...children.slice(index),
  ]);
}

/**
 * Adds a node after the selected one (inside it when it is a group, at the end when nothing
 * is selected). Refused (undefined) when a group would nest deeper than the site allows.
 */
export function addNode(
  nodes: readonly SequenceNode[],
  selectedId: string | undefined,
  node: SequenceNode,
): SequenceNode[] | undefined {
  const selected = selectedId === undefined ? undefined : findNode(nodes, selectedId);
  const place = selectedId === undefined ? undefined : locate(nodes, selectedId);
  if (!selected || !place) return insertAt(nodes, undefined, nodes.length, node);
  if (selected.type === 'group') {
    if (place.depth + 1 + groupHeight(node) > MAX_GROUP_DEPTH) return undefined;
    return insertAt(nodes, selected.id, selected.children.length, node);
  }
  return insertAt(nodes, place.parentId, place.index + 1, node);
}

/** Moves a node one place up (-1) or down (+1) among its siblings; unchanged at an end. */
export function moveNode(
  nodes: readonly SequenceNode[],
  id: string,
  delta: -1 | 1,
): SequenceNode[] {
  const place = locate(nodes, id);
  if (!place) return [...nodes];
  const to = place.index + delta;
  if (to < 0 || to >= place.siblings.length) return [...nodes];
  return withChildren(nodes, place.parentId, (children) => {
    const next = [...children];
    const [moved] = next.splice(place.index, 1);
    if (moved) next.splice(to, 0, moved);
    return next;
  });
}

/** Whether `id` can go into the group just above it without nesting too deep. */
export function canIndent(nodes: readonly SequenceNode[], id: string): boolean {
  const place = locate(nodes, id);
  const node = findNode(nodes, id);
  if (!place || !node || place.index === 0) return false;
  const above = place.siblings[place.index - 1];
  return above?.type === 'group' && place.depth + 1 + groupHeight(node) <= MAX_GROUP_DEPTH;
}

/** Moves a node into the group just above it (as its last member). */
export function indentNode(nodes: readonly SequenceNode[], id: string): SequenceNode[] {
  const place = locate(nodes, id);
  const node = findNode(nodes, id);
  if (!place || !node || !canIndent(nodes, id)) return [...nodes];
  const above = place.siblings[place.index - 1];
  if (above?.type !== 'group') return [...nodes];
  const without = removeNode(nodes, id);
  return insertAt(without, above.id, above.children.length, node);
}

/** Moves a node out of its group, to just after the group. */
export function outdentNode(nodes: readonly SequenceNode[], id: string): SequenceNode[] {
  const place = locate(nodes, id);
  const node = findNode(nodes, id);
  if (!place || !node || place.parentId === undefined) return [...nodes];
  const parent = locate(nodes, place.parentId);
  if (!parent) return [...nodes];
  const without = removeNode(nodes, id);
  return insertAt(without, parent.parentId, parent.index + 1, node);
}

/**
 * Drag and drop: puts `id` just before `targetId` (among the target's siblings). Refused
 * (undefined) when the target is inside the dragged group or the move would nest too deep.
 */
export function moveBefore(
  nodes: readonly SequenceNode[],
  id: string,
  targetId: string,
): SequenceNode[] | undefined {
  if (id === targetId) return undefined;
  const node = findNode(nodes, id);
  if (!node || (node.type === 'group' && findNode(node.children, targetId))) return undefined;
  const without = removeNode(nodes, id);
  const target = locate(without, targetId);
  if (!target) return undefined;
  if (target.depth + groupHeight(node) > MAX_GROUP_DEPTH) return undefined;
  return insertAt(without, target.parentId, target.index, node);
}

/** A fresh id for a new step or group, unique in the tree (the id pattern is [A-Za-z0-9_-]). */
export function newNodeId(nodes: readonly SequenceNode[], prefix: string): string {
  for (let n = 1; ; n++) {
    const id = `${prefix}-${String(n)}`;
    if (!findNode(nodes, id)) return id;
  }
}

/** The JSON Schema a step kind's settings are declared with (TypeBox schemas are JSON Schema). */
export interface JsonSchema {
  type?: string;
  anyOf?: JsonSchema[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
}

/** A value that fills a schema's required fields (the first choice, empty text, no items). */
export function emptyValue(schema: JsonSchema): unknown {
  if (schema.anyOf) {
    const first = schema.anyOf[0];
    return first ? emptyValue(first) : '';
  }
  if ('const' in schema) return schema.const;
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) {
        const p = schema.properties?.[key];
        if (p) out[key] = emptyValue(p);
      }
      return out;
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    default:
      return '';
  }
}

export function newStep(nodes: readonly SequenceNode[], kind: StepKind): Step {
  const settings = emptyValue(StepKinds[kind].settings);
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- settings start from the kind's own schema (emptyValue); the editor's form and settingsProblem check them before save
  return {
    type: 'step',
    kind,
    id: newNodeId(nodes, kind),
    name: StepKinds[kind].label,
    enabled: true,
    continueOnError: false,
    settings,
  } as Step;
}

export function newGroup(nodes: readonly SequenceNode[]): Group {
  return {
    type: 'group',
    id: newNodeId(nodes, 'group'),
    name: 'New group',
    enabled: true,
    continueOnError: false,
    children: [],
  };
}
