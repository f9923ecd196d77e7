import type { TaskSequenceBody } from '@steward/protocol';

/** An enabled step of a task sequence body, named by its id, stopping the sequence on failure. */
export function sequenceStep(
  id: string,
  kind: string,
  settings: object,
): TaskSequenceBody['steps'][number] {
  return {
    type: 'step',
    kind,
    id,
    name: id,
    enabled: true,
    continueOnError: false,
    settings,
  } as TaskSequenceBody['steps'][number];
}
