import {
  BootComputerKind,
  DeploymentPurpose,
  SequenceRunState,
  TaskSequenceAvailability,
  TaskSequenceKind,
  TaskSequenceRerun,
} from '@steward/protocol';
import { defaulted, integer, nullable, oneOf, text, type TableOf } from './columns.js';

/** Task sequences (issue 11, ADR 0069). */
export const taskSequenceTables = {
  task_sequence: {
    id: text(),
    name: text(),
    description: text(),
    kind: oneOf(TaskSequenceKind),
    /** The newest version. */
    version: integer(),
    created_at: text(),
    updated_at: text(),
    updated_by: text(),
  },
  task_sequence_version: {
    sequence_id: text(),
    version: integer(),
    /** JSON: the step tree (SequenceSteps), validated on save and on read. */
    steps: text(),
    /** JSON: the default variables. */
    variables: text(),
    step_count: integer(),
    created_at: text(),
    created_by: text(),
    /** The boot image PXE and media start the sequence in (ADR 0076). */
    boot_image_id: nullable(text()),
  },
  collection_ts_variable: { target_id: text(), name: text(), value: text() },
  device_ts_variable: { target_id: text(), name: text(), value: text() },
  task_sequence_deployment: {
    id: text(),
    name: text(),
    sequence_id: text(),
    version: integer(),
    collection_id: text(),
    purpose: oneOf(DeploymentPurpose),
    available_at: nullable(text()),
    deadline: nullable(text()),
    honor_windows: integer(),
    created_at: text(),
    created_by: text(),
    available_to: defaulted(oneOf(TaskSequenceAvailability)),
    rerun: defaulted(oneOf(TaskSequenceRerun)),
    enabled: defaulted(integer()),
    /** scrypt hash of the PXE password (salt:hash, hex), or null. */
    pxe_password: nullable(text()),
    updated_at: nullable(text()),
  },
  task_sequence_run: {
    deployment_id: text(),
    device_id: text(),
    state: oneOf(SequenceRunState),
    step_number: integer(),
    step_count: integer(),
    current_step: nullable(text()),
    /** JSON: the SequenceProgress the engine last reported. */
    progress: text(),
    updated_at: text(),
  },
  /** A boot environment's run (ADR 0103), per deployment and registered computer. */
  task_sequence_boot_run: {
    deployment_id: text(),
    computer_id: text(),
    computer_kind: oneOf(BootComputerKind),
    /** The imported computer's name, else its SMBIOS UUID or first MAC. */
    computer_name: text(),
    smbios_uuid: nullable(text()),
    /** JSON: the MACs it registered with, lower case. */
    macs: text(),
    /** The device the installed system enrolled as; null until then. */
    device_id: nullable(text()),
    state: oneOf(SequenceRunState),
    step_number: integer(),
    step_count: integer(),
    current_step: nullable(text()),
    progress: text(),
    updated_at: text(),
  },
};
type T = typeof taskSequenceTables;
export interface TaskSequenceTables {
  task_sequence: TableOf<T['task_sequence']>;
  task_sequence_version: TableOf<T['task_sequence_version']>;
  collection_ts_variable: TableOf<T['collection_ts_variable']>;
  device_ts_variable: TableOf<T['device_ts_variable']>;
  task_sequence_deployment: TableOf<T['task_sequence_deployment']>;
  task_sequence_run: TableOf<T['task_sequence_run']>;
  task_sequence_boot_run: TableOf<T['task_sequence_boot_run']>;
}
