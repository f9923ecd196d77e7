import { type Static, Type } from '@sinclair/typebox';
import { ClientSettingsOptions } from '../agent/protocol.js';
import { settingsProperties, settingsValueProperties } from '../common/settings.js';
import { Nullable } from '../common/schemas.js';

/**
 * A subset of the declared client settings (ADR 0016): what a client settings object sets.
 * Every value is checked by its own declaration; a key that is not declared is refused.
 */
export const ClientSettingsSubset = Type.Object(settingsProperties(ClientSettingsOptions), {
  additionalProperties: false,
});
export type ClientSettingsSubset = Static<typeof ClientSettingsSubset>;

/** The keys a client settings object can set (the declared single-value client settings). */
export type ClientSettingKey = keyof typeof ClientSettingsOptions & string;

/** Lower number wins (ADR 0025). Unique per site, so precedence is never a tie. */
export const ClientSettingsPriority = Type.Integer({ minimum: 1, maximum: 10_000 });

const Name = Type.String({ minLength: 1, maxLength: 128, pattern: '\\S' });
const Description = Type.String({ maxLength: 2000 });

export const ClientSettingsCollectionRef = Type.Object({
  id: Type.String(),
  name: Type.String(),
});

/** A client settings object: settings for the members of the collections it is assigned to. */
export const ClientSettingsObject = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  priority: ClientSettingsPriority,
  settings: ClientSettingsSubset,
  collections: Type.Array(ClientSettingsCollectionRef),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type ClientSettingsObject = Static<typeof ClientSettingsObject>;

export const CreateClientSettingsObjectRequest = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    priority: ClientSettingsPriority,
    settings: ClientSettingsSubset,
  },
  { additionalProperties: false },
);
export type CreateClientSettingsObjectRequest = Static<typeof CreateClientSettingsObjectRequest>;

/** The fields given change; `settings`, when given, replaces the whole subset. */
export const UpdateClientSettingsObjectRequest = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    priority: Type.Optional(ClientSettingsPriority),
    settings: Type.Optional(ClientSettingsSubset),
  },
  { additionalProperties: false },
);
export type UpdateClientSettingsObjectRequest = Static<typeof UpdateClientSettingsObjectRequest>;

/** Where one resultant value came from: a client settings object through a collection, or the site. */
export const ClientSettingSource = Type.Union([
  Type.Object({
    kind: Type.Literal('object'),
    objectId: Type.String(),
    objectName: Type.String(),
    priority: ClientSettingsPriority,
    collectionId: Type.String(),
    collectionName: Type.String(),
  }),
  Type.Object({ kind: Type.Literal('site') }),
]);
export type ClientSettingSource = Static<typeof ClientSettingSource>;

const valueSchemas = settingsValueProperties(ClientSettingsOptions);

/** One resultant value of a device with its source. */
export const ResultantClientSetting = Type.Object({
  key: Type.String(),
  value: Type.Union([Type.Number(), Type.String(), Type.Boolean()]),
  source: ClientSettingSource,
});
export type ResultantClientSetting = Static<typeof ResultantClientSetting>;

/** A device's resultant client settings: what its policy carries, value by value. */
export const ResultantClientSettings = Type.Object({
  deviceId: Type.String(),
  deviceName: Type.String(),
  /** The site's policy version the values belong to. */
  policyVersion: Type.Integer(),
  /** The policy version the device last reported (heartbeat or policy fetch). */
  devicePolicyVersion: Nullable(Type.Integer()),
  settings: Type.Object(valueSchemas),
  values: Type.Array(ResultantClientSetting),
});
export type ResultantClientSettings = Static<typeof ResultantClientSettings>;
