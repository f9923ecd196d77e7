import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from '../common/schemas.js';

// ---- roles and users ----

export const Role = Type.Union([
  Type.Literal('full-administrator'),
  Type.Literal('operations-administrator'),
  Type.Literal('read-only-analyst'),
]);
export type Role = Static<typeof Role>;

export const Permission = Type.Union([
  Type.Literal('read'),
  Type.Literal('devices:write'),
  Type.Literal('devices:act'),
  Type.Literal('collections:write'),
  Type.Literal('inventory-classes:write'),
  Type.Literal('enrolment:write'),
  Type.Literal('users:write'),
  Type.Literal('audit:read'),
  /** Packages, programs, content, distribution points, boundaries. */
  Type.Literal('software:write'),
  /** Deployments, maintenance windows, phased deployments. */
  Type.Literal('deployments:write'),
  /** Which agent version is production and pre-production, and promoting it (issue 9). */
  Type.Literal('agent-versions:manage'),
  /** Custom reports: administrator SQL over the report views (issue 10, ADR 0054). */
  Type.Literal('reports:write'),
]);
export type Permission = Static<typeof Permission>;

/** What each role may do. Every service method checks one of these first. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  'full-administrator': [
    'read',
    'devices:write',
    'devices:act',
    'collections:write',
    'inventory-classes:write',
    'enrolment:write',
    'users:write',
    'audit:read',
    'software:write',
    'deployments:write',
    'agent-versions:manage',
    'reports:write',
  ],
  'operations-administrator': [
    'read',
    'devices:act',
    'collections:write',
    'enrolment:write',
    'devices:write',
    'software:write',
    'deployments:write',
  ],
  'read-only-analyst': ['read'],
};

export const User = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  disabled: Type.Boolean(),
  createdAt: Type.String(),
  lastLoginAt: Nullable(Type.String()),
});
export type User = Static<typeof User>;

export const LoginRequest = Type.Object(
  {
    userName: Type.String({ minLength: 1, maxLength: 200 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    /**
     * `cookie` (the console): the session goes in an HttpOnly cookie, not in the answer, and
     * state-changing requests must echo the CSRF token. `token` (default): a bearer token.
     */
    session: Type.Optional(Type.Union([Type.Literal('token'), Type.Literal('cookie')])),
  },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;
export const LoginResponse = Type.Object({
  /** The bearer token; absent for a cookie session, whose token JavaScript never sees. */
  token: Type.Optional(Type.String()),
  /** For a cookie session: the value to send in the `x-csrf-token` header. */
  csrfToken: Type.Optional(Type.String()),
  expiresAt: Type.String(),
  user: User,
});
export type LoginResponse = Static<typeof LoginResponse>;

export const CreateUserRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._@-]+$' }),
    password: Type.String({ minLength: 8, maxLength: 1024 }),
    role: Role,
  },
  { additionalProperties: false },
);
export type CreateUserRequest = Static<typeof CreateUserRequest>;
export const UpdateUserRequest = Type.Object(
  {
    role: Type.Optional(Role),
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 1024 })),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UpdateUserRequest = Static<typeof UpdateUserRequest>;
