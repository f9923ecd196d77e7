import { type Static, Type } from '@sinclair/typebox';

// ---- enrolment tokens ----

export const CreateEnrolmentTokenRequest = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 500 })),
    /** Hours until the token stops working; default 24, at most a year. */
    expiresInHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 8760 })),
    /** How many machines may enrol with it; default 100. */
    maxUses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000000 })),
  },
  { additionalProperties: false },
);
export type CreateEnrolmentTokenRequest = Static<typeof CreateEnrolmentTokenRequest>;

export const EnrolmentToken = Type.Object({
  id: Type.String(),
  description: Type.String(),
  createdAt: Type.String(),
  createdBy: Type.String(),
  expiresAt: Type.String(),
  maxUses: Type.Integer(),
  uses: Type.Integer(),
  revoked: Type.Boolean(),
  /** Only in the response that creates it: the secret is never stored in clear. */
  token: Type.Optional(Type.String()),
});
export type EnrolmentToken = Static<typeof EnrolmentToken>;

export const EnrollRequest = Type.Object(
  {
    secret: Type.String({ minLength: 16, maxLength: 256 }),
    hostname: Type.String({ minLength: 1, maxLength: 253 }),
    osFamily: Type.String({ maxLength: 64 }),
    agentVersion: Type.String({ maxLength: 64 }),
  },
  { additionalProperties: false },
);
export type EnrollRequest = Static<typeof EnrollRequest>;

export const EnrollResponse = Type.Object({
  deviceId: Type.String(),
  deviceKey: Type.String(),
  siteCode: Type.String(),
  /** Ed25519 public key (SPKI PEM) that signs every policy. */
  policySigningKey: Type.String(),
});
export type EnrollResponse = Static<typeof EnrollResponse>;
