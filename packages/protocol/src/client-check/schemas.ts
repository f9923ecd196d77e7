import { type Static, Type } from '@sinclair/typebox';

/**
 * The client check's checks (the ccmeval analog), in the order the agent runs them. Append
 * only: stored results and reports name them.
 */
export const ClientCheckName = Type.Union([
  Type.Literal('service'),
  Type.Literal('state-directory'),
  Type.Literal('disk-space'),
  Type.Literal('outbox'),
  Type.Literal('clock-skew'),
  Type.Literal('certificate'),
  Type.Literal('policy-fetch'),
  Type.Literal('inventory'),
]);
export type ClientCheckName = Static<typeof ClientCheckName>;
export const CLIENT_CHECK_NAMES: readonly ClientCheckName[] = ClientCheckName.anyOf.map(
  (l) => l.const,
);

/** What a check found: passed, failed (and not repaired), or failed and repaired. */
export const ClientCheckOutcome = Type.Union([
  Type.Literal('passed'),
  Type.Literal('failed'),
  Type.Literal('remediated'),
]);
export type ClientCheckOutcome = Static<typeof ClientCheckOutcome>;

export const ClientCheckMode = Type.Union([Type.Literal('remediate'), Type.Literal('notify-only')]);
export type ClientCheckMode = Static<typeof ClientCheckMode>;

export const ClientCheckResult = Type.Object(
  {
    check: ClientCheckName,
    outcome: ClientCheckOutcome,
    /** What was found (and, when remediated, what was done). */
    detail: Type.String({ maxLength: 1000 }),
  },
  { additionalProperties: false },
);
export type ClientCheckResult = Static<typeof ClientCheckResult>;

/** One run of the client check, reported through the outbox (`client-check:report`). */
export const ClientCheckReport = Type.Object(
  {
    at: Type.String({ format: 'date-time', maxLength: 40 }),
    mode: ClientCheckMode,
    /** 'schedule', 'nudge' or 'command' (steward-agent check). */
    trigger: Type.Union([Type.Literal('schedule'), Type.Literal('nudge'), Type.Literal('command')]),
    results: Type.Array(ClientCheckResult, { minItems: 1, maxItems: 32 }),
  },
  { additionalProperties: false },
);
export type ClientCheckReport = Static<typeof ClientCheckReport>;

/** A device's latest client check and its history, newest first. */
export const DeviceClientCheck = Type.Object({
  deviceId: Type.String(),
  latest: Type.Union([ClientCheckReport, Type.Null()]),
  history: Type.Array(
    Type.Object({
      at: Type.String(),
      failed: Type.Integer(),
      remediated: Type.Integer(),
      results: Type.Array(ClientCheckResult),
    }),
  ),
});
export type DeviceClientCheck = Static<typeof DeviceClientCheck>;

/** Per check, how many devices of a collection passed, failed or were remediated at their latest check. */
export const ClientCheckSummary = Type.Object({
  collectionId: Type.String(),
  collectionName: Type.String(),
  members: Type.Integer(),
  /** Members that have reported a client check at all. */
  reported: Type.Integer(),
  checks: Type.Array(
    Type.Object({
      check: ClientCheckName,
      passed: Type.Integer(),
      failed: Type.Integer(),
      remediated: Type.Integer(),
    }),
  ),
});
export type ClientCheckSummary = Static<typeof ClientCheckSummary>;

/** The query of the report "clients failing a given check". */
export const ClientCheckFailuresQuery = Type.Object(
  {
    check: ClientCheckName,
    /** Members of this collection only (id or name). */
    collection: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  },
  { additionalProperties: false },
);
export type ClientCheckFailuresQuery = Static<typeof ClientCheckFailuresQuery>;

/** One device whose latest outcome of the check is failed. */
export const ClientCheckFailureRow = Type.Object({
  deviceId: Type.String(),
  deviceName: Type.String(),
  check: ClientCheckName,
  detail: Type.String(),
  at: Type.String(),
});
export type ClientCheckFailureRow = Static<typeof ClientCheckFailureRow>;
