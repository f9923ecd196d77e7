import { Type } from '@sinclair/typebox';
import { CustomClassDefinition, InstalledPackage, InventoryInstance } from '@steward/protocol';

/** What the service hands the collection process on stdin (CollectOptions, serialisable). */
export const CollectRequest = Type.Object(
  {
    customClasses: Type.Optional(Type.Array(CustomClassDefinition)),
    softwareScanPaths: Type.Optional(Type.Array(Type.String())),
    includeSoftwareScan: Type.Optional(Type.Boolean()),
    only: Type.Optional(Type.Array(Type.String())),
    startedAt: Type.Optional(Type.String()),
    maxSoftwareFiles: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

/** What the collection process prints on stdout: the CollectedInventory and its own costs. */
export const CollectResponse = Type.Object({
  inventory: Type.Object({
    collectedAt: Type.String(),
    classes: Type.Record(Type.String(), Type.Array(InventoryInstance)),
    packages: Type.Optional(Type.Array(InstalledPackage)),
    failures: Type.Array(
      Type.Object({ className: Type.String(), custom: Type.Boolean(), error: Type.String() }),
    ),
    partial: Type.Array(Type.Object({ className: Type.String(), reason: Type.String() })),
    softwareScan: Type.Optional(
      Type.Object({
        paths: Type.Array(Type.String()),
        files: Type.Integer(),
        truncated: Type.Boolean(),
      }),
    ),
  }),
  stats: Type.Object({
    /** Collection time inside the process, without its start-up. */
    collectMs: Type.Number(),
    /** CPU time of the whole process, start-up included. */
    cpuMs: Type.Number(),
    /** The process's RSS high-water mark (VmHWM) at the end, MB. */
    peakRssMb: Type.Number(),
  }),
});
