import { describe, expect, it } from 'vitest';
import {
  MAX_GROUP_DEPTH,
  sequenceItems,
  sequenceProblems,
  settingsProblem,
  type SequenceNode,
} from '@steward/protocol';
import {
  addNode,
  canIndent,
  indentNode,
  moveBefore,
  moveNode,
  newGroup,
  newStep,
  outdentNode,
  removeNode,
} from './sequence-tree';

/** The tree as `id@depth` in order. */
function shape(nodes: readonly SequenceNode[], depth = 0): string[] {
  return nodes.flatMap((n) => [
    `${n.id}@${String(depth)}`,
    ...(n.type === 'group' ? shape(n.children, depth + 1) : []),
  ]);
}

function must<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('refused');
  return v;
}

/** A group holding a step, then a step at the top level. */
function sample(): SequenceNode[] {
  let t: SequenceNode[] = [];
  t = must(addNode(t, undefined, newGroup(t)));
  t = must(addNode(t, 'group-1', newStep(t, 'run-command')));
  t = must(addNode(t, undefined, newStep(t, 'restart-computer')));
  return t;
}

describe('task-sequence editor tree', () => {
  it('adds into a selected group and after a selected step, with unique ids', () => {
    const t = sample();
    expect(shape(t)).toEqual(['group-1@0', 'run-command-1@1', 'restart-computer-1@0']);
    const t2 = must(addNode(t, 'run-command-1', newStep(t, 'run-command')));
    expect(shape(t2)).toEqual([
      'group-1@0',
      'run-command-1@1',
      'run-command-2@1',
      'restart-computer-1@0',
    ]);
    // What the editor saves is what the site accepts structurally.
    expect(sequenceProblems(sequenceItems(t2)).filter((p) => !p.includes('settings'))).toEqual([]);
  });

  it('new steps start from their kind: a restart is complete, a command still needs one', () => {
    const t: SequenceNode[] = [];
    const restart = newStep(t, 'restart-computer');
    const command = newStep(t, 'run-command');
    expect(settingsProblem(restart)).toBeUndefined();
    expect(settingsProblem(command)).toMatch(/command/);
  });

  it('moves among siblings, out of a group and into the group above', () => {
    const t = sample();
    expect(shape(moveNode(t, 'restart-computer-1', -1))).toEqual([
      'restart-computer-1@0',
      'group-1@0',
      'run-command-1@1',
    ]);
    // Already first among its siblings: unchanged.
    expect(shape(moveNode(t, 'run-command-1', -1))).toEqual(shape(t));
    const out = outdentNode(t, 'run-command-1');
    expect(shape(out)).toEqual(['group-1@0', 'run-command-1@0', 'restart-computer-1@0']);
    expect(canIndent(out, 'restart-computer-1')).toBe(false); // a step is above it
    expect(canIndent(out, 'run-command-1')).toBe(true);
    expect(shape(indentNode(out, 'run-command-1'))).toEqual(shape(t));
    expect(shape(removeNode(t, 'group-1'))).toEqual(['restart-computer-1@0']);
  });

  it('refuses to nest groups deeper than the site allows, by add, indent or drag', () => {
    let t: SequenceNode[] = [];
    let parent: string | undefined;
    for (let i = 0; i < MAX_GROUP_DEPTH; i++) {
      const g = newGroup(t);
      t = must(addNode(t, parent, g));
      parent = g.id;
    }
    expect(sequenceProblems(sequenceItems(t))).toEqual([]);
    expect(addNode(t, parent, newGroup(t))).toBeUndefined();
    // A step still fits in the deepest group.
    const withStep = must(addNode(t, parent, newStep(t, 'restart-computer')));
    // A top-level group beside the chain cannot be dragged into the deepest level.
    const side = newGroup(withStep);
    const t2 = must(addNode(withStep, undefined, side));
    expect(moveBefore(t2, side.id, 'restart-computer-1')).toBeUndefined();
    // Nor indented into the chain when that makes it too deep.
    const g = newGroup(t2);
    const t3 = [...t2.filter((n) => n.id !== side.id), g, side];
    expect(canIndent(t3, side.id)).toBe(true); // into the empty top-level group g
    expect(canIndent(t, 'group-1')).toBe(false);
  });

  it('drags before another node, never into its own group', () => {
    const t = sample();
    expect(shape(must(moveBefore(t, 'restart-computer-1', 'run-command-1')))).toEqual([
      'group-1@0',
      'restart-computer-1@1',
      'run-command-1@1',
    ]);
    expect(moveBefore(t, 'group-1', 'run-command-1')).toBeUndefined();
    expect(moveBefore(t, 'group-1', 'group-1')).toBeUndefined();
  });
});
