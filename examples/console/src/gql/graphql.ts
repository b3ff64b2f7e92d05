/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /**
   * Implement the DateTime<Utc> scalar
   *
   * The input/output is a string in RFC3339 format.
   */
  DateTime: { input: string; output: string; }
  /** A scalar that can represent any JSON value. */
  JSON: { input: unknown; output: unknown; }
};

/**
 * An app of the builder: its versions climb the environment pipeline, and the
 * released one runs on the default environment.
 */
export type App = {
  __typename: 'App';
  /**
   * the environment the calling user last selected for this app in the builder
   *
   * Development (the lowest environment) for a user who never chose; Production in
   * the Community edition, whatever was chosen before.
   */
  builderEnvironment: Environment;
  /** When the app was created. */
  createdAt: Scalars['DateTime']['output'];
  /** Stable id of the app. */
  id: Scalars['ID']['output'];
  /** Name, unique in the workspace regardless of case. */
  name: Scalars['String']['output'];
  /**
   * the environment the released app runs against
   *
   * Always the default environment (Production), whatever anyone selected.
   */
  releasedEnvironment: Environment;
  /** The version end users run, if one is released. */
  releasedVersion?: Maybe<AppVersion>;
  /**
   * every release of this app, newest first
   *
   * A page at a time (`first` at most 100, 20 by default); runners may not read it.
   * Releases made before envgate kept this history were read back from the audit
   * log when it started keeping it.
   */
  releases: ReleaseConnection;
  /**
   * releases waiting to happen, soonest first
   *
   * By their time: those that wait, and those that ran, failed or were cancelled in
   * the last 7 days (the latest 20 to end; with their status, and why one failed).
   * Runners may not read it.
   */
  scheduledReleases: Array<ScheduledRelease>;
  /** When the app was created or last released. */
  updatedAt: Scalars['DateTime']['output'];
  /** Every version of the app, oldest first. */
  versions: Array<AppVersion>;
};


/**
 * An app of the builder: its versions climb the environment pipeline, and the
 * released one runs on the default environment.
 */
export type AppReleasesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** One page of a list, in the list's order. */
export type AppConnection = {
  __typename: 'AppConnection';
  /** The items with their cursors. */
  edges: Array<AppEdge>;
  /** The items alone. */
  nodes: Array<App>;
  /** Where this page sits in the whole list. */
  pageInfo: PageInfo;
};

/** An item of a page with its cursor. */
export type AppEdge = {
  __typename: 'AppEdge';
  /** Pass as `after` to get the items that follow this one. */
  cursor: Scalars['String']['output'];
  /** The item. */
  node: App;
};

/** A version of an app, sitting in one environment of the pipeline. */
export type AppVersion = {
  __typename: 'AppVersion';
  /** The app this version belongs to. */
  appId: Scalars['ID']['output'];
  /** When the version was created. */
  createdAt: Scalars['DateTime']['output'];
  /**
   * the data sources this version's queries use; promotion checks each is configured in the target
   *
   * By name. A new version starts with its app's most recent version's; set them with
   * setAppVersionDataSources.
   */
  dataSources: Array<DataSource>;
  /** The environment the version is in: where it started, or where promotion took it. */
  environment: Environment;
  /** Stable id of the version. */
  id: Scalars['ID']['output'];
  /** Name, unique in its app regardless of case. */
  name: Scalars['String']['output'];
  /** DRAFT, or RELEASED for the one version end users run. */
  status: VersionStatus;
  /** When the version was last promoted, released or returned to draft. */
  updatedAt: Scalars['DateTime']['output'];
};

/** What an audit row records. */
export type AuditAction =
  /** `createApp`. */
  | 'APP_CREATED'
  /**
   * `applyWorkspaceConfig` changed the workspace; details hold the plan's counts
   * (each change has its usual row besides).
   */
  | 'CONFIG_APPLIED'
  /** `testDataSourceConnection`. */
  | 'CONNECTION_TESTED'
  /** A workspace constant was created. */
  | 'CONSTANT_CREATED'
  /** A workspace constant was deleted. */
  | 'CONSTANT_DELETED'
  /** A workspace constant's values changed. */
  | 'CONSTANT_UPDATED'
  /** `createDataSource`. */
  | 'DATA_SOURCE_CREATED'
  /** `deleteDataSource`. */
  | 'DATA_SOURCE_DELETED'
  /** `renameDataSource`. */
  | 'DATA_SOURCE_RENAMED'
  /** `resolveDataSource`, answered or refused. */
  | 'DATA_SOURCE_RESOLVED'
  /** `setEnvironmentAccess`: an environment's access rules were replaced. */
  | 'ENVIRONMENT_ACCESS_CHANGED'
  /** `setEnvironmentApprovals`. */
  | 'ENVIRONMENT_APPROVALS_CHANGED'
  /** `createEnvironment`. */
  | 'ENVIRONMENT_CREATED'
  /** `deleteEnvironment`. */
  | 'ENVIRONMENT_DELETED'
  /** `moveEnvironment`. */
  | 'ENVIRONMENT_MOVED'
  /** `setEnvironmentProtected`. */
  | 'ENVIRONMENT_PROTECTION_CHANGED'
  /** `renameEnvironment`. */
  | 'ENVIRONMENT_RENAMED'
  /** `copyDataSourceOptions`. */
  | 'OPTIONS_COPIED'
  /** `updateDataSourceOptions`. */
  | 'OPTIONS_UPDATED'
  /** `cancelPromotionRequest`. */
  | 'PROMOTION_CANCELLED'
  /** `requestPromotion`. */
  | 'PROMOTION_REQUESTED'
  /** `reviewPromotionRequest`: an approval or a rejection. */
  | 'PROMOTION_REVIEWED'
  /** `rollbackRelease`: the version released before the current one was released again. */
  | 'RELEASE_ROLLED_BACK'
  /** `scheduleRelease`. */
  | 'RELEASE_SCHEDULED'
  /** `cancelScheduledRelease`. */
  | 'RELEASE_SCHEDULE_CANCELLED'
  /** `createAppVersion`. */
  | 'VERSION_CREATED'
  /** `setAppVersionDataSources`: what a version uses was declared. */
  | 'VERSION_DATA_SOURCES_SET'
  /** `promoteAppVersion`. */
  | 'VERSION_PROMOTED'
  /** `releaseAppVersion`, or a scheduled release that ran (its details name it). */
  | 'VERSION_RELEASED';

/** One change, decrypted read or connection test, as the audit log keeps it. */
export type AuditEvent = {
  __typename: 'AuditEvent';
  /** What was done. */
  action: AuditAction;
  /** the token's sub */
  actor: Scalars['String']['output'];
  /** The app concerned, if any. */
  appId?: Maybe<Scalars['ID']['output']>;
  /** When it happened. */
  at: Scalars['DateTime']['output'];
  /** The data source concerned, if any. */
  dataSourceId?: Maybe<Scalars['ID']['output']>;
  /** what changed, never a secret value: e.g. the option keys saved, secrets as SET or CLEARED */
  details: Scalars['JSON']['output'];
  /** The environment concerned, if any. */
  environmentId?: Maybe<Scalars['ID']['output']>;
  /** Stable id of the row. */
  id: Scalars['ID']['output'];
  /** the request's x-request-id */
  requestId?: Maybe<Scalars['String']['output']>;
  /** The actor's role at the time. */
  role: Role;
  /** The app version concerned, if any. */
  versionId?: Maybe<Scalars['ID']['output']>;
};

/** One page of a list, in the list's order. */
export type AuditEventConnection = {
  __typename: 'AuditEventConnection';
  /** The items with their cursors. */
  edges: Array<AuditEventEdge>;
  /** The items alone. */
  nodes: Array<AuditEvent>;
  /** Where this page sits in the whole list. */
  pageInfo: PageInfo;
};

/** An item of a page with its cursor. */
export type AuditEventEdge = {
  __typename: 'AuditEventEdge';
  /** Pass as `after` to get the items that follow this one. */
  cursor: Scalars['String']['output'];
  /** The item. */
  node: AuditEvent;
};

/** What a page of the audit log is narrowed to; every filter given must match. */
export type AuditFilter = {
  /** Any of these actions. */
  actions?: InputMaybe<Array<AuditAction>>;
  /** The token `sub` that acted. */
  actor?: InputMaybe<Scalars['String']['input']>;
  /** Rows about this app. */
  appId?: InputMaybe<Scalars['ID']['input']>;
  /** Rows about this data source. */
  dataSourceId?: InputMaybe<Scalars['ID']['input']>;
  /** Rows about this environment. */
  environmentId?: InputMaybe<Scalars['ID']['input']>;
  /** From this instant on (inclusive). */
  since?: InputMaybe<Scalars['DateTime']['input']>;
  /** Before this instant (exclusive). */
  until?: InputMaybe<Scalars['DateTime']['input']>;
};

/** What a change of a plan does. */
export type ConfigAction =
  /** Something the document has and the workspace has not. */
  | 'CREATE'
  /**
   * Something the document leaves out, deleted or cleared (only with `prune`), or a
   * value the document sets to null.
   */
  | 'DELETE'
  /** Already as the document says. */
  | 'UNCHANGED'
  /** Something both have, made to match the document. */
  | 'UPDATE';

/** One line of a plan. */
export type ConfigChange = {
  __typename: 'ConfigChange';
  /** What the change does. */
  action: ConfigAction;
  /** before and after for non-secret values; SET / CLEARED for secrets */
  detail?: Maybe<Scalars['String']['output']>;
  /** what it touches, in words: e.g. 'data source orders-db, Staging, host' */
  target: Scalars['String']['output'];
};

/** What `applyWorkspaceConfig` did, or would do with `dryRun`. */
export type ConfigPlan = {
  __typename: 'ConfigPlan';
  /** Whether the plan was carried out (false for a dry run). */
  applied: Scalars['Boolean']['output'];
  /** Every change: environments, then constants, then data sources. */
  changes: Array<ConfigChange>;
};

/** The outcome of a connection test. */
export type ConnectionTestResult = {
  __typename: 'ConnectionTestResult';
  /** How long a successful connection took, in milliseconds. */
  latencyMs?: Maybe<Scalars['Int']['output']>;
  /** What happened, for the user; never contains a secret. */
  message: Scalars['String']['output'];
  /** Whether the server could connect with the stored options. */
  ok: Scalars['Boolean']['output'];
  /**
   * Whether the server can test this data source at all; when false, `ok` is false
   * without the connection having failed, and `message` says why.
   */
  supported: Scalars['Boolean']['output'];
};

/** What differs in one constant between the two environments. */
export type ConstantDifference = {
  __typename: 'ConstantDifference';
  /** The constant. */
  constant: WorkspaceConstant;
  /** GLOBAL values; null for SECRET */
  from?: Maybe<Scalars['String']['output']>;
  /** Whether it has a value in the `from` environment. */
  fromSet: Scalars['Boolean']['output'];
  /** The GLOBAL value in the `to` environment; null for SECRET. */
  to?: Maybe<Scalars['String']['output']>;
  /** Whether it has a value in the `to` environment. */
  toSet: Scalars['Boolean']['output'];
};

/** GLOBAL or SECRET. */
export type ConstantType =
  /** a plain value, readable by every role */
  | 'GLOBAL'
  /** encrypted at rest, never returned; only the runner gets it, substituted */
  | 'SECRET';

/** A constant's value in one environment. */
export type ConstantValue = {
  __typename: 'ConstantValue';
  /** The environment this value is for. */
  environment: Environment;
  /** Whether the constant has a value in this environment. */
  isSet: Scalars['Boolean']['output'];
  /** null for secrets */
  value?: Maybe<Scalars['String']['output']>;
};

/** One environment's value of a constant, to set or clear. */
export type ConstantValueInput = {
  /** The environment; one the edition offers. */
  environmentId: Scalars['ID']['input'];
  /** null clears the value in that environment */
  value?: InputMaybe<Scalars['String']['input']>;
};

/** Copy one environment's options onto another. */
export type CopyDataSourceOptionsInput = {
  /** The data source whose options are copied. */
  dataSourceId: Scalars['ID']['input'];
  /**
   * The target environment's revision the caller last read; a stale one is
   * REVISION_CONFLICT (with `extensions.currentRevision`).
   */
  expectedRevision?: InputMaybe<Scalars['Int']['input']>;
  /** The environment copied from. */
  fromEnvironmentId: Scalars['ID']['input'];
  /** Whether secrets are copied too (replacing the target's); otherwise the target keeps its own. */
  includeSecrets?: Scalars['Boolean']['input'];
  /** The environment copied onto: its non-secret values are replaced. */
  toEnvironmentId: Scalars['ID']['input'];
};

/** A new data source and its options for one environment. */
export type CreateDataSourceInput = {
  /**
   * The environment the options are for; Production when left out. The other
   * environments get the non-secret values and no secrets.
   */
  environmentId?: InputMaybe<Scalars['ID']['input']>;
  /** One of `dataSourceKinds`. */
  kind: Scalars['String']['input'];
  /** Unique in the workspace; 1 to 255 characters. */
  name: Scalars['String']['input'];
  /** Values for the kind's fields; required fields must be given. */
  options: Array<DataSourceOptionInput>;
};

/** A custom environment to add to the pipeline. */
export type CreateEnvironmentInput = {
  /** the environment the new one follows in the pipeline; never the default one */
  after: Scalars['ID']['input'];
  /** Unique in the workspace regardless of case; 1 to 255 characters. */
  name: Scalars['String']['input'];
};

/**
 * A connection to an external system (a database, an API), with one set of options
 * per environment.
 */
export type DataSource = {
  __typename: 'DataSource';
  /** When the data source was created. */
  createdAt: Scalars['DateTime']['output'];
  /**
   * Its options in every environment the edition offers and the caller may read, by
   * priority (secrets masked).
   */
  environments: Array<DataSourceOptions>;
  /** Stable id of the data source. */
  id: Scalars['ID']['output'];
  /** Its kind, one of `dataSourceKinds`. */
  kind: Scalars['String']['output'];
  /** Name, unique in the workspace. */
  name: Scalars['String']['output'];
  /**
   * Its options in one environment (secrets masked). Naming an environment the
   * edition does not offer is LICENSE_REQUIRED; one whose access rules don't let the
   * caller read options, FORBIDDEN.
   */
  options: DataSourceOptions;
  /** When the data source or any of its options last changed. */
  updatedAt: Scalars['DateTime']['output'];
};


/**
 * A connection to an external system (a database, an API), with one set of options
 * per environment.
 */
export type DataSourceOptionsArgs = {
  environmentId: Scalars['ID']['input'];
};

/** One page of a list, in the list's order. */
export type DataSourceConnection = {
  __typename: 'DataSourceConnection';
  /** The items with their cursors. */
  edges: Array<DataSourceEdge>;
  /** The items alone. */
  nodes: Array<DataSource>;
  /** Where this page sits in the whole list. */
  pageInfo: PageInfo;
};

/** What differs in one data source's options between the two environments. */
export type DataSourceDifference = {
  __typename: 'DataSourceDifference';
  /** The data source. */
  dataSource: DataSource;
  /** Whether apps can run against the `from` environment's options. */
  fromConfigured: Scalars['Boolean']['output'];
  /**
   * only the keys that differ
   *
   * In the kind's order. Two set secrets are compared for admins only (opened in
   * memory, never returned): for others, secrets differ only by set-state.
   */
  options: Array<OptionDifference>;
  /** Whether apps can run against the `to` environment's options. */
  toConfigured: Scalars['Boolean']['output'];
};

/** An item of a page with its cursor. */
export type DataSourceEdge = {
  __typename: 'DataSourceEdge';
  /** Pass as `after` to get the items that follow this one. */
  cursor: Scalars['String']['output'];
  /** The item. */
  node: DataSource;
};

/** One option field of a data-source kind: what a form needs to render and check it. */
export type DataSourceField = {
  __typename: 'DataSourceField';
  /** For string fields with a fixed choice: the accepted values. */
  allowedValues?: Maybe<Array<Scalars['String']['output']>>;
  /** The value used on create when none is given. */
  defaultValue?: Maybe<Scalars['JSON']['output']>;
  /** The key options are saved under. */
  key: Scalars['String']['output'];
  /** A human label for the field. */
  label: Scalars['String']['output'];
  /** Whether an environment is configured only when this field is set. */
  required: Scalars['Boolean']['output'];
  /** Whether the value is a secret: encrypted at rest and never returned. */
  secret: Scalars['Boolean']['output'];
  /** The type its value must have. */
  type: OptionType;
};

/** A kind of data source (PostgreSQL, REST API, ...) and its option fields. */
export type DataSourceKind = {
  __typename: 'DataSourceKind';
  /** A human name for the kind. */
  displayName: Scalars['String']['output'];
  /** The option fields, in the order forms show them. */
  fields: Array<DataSourceField>;
  /** The kind's identifier, as `DataSource.kind` and `createDataSource` spell it. */
  kind: Scalars['String']['output'];
};

/** One option of one environment, as clients read it. */
export type DataSourceOption = {
  __typename: 'DataSourceOption';
  /** Whether the field has a value (for secrets, the only thing said about them). */
  isSet: Scalars['Boolean']['output'];
  /** The field's key. */
  key: Scalars['String']['output'];
  /** Whether the field is a secret. */
  secret: Scalars['Boolean']['output'];
  /** null for secrets: their values are never returned */
  value?: Maybe<Scalars['JSON']['output']>;
};

/** One option value to save. */
export type DataSourceOptionInput = {
  /** The field's key, as `DataSourceKind.fields` lists it. */
  key: Scalars['String']['input'];
  /** a secret given as null is cleared; a secret left out keeps its value */
  value?: InputMaybe<Scalars['JSON']['input']>;
};

/** A data source's options in one environment. */
export type DataSourceOptions = {
  __typename: 'DataSourceOptions';
  /**
   * Whether every required field has a value, and every constant the options
   * reference has a value in this environment: only then can apps run against it.
   */
  configured: Scalars['Boolean']['output'];
  /** The data source these options belong to. */
  dataSourceId: Scalars['ID']['output'];
  /** The environment these options are for. */
  environment: Environment;
  /** stable id of this (data source, environment) pair, so client caches can normalize it */
  id: Scalars['ID']['output'];
  /** Bumped by every save; send it back as `expectedRevision` to detect concurrent edits. */
  revision: Scalars['Int']['output'];
  /** When these options were last saved. */
  updatedAt?: Maybe<Scalars['DateTime']['output']>;
  /** Who last saved these options. */
  updatedBy?: Maybe<Scalars['ID']['output']>;
  /** Every field of the kind, in the kind's order; secrets say only whether they are set. */
  values: Array<DataSourceOption>;
};

/** The running edition and its license, as of this request. */
export type Edition = {
  __typename: 'Edition';
  /** When the license lapses, when it verifies. */
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  /** Whether a license is configured, valid, expired or invalid. */
  licenseStatus: LicenseStatus;
  /** Who the license is for, when it verifies. */
  licensee?: Maybe<Scalars['String']['output']>;
  /** Whether environments other than Production can be used. */
  multiEnvironment: Scalars['Boolean']['output'];
  /** COMMUNITY or ENTERPRISE. */
  name: EditionName;
};

/** The edition the server runs as. */
export type EditionName =
  /** Production only: one environment. */
  | 'COMMUNITY'
  /** Multiple environments, from a valid license. */
  | 'ENTERPRISE';

/** A stage of the workspace's pipeline, with its own data-source settings. */
export type Environment = {
  __typename: 'Environment';
  /**
   * who may do what in this environment besides admins; admins only (others: FORBIDDEN)
   *
   * The rules in effect: the stored ones in Enterprise, the defaults (the role
   * matrix) in Community.
   */
  access: Array<EnvironmentAccessRule>;
  /** When the environment was created. */
  createdAt: Scalars['DateTime']['output'];
  /** Stable id of the environment. */
  id: Scalars['ID']['output'];
  /** Whether released apps run on this environment (Production). */
  isDefault: Scalars['Boolean']['output'];
  /** What the environment is for. */
  kind: EnvironmentKind;
  /** Whether the environment is built in and so can't be renamed, moved or deleted. */
  locked: Scalars['Boolean']['output'];
  /** what the caller may do in this environment (admins: all) */
  myPermissions: Array<EnvironmentPermission>;
  /** Display name, unique in the workspace. */
  name: Scalars['String']['output'];
  /** Position in the pipeline: versions are promoted from lower to higher priority. */
  priority: Scalars['Int']['output'];
  /**
   * promotion into it, and release from it, need an admin
   *
   * True for Production in a new workspace. An Enterprise rule: in Community
   * nothing is protected.
   */
  protected: Scalars['Boolean']['output'];
  /**
   * approvals a promotion into this environment needs (0: none); see requestPromotion
   *
   * An Enterprise rule: 0 in Community.
   */
  requiredApprovals: Scalars['Int']['output'];
  /** When the environment was last changed. */
  updatedAt: Scalars['DateTime']['output'];
};

/** grants permissions to every caller with this role, or with this group; exactly one of role and group is set */
export type EnvironmentAccessRule = {
  __typename: 'EnvironmentAccessRule';
  /**
   * The group the rule applies to (a name from tokens' groups), or null for a
   * role's rule.
   */
  group?: Maybe<Scalars['String']['output']>;
  /** What the rule grants in the environment. */
  permissions: Array<EnvironmentPermission>;
  /** The role the rule applies to, or null for a group's rule. */
  role?: Maybe<Role>;
};

/**
 * One rule of `setEnvironmentAccess`: exactly one of `role` (not ADMIN: admins hold
 * every permission) and `group`, and what it grants.
 */
export type EnvironmentAccessRuleInput = {
  /** The group the rule applies to: 1 to 255 printable characters. */
  group?: InputMaybe<Scalars['String']['input']>;
  /** What the rule grants. */
  permissions: Array<EnvironmentPermission>;
  /** The role the rule applies to. */
  role?: InputMaybe<Role>;
};

/** What differs between two environments' configuration. */
export type EnvironmentDiff = {
  __typename: 'EnvironmentDiff';
  /** Constants with a difference, by name. */
  constants: Array<ConstantDifference>;
  /** Data sources with a difference, by name. */
  dataSources: Array<DataSourceDifference>;
  /** The environment compared from. */
  from: Environment;
  /** The environment compared to. */
  to: Environment;
};

/** What an environment is for. */
export type EnvironmentKind =
  /** An environment a workspace added to the pipeline. */
  | 'CUSTOM'
  /** Where new app versions start. */
  | 'DEVELOPMENT'
  /** Where released apps run: the default environment. */
  | 'PRODUCTION'
  /** Where versions are checked before release. */
  | 'STAGING';

/** What an access rule may grant in an environment. */
export type EnvironmentPermission =
  /** save, copy into and clear this environment's options */
  | 'EDIT_OPTIONS'
  /** promote a version into it, or request that */
  | 'PROMOTE_INTO'
  /**
   * read this environment's options (secrets masked)
   *
   * And its constants' values.
   */
  | 'READ_OPTIONS'
  /** resolveDataSource against it */
  | 'RESOLVE'
  /** select it in the builder (selectEnvironment) */
  | 'SELECT'
  /** Test a data source's connection with this environment's options. */
  | 'TEST_CONNECTION';

/** The state of the configured license key. */
export type LicenseStatus =
  /** The license verifies but its expiry has passed. */
  | 'EXPIRED'
  /** The license does not verify (bad signature or shape). */
  | 'INVALID'
  /** No license key is configured. */
  | 'NONE'
  /** The license verifies and has not expired. */
  | 'VALID';

/** Every change a caller can make, confined to the workspace of their token. */
export type Mutation = {
  __typename: 'Mutation';
  /**
   * applies a workspaceConfig document in one transaction; dryRun only plans
   *
   * Admins. The whole document is checked first (BAD_USER_INPUT lists every
   * problem in `extensions.problems`, each naming its item); then what differs is
   * created or updated, and with `prune` what the document leaves out is deleted,
   * all or nothing, through the same rules as the other mutations (revisions,
   * audit rows, notifications), plus a CONFIG_APPLIED audit row. A secret given as
   * `{"secret": "SET"}` is kept; a string sets it. Applying a workspace's own export
   * changes nothing.
   */
  applyWorkspaceConfig: ConfigPlan;
  /** Cancels one's own pending request. */
  cancelPromotionRequest: PromotionRequest;
  /** Cancels a scheduled release before it runs: whoever scheduled it, or an admin. */
  cancelScheduledRelease: ScheduledRelease;
  /**
   * Copies one environment's options onto another (admins); secrets only with
   * `includeSecrets`. Returns the target environment's options.
   */
  copyDataSourceOptions: DataSourceOptions;
  /**
   * Creates an app with no versions (builders and admins). Names follow the
   * data-source rules: unique in the workspace regardless of case, 1 to 255 characters.
   */
  createApp: App;
  /**
   * Creates a DRAFT version of an app in the lowest environment the edition offers
   * (Development; Production in Community). Names are unique per app.
   */
  createAppVersion: AppVersion;
  /**
   * Creates a workspace constant (admins) with values for some environments. Names
   * match `[A-Za-z_][A-Za-z0-9_]{0,63}`, unique regardless of case.
   */
  createConstant: WorkspaceConstant;
  /**
   * Creates a data source (admins). The options go to the named environment, or
   * Production; the other environments get the non-secret values and no secrets.
   */
  createDataSource: DataSource;
  /**
   * Adds a custom environment right after `input.after` (admins, Enterprise; at most
   * 10 environments). Every data source gets that environment's non-secret values
   * and no secrets.
   */
  createEnvironment: Environment;
  /** Deletes a constant (admins); refused while data-source options reference it. */
  deleteConstant: Scalars['ID']['output'];
  /** Deletes a data source and its options in every environment (admins); returns its id. */
  deleteDataSource: Scalars['ID']['output'];
  /**
   * Deletes a custom environment and its options (admins, Enterprise); refused while
   * it holds app versions. Users who had selected it get the lowest environment.
   */
  deleteEnvironment: Scalars['ID']['output'];
  /**
   * returns the whole pipeline in its new order
   *
   * Moves a custom environment right after `after` (admins, Enterprise); built-ins
   * are ENVIRONMENT_LOCKED and the default environment stays last.
   */
  moveEnvironment: Array<Environment>;
  /**
   * force (admins only, audited) promotes despite blockers
   *
   * Moves a version to the next environment by priority (Enterprise). Pass the
   * environment you believe the version is in: if it moved meanwhile, the answer is
   * VERSION_CONFLICT. A version in the default environment can't go further. A data
   * source the version uses that is not configured in the target is
   * ENVIRONMENT_NOT_CONFIGURED; a target that needs approvals is APPROVAL_REQUIRED
   * (see requestPromotion).
   */
  promoteAppVersion: AppVersion;
  /**
   * Makes a version the one its app runs; the version released before returns to
   * DRAFT. In Enterprise the version must be in the default environment (promote it
   * first); Community releases any version. The release, with its `note` (at most
   * 1,000 characters), joins `App.releases`. Returns the app.
   */
  releaseAppVersion: App;
  /** Renames a data source (admins). */
  renameDataSource: DataSource;
  /** Renames a custom environment (admins, Enterprise); built-ins are ENVIRONMENT_LOCKED. */
  renameEnvironment: Environment;
  /**
   * Asks admins to promote a version from `fromEnvironmentId` into the next
   * environment, which needs approvals (builders and admins who may promote into it,
   * protection notwithstanding). One pending request per version.
   */
  requestPromotion: PromotionRequest;
  /**
   * Approves or rejects a pending request (admins other than the requester, once
   * each). One rejection decides it; the approval that reaches the environment's
   * number promotes the version, with every check of promoteAppVersion.
   */
  reviewPromotionRequest: PromotionRequest;
  /**
   * re-releases the version released before the current one
   *
   * A second call goes back one more release, and so on; with nothing earlier, or a
   * version no longer in the default environment, the answer is BAD_USER_INPUT. The
   * permission and protection rules of `releaseAppVersion` apply. Returns the app.
   */
  rollbackRelease: App;
  /**
   * Schedules the release of a version (Enterprise) at `at`, in the future and at
   * most 90 days ahead; it runs within 5 seconds of that time. Whether you may
   * release is checked now (protection included), and the version must already be
   * in the default environment; at its time a version that can't be released makes
   * it FAILED, with the reason.
   */
  scheduleRelease: ScheduledRelease;
  /**
   * Remembers the environment the caller works in for an app in the builder;
   * `App.builderEnvironment` returns it from then on, for this user only.
   */
  selectEnvironment: App;
  /**
   * Declares the data sources a version's queries use, replacing what it declared
   * (builders and admins; versions above the lowest environment are read-only).
   */
  setAppVersionDataSources: AppVersion;
  /**
   * Sets a constant's value in some environments, or clears it with null (admins);
   * the other environments keep theirs.
   */
  setConstantValues: WorkspaceConstant;
  /**
   * replaces the environment's rules
   *
   * Admins, Enterprise. Each rule names exactly one of a role (not ADMIN) and a
   * group, one rule each; at most 50. Audited as ENVIRONMENT_ACCESS_CHANGED.
   */
  setEnvironmentAccess: Environment;
  /**
   * Sets how many admins must approve a promotion into an environment, 0 to 5
   * (admins, Enterprise). Audited as ENVIRONMENT_APPROVALS_CHANGED.
   */
  setEnvironmentApprovals: Environment;
  /**
   * Protects an environment or lifts its protection (admins, Enterprise): promoting
   * into a protected environment, and releasing while Production is protected, need
   * an admin.
   */
  setEnvironmentProtected: Environment;
  /**
   * Tries to connect with one environment's stored options (admins), with a timeout
   * of a few seconds. An environment missing required options is
   * ENVIRONMENT_NOT_CONFIGURED.
   */
  testDataSourceConnection: ConnectionTestResult;
  /**
   * Saves one environment's options as a patch (admins): fields left out keep their
   * values, `null` clears one. A stale `expectedRevision` is REVISION_CONFLICT.
   */
  updateDataSourceOptions: DataSourceOptions;
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationApplyWorkspaceConfigArgs = {
  config: Scalars['JSON']['input'];
  dryRun?: Scalars['Boolean']['input'];
  prune?: Scalars['Boolean']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationCancelPromotionRequestArgs = {
  id: Scalars['ID']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationCancelScheduledReleaseArgs = {
  id: Scalars['ID']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationCopyDataSourceOptionsArgs = {
  input: CopyDataSourceOptionsInput;
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationCreateAppArgs = {
  name: Scalars['String']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationCreateAppVersionArgs = {
  appId: Scalars['ID']['input'];
  name: Scalars['String']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationCreateConstantArgs = {
  name: Scalars['String']['input'];
  type: ConstantType;
  values: Array<ConstantValueInput>;
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationCreateDataSourceArgs = {
  input: CreateDataSourceInput;
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationCreateEnvironmentArgs = {
  input: CreateEnvironmentInput;
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationDeleteConstantArgs = {
  id: Scalars['ID']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationDeleteDataSourceArgs = {
  id: Scalars['ID']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationDeleteEnvironmentArgs = {
  id: Scalars['ID']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationMoveEnvironmentArgs = {
  after: Scalars['ID']['input'];
  id: Scalars['ID']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationPromoteAppVersionArgs = {
  force?: InputMaybe<Scalars['Boolean']['input']>;
  fromEnvironmentId: Scalars['ID']['input'];
  versionId: Scalars['ID']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationReleaseAppVersionArgs = {
  note?: InputMaybe<Scalars['String']['input']>;
  versionId: Scalars['ID']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationRenameDataSourceArgs = {
  id: Scalars['ID']['input'];
  name: Scalars['String']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationRenameEnvironmentArgs = {
  id: Scalars['ID']['input'];
  name: Scalars['String']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationRequestPromotionArgs = {
  fromEnvironmentId: Scalars['ID']['input'];
  note?: InputMaybe<Scalars['String']['input']>;
  versionId: Scalars['ID']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationReviewPromotionRequestArgs = {
  approve: Scalars['Boolean']['input'];
  comment?: InputMaybe<Scalars['String']['input']>;
  id: Scalars['ID']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationRollbackReleaseArgs = {
  appId: Scalars['ID']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationScheduleReleaseArgs = {
  at: Scalars['DateTime']['input'];
  note?: InputMaybe<Scalars['String']['input']>;
  versionId: Scalars['ID']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationSelectEnvironmentArgs = {
  appId: Scalars['ID']['input'];
  environmentId: Scalars['ID']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationSetAppVersionDataSourcesArgs = {
  dataSourceIds: Array<Scalars['ID']['input']>;
  versionId: Scalars['ID']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationSetConstantValuesArgs = {
  id: Scalars['ID']['input'];
  values: Array<ConstantValueInput>;
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationSetEnvironmentAccessArgs = {
  id: Scalars['ID']['input'];
  rules: Array<EnvironmentAccessRuleInput>;
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationSetEnvironmentApprovalsArgs = {
  id: Scalars['ID']['input'];
  requiredApprovals: Scalars['Int']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationSetEnvironmentProtectedArgs = {
  id: Scalars['ID']['input'];
  protected: Scalars['Boolean']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationTestDataSourceConnectionArgs = {
  dataSourceId: Scalars['ID']['input'];
  environmentId: Scalars['ID']['input'];
};


/** Every change a caller can make, confined to the workspace of their token. */
export type MutationUpdateDataSourceOptionsArgs = {
  input: UpdateDataSourceOptionsInput;
};

/** One option key whose value or set-state differs between the two environments. */
export type OptionDifference = {
  __typename: 'OptionDifference';
  /** the value in each environment; null for secrets and unset fields */
  from?: Maybe<Scalars['JSON']['output']>;
  /** Whether it is set in the `from` environment. */
  fromSet: Scalars['Boolean']['output'];
  /** The option's key. */
  key: Scalars['String']['output'];
  /** Whether the field is a secret (its values are never shown). */
  secret: Scalars['Boolean']['output'];
  /** The value in the `to` environment; null for secrets and unset fields. */
  to?: Maybe<Scalars['JSON']['output']>;
  /** Whether it is set in the `to` environment. */
  toSet: Scalars['Boolean']['output'];
};

/** The type of an option's value. */
export type OptionType =
  /** true or false. */
  | 'BOOLEAN'
  /** A JSON integer. */
  | 'INTEGER'
  /** A JSON string. */
  | 'STRING'
  /** A JSON object whose values are strings, such as HTTP headers. */
  | 'STRING_MAP';

/** Where a page sits in the whole list. */
export type PageInfo = {
  __typename: 'PageInfo';
  /** The cursor of the last item of the page. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** Whether another page follows: pass `endCursor` as `after` to get it. */
  hasNextPage: Scalars['Boolean']['output'];
  /** Whether this page started after a cursor. */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** The cursor of the first item of the page. */
  startCursor?: Maybe<Scalars['String']['output']>;
};

export type PromotionBlocker = {
  __typename: 'PromotionBlocker';
  /** The data source. */
  dataSource: DataSource;
  /** referenced constants without a value in the target, written constants.NAME or secrets.NAME */
  missingConstants: Array<Scalars['String']['output']>;
  /** required fields unset in the target environment */
  missingFields: Array<Scalars['String']['output']>;
};

export type PromotionPreview = {
  __typename: 'PromotionPreview';
  /** whether the caller could promote right now with promoteAppVersion */
  allowed: Scalars['Boolean']['output'];
  /** Each data source the version uses that is not configured in `to`, by name. */
  blockers: Array<PromotionBlocker>;
  /** The environment the version is in. */
  from: Environment;
  /** why not, one sentence each (permission, protection, approvals, blockers, last environment) */
  reasons: Array<Scalars['String']['output']>;
  /** Approvals a promotion into `to` needs (0: none). */
  requiredApprovals: Scalars['Int']['output'];
  /**
   * null when the version is already in the default environment
   *
   * (and in Community, where versions are not promoted)
   */
  to?: Maybe<Environment>;
  /** The version. */
  version: AppVersion;
};

export type PromotionRequest = {
  __typename: 'PromotionRequest';
  /** When the request was made. */
  createdAt: Scalars['DateTime']['output'];
  /** When it was approved, rejected, cancelled or went stale; null while pending. */
  decidedAt?: Maybe<Scalars['DateTime']['output']>;
  /** The environment the version was in when the request was made. */
  from: Environment;
  /** Stable id of the request. */
  id: Scalars['ID']['output'];
  /** What the requester wrote, if anything. */
  note?: Maybe<Scalars['String']['output']>;
  /** The requester's token sub. */
  requestedBy: Scalars['String']['output'];
  /** The reviews so far, oldest first. */
  reviews: Array<PromotionReview>;
  /** Where the request stands. */
  status: PromotionRequestStatus;
  /** The environment the version is to be promoted into. */
  to: Environment;
  /** The version to promote, as it is now. */
  version: AppVersion;
};

/** One page of a list, in the list's order. */
export type PromotionRequestConnection = {
  __typename: 'PromotionRequestConnection';
  /** The items with their cursors. */
  edges: Array<PromotionRequestEdge>;
  /** The items alone. */
  nodes: Array<PromotionRequest>;
  /** Where this page sits in the whole list. */
  pageInfo: PageInfo;
};

/** An item of a page with its cursor. */
export type PromotionRequestEdge = {
  __typename: 'PromotionRequestEdge';
  /** Pass as `after` to get the items that follow this one. */
  cursor: Scalars['String']['output'];
  /** The item. */
  node: PromotionRequest;
};

/** Where a promotion request stands. */
export type PromotionRequestStatus =
  /** Approved by enough admins: the version was promoted. */
  | 'APPROVED'
  /** The requester cancelled it. */
  | 'CANCELLED'
  /** Waiting for reviews. */
  | 'PENDING'
  /** An admin rejected it. */
  | 'REJECTED'
  /** The version moved by other means (promoted, released, deleted) before it was decided. */
  | 'STALE';

/** One admin's review of a promotion request. */
export type PromotionReview = {
  __typename: 'PromotionReview';
  /** The reviewer's token sub. */
  actor: Scalars['String']['output'];
  /** Whether the reviewer approved. */
  approved: Scalars['Boolean']['output'];
  /** When the review was made. */
  at: Scalars['DateTime']['output'];
  /** What the reviewer wrote, if anything. */
  comment?: Maybe<Scalars['String']['output']>;
};

/** Everything a caller can read; all of it confined to the workspace of their token. */
export type Query = {
  __typename: 'Query';
  /**
   * One app of the caller's workspace. An unknown id, or another workspace's, is
   * NOT_FOUND.
   */
  app?: Maybe<App>;
  /**
   * The workspace's apps by name, a page at a time (`first` at most 100, 20 by
   * default). Versions and environments of a whole page are loaded at once.
   */
  apps: AppConnection;
  /**
   * newest first; admins only
   *
   * The workspace's audit log a page at a time (`first` at most 100, 20 by
   * default): every change, connection test and decrypted read, never a secret
   * value. Every filter given must match; an object id that is not the workspace's
   * matches nothing.
   */
  auditEvents: AuditEventConnection;
  /** The constant with exactly this name, or null when the workspace has none. */
  constant?: Maybe<WorkspaceConstant>;
  /**
   * The workspace's constants by name, with their values in every environment the
   * edition offers (SECRET values only say whether they are set).
   */
  constants: Array<WorkspaceConstant>;
  /**
   * One data source of the caller's workspace. An unknown id, or another workspace's,
   * is NOT_FOUND.
   */
  dataSource?: Maybe<DataSource>;
  /** Every kind of data source the server knows, with its option fields. */
  dataSourceKinds: Array<DataSourceKind>;
  /**
   * The workspace's data sources by name, a page at a time (`first` at most 100,
   * 20 by default), optionally of one `kind` or whose name contains `search`.
   */
  dataSources: DataSourceConnection;
  /** The running edition and the state of its license, as of this request. */
  edition: Edition;
  /**
   * One environment of the caller's workspace. An unknown id, or another workspace's,
   * is NOT_FOUND; one the edition does not offer is LICENSE_REQUIRED.
   */
  environment?: Maybe<Environment>;
  /**
   * what differs between two environments' configuration
   *
   * Per data source, the option keys whose values (non-secrets) or set-state
   * (secrets) differ, and for admins whether two set secrets differ (compared in
   * memory, never returned); per constant, set-state and GLOBAL values. Needs
   * READ_OPTIONS in both environments; not for the runner role.
   */
  environmentDiff: EnvironmentDiff;
  /**
   * The environments the edition offers, by priority: Development, Staging and
   * Production with an Enterprise license, Production alone in Community.
   */
  environments: Array<Environment>;
  /**
   * What promoting a version now would meet: the next environment, each data
   * source the version uses that is not configured there, the approvals it needs,
   * and whether the caller may promote it with promoteAppVersion (and why not).
   */
  promotionPreview: PromotionPreview;
  /**
   * newest first
   *
   * The workspace's promotion requests a page at a time (`first` at most 100, 20 by
   * default), of one status and of one app when given.
   */
  promotionRequests: PromotionRequestConnection;
  /**
   * The options the query runner uses for a data source of an app (the RUNNER role
   * only), secrets decrypted: RELEASED runs on the default environment, BUILDER on
   * the environment `userId` last selected for the app (the lowest one if none).
   * An environment missing required options is ENVIRONMENT_NOT_CONFIGURED, never
   * another environment's options. Every call is written to the audit log.
   */
  resolveDataSource: ResolvedDataSource;
  /** The caller, as their token describes them. */
  viewer: Viewer;
  /**
   * the workspace's configuration as a document (no secret values); admins only
   *
   * `{"version": 1, "environments": [...], "dataSources": [...], "constants": [...]}`
   * in a stable order (two exports of an unchanged workspace are byte-identical);
   * a set secret reads `{"secret": "SET"}`. Its JSON Schema is
   * `workspace-config.schema.json`; `applyWorkspaceConfig` takes it back.
   */
  workspaceConfig: Scalars['JSON']['output'];
};


/** Everything a caller can read; all of it confined to the workspace of their token. */
export type QueryAppArgs = {
  id: Scalars['ID']['input'];
};


/** Everything a caller can read; all of it confined to the workspace of their token. */
export type QueryAppsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** Everything a caller can read; all of it confined to the workspace of their token. */
export type QueryAuditEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<AuditFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** Everything a caller can read; all of it confined to the workspace of their token. */
export type QueryConstantArgs = {
  name: Scalars['String']['input'];
};


/** Everything a caller can read; all of it confined to the workspace of their token. */
export type QueryDataSourceArgs = {
  id: Scalars['ID']['input'];
};


/** Everything a caller can read; all of it confined to the workspace of their token. */
export type QueryDataSourcesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  kind?: InputMaybe<Scalars['String']['input']>;
  search?: InputMaybe<Scalars['String']['input']>;
};


/** Everything a caller can read; all of it confined to the workspace of their token. */
export type QueryEnvironmentArgs = {
  id: Scalars['ID']['input'];
};


/** Everything a caller can read; all of it confined to the workspace of their token. */
export type QueryEnvironmentDiffArgs = {
  fromEnvironmentId: Scalars['ID']['input'];
  toEnvironmentId: Scalars['ID']['input'];
};


/** Everything a caller can read; all of it confined to the workspace of their token. */
export type QueryPromotionPreviewArgs = {
  versionId: Scalars['ID']['input'];
};


/** Everything a caller can read; all of it confined to the workspace of their token. */
export type QueryPromotionRequestsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  appId?: InputMaybe<Scalars['ID']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<PromotionRequestStatus>;
};


/** Everything a caller can read; all of it confined to the workspace of their token. */
export type QueryResolveDataSourceArgs = {
  input: ResolveDataSourceInput;
};

/** One release of an app: a version made the one its app runs, by whom, when and how. */
export type Release = {
  __typename: 'Release';
  /** When it was released. */
  at: Scalars['DateTime']['output'];
  /** Stable id of the release. */
  id: Scalars['ID']['output'];
  /** The note given with `releaseAppVersion` or `scheduleRelease`. */
  note?: Maybe<Scalars['String']['output']>;
  /**
   * The token `sub` that released it (for a scheduled release: who scheduled it;
   * `unknown` for a release older than the history that the audit log did not hold).
   */
  releasedBy: Scalars['String']['output'];
  /** true when this release was a rollbackRelease */
  rollback: Scalars['Boolean']['output'];
  /** true when a scheduled release made it */
  scheduled: Scalars['Boolean']['output'];
  /** The version released. */
  version: AppVersion;
};

/** One page of a list, in the list's order. */
export type ReleaseConnection = {
  __typename: 'ReleaseConnection';
  /** The items with their cursors. */
  edges: Array<ReleaseEdge>;
  /** The items alone. */
  nodes: Array<Release>;
  /** Where this page sits in the whole list. */
  pageInfo: PageInfo;
};

/** An item of a page with its cursor. */
export type ReleaseEdge = {
  __typename: 'ReleaseEdge';
  /** Pass as `after` to get the items that follow this one. */
  cursor: Scalars['String']['output'];
  /** The item. */
  node: Release;
};

/** What the query runner needs resolved. */
export type ResolveDataSourceInput = {
  /** The app that runs. */
  appId: Scalars['ID']['input'];
  /** The data source the app queries. */
  dataSourceId: Scalars['ID']['input'];
  /** The released app, or the builder. */
  target: RunTarget;
  /** whose builder selection to use, with target BUILDER */
  userId?: InputMaybe<Scalars['ID']['input']>;
};

/**
 * A data source resolved for an app run: the environment it runs against and that
 * environment's options.
 */
export type ResolvedDataSource = {
  __typename: 'ResolvedDataSource';
  /** The data source. */
  dataSource: DataSource;
  /** The environment whose options these are. */
  environment: Environment;
  /**
   * decrypted options, secrets included: only for the RUNNER role
   *
   * A JSON object keyed by option key, values typed (`{"host": "db", "port": 5432,
   * "password": "..."}`); unset optional fields are left out.
   */
  options: Scalars['JSON']['output'];
};

/** What a caller may do, from their token. */
export type Role =
  /** Everything, including data-source credentials. */
  | 'ADMIN'
  /** Builds apps, switches environments and promotes; reads settings without secrets. */
  | 'BUILDER'
  /** The query runner's service account: the only role that reads decrypted credentials. */
  | 'RUNNER'
  /** An end user: runs released apps and reads environments. */
  | 'VIEWER';

/** Where an app runs, for `resolveDataSource`. */
export type RunTarget =
  /** In the builder: the environment the given user last selected for the app. */
  | 'BUILDER'
  /** The released app: always the default environment (Production). */
  | 'RELEASED';

/** A release set to happen at a given time (Enterprise). */
export type ScheduledRelease = {
  __typename: 'ScheduledRelease';
  /** When it runs (within 5 seconds). */
  at: Scalars['DateTime']['output'];
  /** why it failed, when it did */
  failure?: Maybe<Scalars['String']['output']>;
  /** Stable id of the scheduled release. */
  id: Scalars['ID']['output'];
  /** The note the release will carry. */
  note?: Maybe<Scalars['String']['output']>;
  /** The token `sub` that scheduled it: the release is made with their authority. */
  scheduledBy: Scalars['String']['output'];
  /** SCHEDULED until it runs; then DONE or FAILED; CANCELLED if cancelled before. */
  status: ScheduledReleaseStatus;
  /** The version it releases. */
  version: AppVersion;
};

/** Where a scheduled release stands. */
export type ScheduledReleaseStatus =
  /** Cancelled before it ran. */
  | 'CANCELLED'
  /** It ran: the version was released (or was the released one already). */
  | 'DONE'
  /** It could not release the version at its time; `failure` says why. */
  | 'FAILED'
  /** Waiting for its time. */
  | 'SCHEDULED';

/** Changes as they commit, made through any envgate process sharing the database. */
export type Subscription = {
  __typename: 'Subscription';
  /** ids of data sources deleted in the caller's workspace */
  dataSourceDeleted: Scalars['ID']['output'];
  /** changes to any data source's options in the caller's workspace, or to one data source */
  dataSourceOptionsChanged: DataSourceOptions;
  /** promotion requests created, reviewed, decided or gone stale in the caller's workspace */
  promotionRequestChanged: PromotionRequest;
};


/** Changes as they commit, made through any envgate process sharing the database. */
export type SubscriptionDataSourceOptionsChangedArgs = {
  dataSourceId?: InputMaybe<Scalars['ID']['input']>;
};

/** A patch of one environment's options. */
export type UpdateDataSourceOptionsInput = {
  /** The data source to change. */
  dataSourceId: Scalars['ID']['input'];
  /** The environment to change; no other environment is touched. */
  environmentId: Scalars['ID']['input'];
  /**
   * The revision the caller last read; a stale one is refused with REVISION_CONFLICT,
   * whose `extensions.currentRevision` gives the revision now stored.
   */
  expectedRevision?: InputMaybe<Scalars['Int']['input']>;
  /** The fields to change: fields left out keep their values, `null` clears. */
  options: Array<DataSourceOptionInput>;
};

/** Whether a version is the one its app runs. */
export type VersionStatus =
  /** Being built or tested; not what end users run. */
  | 'DRAFT'
  /** The version end users run; at most one per app. */
  | 'RELEASED';

/** The caller, as their token describes them. */
export type Viewer = {
  __typename: 'Viewer';
  /**
   * the token's groups (its groups claim, or the claim configured for it)
   *
   * Environments' access rules may grant permissions to a group.
   */
  groups: Array<Scalars['String']['output']>;
  /** The caller's role. */
  role: Role;
  /** The token's subject. */
  userId: Scalars['ID']['output'];
  /** The workspace every query and mutation of this caller is confined to. */
  workspaceId: Scalars['ID']['output'];
};

/** A named value with one value per environment, referenced from data-source options. */
export type WorkspaceConstant = {
  __typename: 'WorkspaceConstant';
  /** When the constant was created. */
  createdAt: Scalars['DateTime']['output'];
  /** Stable id of the constant. */
  id: Scalars['ID']['output'];
  /** referenced in option values as {{constants.NAME}} (GLOBAL) or {{secrets.NAME}} (SECRET) */
  name: Scalars['String']['output'];
  /** GLOBAL (plain, readable by every role) or SECRET (never returned). */
  type: ConstantType;
  /** When the constant or one of its values last changed. */
  updatedAt: Scalars['DateTime']['output'];
  /**
   * one entry per environment the edition offers, by priority
   *
   * Environments whose access rules don't let the caller read options are left out.
   */
  values: Array<ConstantValue>;
};

export type ConsoleHeaderQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleHeaderQuery = { __typename: 'Query', viewer: { __typename: 'Viewer', userId: string, workspaceId: string, role: Role }, edition: { __typename: 'Edition', name: EditionName, licenseStatus: LicenseStatus } };

export type OptionsFieldsFragment = { __typename: 'DataSourceOptions', id: string, dataSourceId: string, configured: boolean, revision: number, updatedAt?: string | null, updatedBy?: string | null, environment: { __typename: 'Environment', id: string, name: string }, values: Array<{ __typename: 'DataSourceOption', key: string, value?: unknown | null, secret: boolean, isSet: boolean }> };

export type DataSourceScreenQueryVariables = Exact<{ [key: string]: never; }>;


export type DataSourceScreenQuery = { __typename: 'Query', environments: Array<{ __typename: 'Environment', id: string, name: string, priority: number, isDefault: boolean }>, dataSourceKinds: Array<{ __typename: 'DataSourceKind', kind: string, displayName: string, fields: Array<{ __typename: 'DataSourceField', key: string, label: string, type: OptionType, required: boolean, secret: boolean, defaultValue?: unknown | null, allowedValues?: Array<string> | null }> }>, dataSources: { __typename: 'DataSourceConnection', nodes: Array<{ __typename: 'DataSource', id: string, name: string, kind: string }> } };

export type DataSourceOptionsQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type DataSourceOptionsQuery = { __typename: 'Query', dataSource?: { __typename: 'DataSource', id: string, name: string, kind: string, environments: Array<{ __typename: 'DataSourceOptions', id: string, dataSourceId: string, configured: boolean, revision: number, updatedAt?: string | null, updatedBy?: string | null, environment: { __typename: 'Environment', id: string, name: string }, values: Array<{ __typename: 'DataSourceOption', key: string, value?: unknown | null, secret: boolean, isSet: boolean }> }> } | null };

export type UpdateDataSourceOptionsMutationVariables = Exact<{
  input: UpdateDataSourceOptionsInput;
}>;


export type UpdateDataSourceOptionsMutation = { __typename: 'Mutation', updateDataSourceOptions: { __typename: 'DataSourceOptions', id: string, dataSourceId: string, configured: boolean, revision: number, updatedAt?: string | null, updatedBy?: string | null, environment: { __typename: 'Environment', id: string, name: string }, values: Array<{ __typename: 'DataSourceOption', key: string, value?: unknown | null, secret: boolean, isSet: boolean }> } };

export type CopyDataSourceOptionsMutationVariables = Exact<{
  input: CopyDataSourceOptionsInput;
}>;


export type CopyDataSourceOptionsMutation = { __typename: 'Mutation', copyDataSourceOptions: { __typename: 'DataSourceOptions', id: string, dataSourceId: string, configured: boolean, revision: number, updatedAt?: string | null, updatedBy?: string | null, environment: { __typename: 'Environment', id: string, name: string }, values: Array<{ __typename: 'DataSourceOption', key: string, value?: unknown | null, secret: boolean, isSet: boolean }> } };

export type TestDataSourceConnectionMutationVariables = Exact<{
  dataSourceId: Scalars['ID']['input'];
  environmentId: Scalars['ID']['input'];
}>;


export type TestDataSourceConnectionMutation = { __typename: 'Mutation', testDataSourceConnection: { __typename: 'ConnectionTestResult', ok: boolean, supported: boolean, message: string, latencyMs?: number | null } };

export type BuilderAppsQueryVariables = Exact<{ [key: string]: never; }>;


export type BuilderAppsQuery = { __typename: 'Query', environments: Array<{ __typename: 'Environment', id: string, name: string, priority: number, isDefault: boolean }>, apps: { __typename: 'AppConnection', nodes: Array<{ __typename: 'App', id: string, name: string }> } };

export type BuilderAppQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type BuilderAppQuery = { __typename: 'Query', app?: { __typename: 'App', id: string, name: string, builderEnvironment: { __typename: 'Environment', id: string, name: string }, releasedEnvironment: { __typename: 'Environment', id: string, name: string }, releasedVersion?: { __typename: 'AppVersion', id: string, name: string } | null, versions: Array<{ __typename: 'AppVersion', id: string, name: string, status: VersionStatus, environment: { __typename: 'Environment', id: string, name: string } }> } | null };

export type SelectEnvironmentMutationVariables = Exact<{
  appId: Scalars['ID']['input'];
  environmentId: Scalars['ID']['input'];
}>;


export type SelectEnvironmentMutation = { __typename: 'Mutation', selectEnvironment: { __typename: 'App', id: string, builderEnvironment: { __typename: 'Environment', id: string, name: string } } };

export type VersionFieldsFragment = { __typename: 'AppVersion', id: string, appId: string, name: string, status: VersionStatus, updatedAt: string, environment: { __typename: 'Environment', id: string, name: string } };

export type PromotionRequestFieldsFragment = { __typename: 'PromotionRequest', id: string, status: PromotionRequestStatus, note?: string | null, requestedBy: string, createdAt: string, decidedAt?: string | null, from: { __typename: 'Environment', id: string, name: string }, to: { __typename: 'Environment', id: string, name: string, requiredApprovals: number }, version: { __typename: 'AppVersion', id: string, appId: string, name: string, status: VersionStatus, updatedAt: string, environment: { __typename: 'Environment', id: string, name: string } }, reviews: Array<{ __typename: 'PromotionReview', actor: string, approved: boolean, comment?: string | null, at: string }> };

export type PromoteScreenQueryVariables = Exact<{ [key: string]: never; }>;


export type PromoteScreenQuery = { __typename: 'Query', environments: Array<{ __typename: 'Environment', id: string, name: string, priority: number, isDefault: boolean, protected: boolean, requiredApprovals: number }>, dataSourceKinds: Array<{ __typename: 'DataSourceKind', kind: string, fields: Array<{ __typename: 'DataSourceField', key: string, label: string }> }>, apps: { __typename: 'AppConnection', nodes: Array<{ __typename: 'App', id: string, name: string, versions: Array<{ __typename: 'AppVersion', id: string, appId: string, name: string, status: VersionStatus, updatedAt: string, environment: { __typename: 'Environment', id: string, name: string } }> }> } };

export type PromotionPreviewQueryVariables = Exact<{
  versionId: Scalars['ID']['input'];
}>;


export type PromotionPreviewQuery = { __typename: 'Query', promotionPreview: { __typename: 'PromotionPreview', requiredApprovals: number, allowed: boolean, reasons: Array<string>, version: { __typename: 'AppVersion', id: string, appId: string, name: string, status: VersionStatus, updatedAt: string, dataSources: Array<{ __typename: 'DataSource', id: string, name: string }>, environment: { __typename: 'Environment', id: string, name: string } }, from: { __typename: 'Environment', id: string, name: string }, to?: { __typename: 'Environment', id: string, name: string, protected: boolean } | null, blockers: Array<{ __typename: 'PromotionBlocker', missingFields: Array<string>, missingConstants: Array<string>, dataSource: { __typename: 'DataSource', id: string, name: string, kind: string } }> } };

export type PromoteAppVersionMutationVariables = Exact<{
  versionId: Scalars['ID']['input'];
  fromEnvironmentId: Scalars['ID']['input'];
}>;


export type PromoteAppVersionMutation = { __typename: 'Mutation', promoteAppVersion: { __typename: 'AppVersion', id: string, appId: string, name: string, status: VersionStatus, updatedAt: string, environment: { __typename: 'Environment', id: string, name: string } } };

export type RequestPromotionMutationVariables = Exact<{
  versionId: Scalars['ID']['input'];
  fromEnvironmentId: Scalars['ID']['input'];
  note?: InputMaybe<Scalars['String']['input']>;
}>;


export type RequestPromotionMutation = { __typename: 'Mutation', requestPromotion: { __typename: 'PromotionRequest', id: string, status: PromotionRequestStatus, note?: string | null, requestedBy: string, createdAt: string, decidedAt?: string | null, from: { __typename: 'Environment', id: string, name: string }, to: { __typename: 'Environment', id: string, name: string, requiredApprovals: number }, version: { __typename: 'AppVersion', id: string, appId: string, name: string, status: VersionStatus, updatedAt: string, environment: { __typename: 'Environment', id: string, name: string } }, reviews: Array<{ __typename: 'PromotionReview', actor: string, approved: boolean, comment?: string | null, at: string }> } };

export type PromotionRequestsQueryVariables = Exact<{
  status?: InputMaybe<PromotionRequestStatus>;
  appId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type PromotionRequestsQuery = { __typename: 'Query', apps: { __typename: 'AppConnection', nodes: Array<{ __typename: 'App', id: string, name: string }> }, promotionRequests: { __typename: 'PromotionRequestConnection', nodes: Array<{ __typename: 'PromotionRequest', id: string, status: PromotionRequestStatus, note?: string | null, requestedBy: string, createdAt: string, decidedAt?: string | null, from: { __typename: 'Environment', id: string, name: string }, to: { __typename: 'Environment', id: string, name: string, requiredApprovals: number }, version: { __typename: 'AppVersion', id: string, appId: string, name: string, status: VersionStatus, updatedAt: string, environment: { __typename: 'Environment', id: string, name: string } }, reviews: Array<{ __typename: 'PromotionReview', actor: string, approved: boolean, comment?: string | null, at: string }> }> } };

export type ReviewPromotionRequestMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  approve: Scalars['Boolean']['input'];
  comment?: InputMaybe<Scalars['String']['input']>;
}>;


export type ReviewPromotionRequestMutation = { __typename: 'Mutation', reviewPromotionRequest: { __typename: 'PromotionRequest', id: string, status: PromotionRequestStatus, note?: string | null, requestedBy: string, createdAt: string, decidedAt?: string | null, from: { __typename: 'Environment', id: string, name: string }, to: { __typename: 'Environment', id: string, name: string, requiredApprovals: number }, version: { __typename: 'AppVersion', id: string, appId: string, name: string, status: VersionStatus, updatedAt: string, environment: { __typename: 'Environment', id: string, name: string } }, reviews: Array<{ __typename: 'PromotionReview', actor: string, approved: boolean, comment?: string | null, at: string }> } };

export type CancelPromotionRequestMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type CancelPromotionRequestMutation = { __typename: 'Mutation', cancelPromotionRequest: { __typename: 'PromotionRequest', id: string, status: PromotionRequestStatus, note?: string | null, requestedBy: string, createdAt: string, decidedAt?: string | null, from: { __typename: 'Environment', id: string, name: string }, to: { __typename: 'Environment', id: string, name: string, requiredApprovals: number }, version: { __typename: 'AppVersion', id: string, appId: string, name: string, status: VersionStatus, updatedAt: string, environment: { __typename: 'Environment', id: string, name: string } }, reviews: Array<{ __typename: 'PromotionReview', actor: string, approved: boolean, comment?: string | null, at: string }> } };

export type PromotionRequestChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type PromotionRequestChangedSubscription = { __typename: 'Subscription', promotionRequestChanged: { __typename: 'PromotionRequest', id: string, status: PromotionRequestStatus, note?: string | null, requestedBy: string, createdAt: string, decidedAt?: string | null, from: { __typename: 'Environment', id: string, name: string }, to: { __typename: 'Environment', id: string, name: string, requiredApprovals: number }, version: { __typename: 'AppVersion', id: string, appId: string, name: string, status: VersionStatus, updatedAt: string, environment: { __typename: 'Environment', id: string, name: string } }, reviews: Array<{ __typename: 'PromotionReview', actor: string, approved: boolean, comment?: string | null, at: string }> } };

export type ReleaseFieldsFragment = { __typename: 'Release', id: string, at: string, releasedBy: string, note?: string | null, rollback: boolean, scheduled: boolean, version: { __typename: 'AppVersion', id: string, name: string } };

export type ScheduledReleaseFieldsFragment = { __typename: 'ScheduledRelease', id: string, at: string, scheduledBy: string, note?: string | null, status: ScheduledReleaseStatus, failure?: string | null, version: { __typename: 'AppVersion', id: string, name: string } };

export type ReleasesAppFragment = { __typename: 'App', id: string, name: string, releasedEnvironment: { __typename: 'Environment', id: string, name: string }, releasedVersion?: { __typename: 'AppVersion', id: string, appId: string, name: string, status: VersionStatus, updatedAt: string, environment: { __typename: 'Environment', id: string, name: string } } | null, versions: Array<{ __typename: 'AppVersion', id: string, appId: string, name: string, status: VersionStatus, updatedAt: string, environment: { __typename: 'Environment', id: string, name: string } }>, releases: { __typename: 'ReleaseConnection', nodes: Array<{ __typename: 'Release', id: string, at: string, releasedBy: string, note?: string | null, rollback: boolean, scheduled: boolean, version: { __typename: 'AppVersion', id: string, name: string } }> }, scheduledReleases: Array<{ __typename: 'ScheduledRelease', id: string, at: string, scheduledBy: string, note?: string | null, status: ScheduledReleaseStatus, failure?: string | null, version: { __typename: 'AppVersion', id: string, name: string } }> };

export type ReleasesAppsQueryVariables = Exact<{ [key: string]: never; }>;


export type ReleasesAppsQuery = { __typename: 'Query', apps: { __typename: 'AppConnection', nodes: Array<{ __typename: 'App', id: string, name: string }> } };

export type ReleasesScreenQueryVariables = Exact<{
  appId: Scalars['ID']['input'];
}>;


export type ReleasesScreenQuery = { __typename: 'Query', app?: { __typename: 'App', id: string, name: string, releasedEnvironment: { __typename: 'Environment', id: string, name: string }, releasedVersion?: { __typename: 'AppVersion', id: string, appId: string, name: string, status: VersionStatus, updatedAt: string, environment: { __typename: 'Environment', id: string, name: string } } | null, versions: Array<{ __typename: 'AppVersion', id: string, appId: string, name: string, status: VersionStatus, updatedAt: string, environment: { __typename: 'Environment', id: string, name: string } }>, releases: { __typename: 'ReleaseConnection', nodes: Array<{ __typename: 'Release', id: string, at: string, releasedBy: string, note?: string | null, rollback: boolean, scheduled: boolean, version: { __typename: 'AppVersion', id: string, name: string } }> }, scheduledReleases: Array<{ __typename: 'ScheduledRelease', id: string, at: string, scheduledBy: string, note?: string | null, status: ScheduledReleaseStatus, failure?: string | null, version: { __typename: 'AppVersion', id: string, name: string } }> } | null };

export type ReleaseAppVersionMutationVariables = Exact<{
  versionId: Scalars['ID']['input'];
  note?: InputMaybe<Scalars['String']['input']>;
}>;


export type ReleaseAppVersionMutation = { __typename: 'Mutation', releaseAppVersion: { __typename: 'App', id: string, name: string, releasedEnvironment: { __typename: 'Environment', id: string, name: string }, releasedVersion?: { __typename: 'AppVersion', id: string, appId: string, name: string, status: VersionStatus, updatedAt: string, environment: { __typename: 'Environment', id: string, name: string } } | null, versions: Array<{ __typename: 'AppVersion', id: string, appId: string, name: string, status: VersionStatus, updatedAt: string, environment: { __typename: 'Environment', id: string, name: string } }>, releases: { __typename: 'ReleaseConnection', nodes: Array<{ __typename: 'Release', id: string, at: string, releasedBy: string, note?: string | null, rollback: boolean, scheduled: boolean, version: { __typename: 'AppVersion', id: string, name: string } }> }, scheduledReleases: Array<{ __typename: 'ScheduledRelease', id: string, at: string, scheduledBy: string, note?: string | null, status: ScheduledReleaseStatus, failure?: string | null, version: { __typename: 'AppVersion', id: string, name: string } }> } };

export type RollbackReleaseMutationVariables = Exact<{
  appId: Scalars['ID']['input'];
}>;


export type RollbackReleaseMutation = { __typename: 'Mutation', rollbackRelease: { __typename: 'App', id: string, name: string, releasedEnvironment: { __typename: 'Environment', id: string, name: string }, releasedVersion?: { __typename: 'AppVersion', id: string, appId: string, name: string, status: VersionStatus, updatedAt: string, environment: { __typename: 'Environment', id: string, name: string } } | null, versions: Array<{ __typename: 'AppVersion', id: string, appId: string, name: string, status: VersionStatus, updatedAt: string, environment: { __typename: 'Environment', id: string, name: string } }>, releases: { __typename: 'ReleaseConnection', nodes: Array<{ __typename: 'Release', id: string, at: string, releasedBy: string, note?: string | null, rollback: boolean, scheduled: boolean, version: { __typename: 'AppVersion', id: string, name: string } }> }, scheduledReleases: Array<{ __typename: 'ScheduledRelease', id: string, at: string, scheduledBy: string, note?: string | null, status: ScheduledReleaseStatus, failure?: string | null, version: { __typename: 'AppVersion', id: string, name: string } }> } };

export type ScheduleReleaseMutationVariables = Exact<{
  versionId: Scalars['ID']['input'];
  at: Scalars['DateTime']['input'];
  note?: InputMaybe<Scalars['String']['input']>;
}>;


export type ScheduleReleaseMutation = { __typename: 'Mutation', scheduleRelease: { __typename: 'ScheduledRelease', id: string, at: string, scheduledBy: string, note?: string | null, status: ScheduledReleaseStatus, failure?: string | null, version: { __typename: 'AppVersion', id: string, name: string } } };

export type CancelScheduledReleaseMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type CancelScheduledReleaseMutation = { __typename: 'Mutation', cancelScheduledRelease: { __typename: 'ScheduledRelease', id: string, at: string, scheduledBy: string, note?: string | null, status: ScheduledReleaseStatus, failure?: string | null, version: { __typename: 'AppVersion', id: string, name: string } } };

export type DiffEnvironmentsQueryVariables = Exact<{ [key: string]: never; }>;


export type DiffEnvironmentsQuery = { __typename: 'Query', environments: Array<{ __typename: 'Environment', id: string, name: string, priority: number, isDefault: boolean }>, dataSourceKinds: Array<{ __typename: 'DataSourceKind', kind: string, fields: Array<{ __typename: 'DataSourceField', key: string, label: string }> }> };

export type EnvironmentDiffQueryVariables = Exact<{
  fromId: Scalars['ID']['input'];
  toId: Scalars['ID']['input'];
}>;


export type EnvironmentDiffQuery = { __typename: 'Query', environmentDiff: { __typename: 'EnvironmentDiff', from: { __typename: 'Environment', id: string, name: string }, to: { __typename: 'Environment', id: string, name: string }, dataSources: Array<{ __typename: 'DataSourceDifference', fromConfigured: boolean, toConfigured: boolean, dataSource: { __typename: 'DataSource', id: string, name: string, kind: string }, options: Array<{ __typename: 'OptionDifference', key: string, secret: boolean, from?: unknown | null, to?: unknown | null, fromSet: boolean, toSet: boolean }> }>, constants: Array<{ __typename: 'ConstantDifference', fromSet: boolean, toSet: boolean, from?: string | null, to?: string | null, constant: { __typename: 'WorkspaceConstant', id: string, name: string, type: ConstantType } }> } };

export const OptionsFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OptionsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DataSourceOptions"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"dataSourceId"}},{"kind":"Field","name":{"kind":"Name","value":"configured"}},{"kind":"Field","name":{"kind":"Name","value":"revision"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedBy"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"values"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"isSet"}}]}}]}}]} as unknown as DocumentNode<OptionsFieldsFragment, unknown>;
export const VersionFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"VersionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AppVersion"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<VersionFieldsFragment, unknown>;
export const PromotionRequestFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PromotionRequestFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PromotionRequest"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"requestedBy"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"decidedAt"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"requiredApprovals"}}]}},{"kind":"Field","name":{"kind":"Name","value":"version"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"VersionFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"reviews"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"approved"}},{"kind":"Field","name":{"kind":"Name","value":"comment"}},{"kind":"Field","name":{"kind":"Name","value":"at"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"VersionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AppVersion"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<PromotionRequestFieldsFragment, unknown>;
export const ReleaseFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReleaseFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Release"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"releasedBy"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"rollback"}},{"kind":"Field","name":{"kind":"Name","value":"scheduled"}},{"kind":"Field","name":{"kind":"Name","value":"version"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<ReleaseFieldsFragment, unknown>;
export const ScheduledReleaseFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ScheduledReleaseFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ScheduledRelease"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"scheduledBy"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"failure"}},{"kind":"Field","name":{"kind":"Name","value":"version"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<ScheduledReleaseFieldsFragment, unknown>;
export const ReleasesAppFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReleasesApp"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"App"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"releasedEnvironment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"releasedVersion"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"VersionFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"versions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"VersionFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"releases"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReleaseFields"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"scheduledReleases"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ScheduledReleaseFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"VersionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AppVersion"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReleaseFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Release"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"releasedBy"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"rollback"}},{"kind":"Field","name":{"kind":"Name","value":"scheduled"}},{"kind":"Field","name":{"kind":"Name","value":"version"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ScheduledReleaseFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ScheduledRelease"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"scheduledBy"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"failure"}},{"kind":"Field","name":{"kind":"Name","value":"version"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<ReleasesAppFragment, unknown>;
export const ConsoleHeaderDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleHeader"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userId"}},{"kind":"Field","name":{"kind":"Name","value":"workspaceId"}},{"kind":"Field","name":{"kind":"Name","value":"role"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edition"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"licenseStatus"}}]}}]}}]} as unknown as DocumentNode<ConsoleHeaderQuery, ConsoleHeaderQueryVariables>;
export const DataSourceScreenDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DataSourceScreen"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"environments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"isDefault"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dataSourceKinds"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"fields"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"label"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"required"}},{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"defaultValue"}},{"kind":"Field","name":{"kind":"Name","value":"allowedValues"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"dataSources"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}}]}}]}}]} as unknown as DocumentNode<DataSourceScreenQuery, DataSourceScreenQueryVariables>;
export const DataSourceOptionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DataSourceOptions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dataSource"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"environments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OptionsFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OptionsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DataSourceOptions"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"dataSourceId"}},{"kind":"Field","name":{"kind":"Name","value":"configured"}},{"kind":"Field","name":{"kind":"Name","value":"revision"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedBy"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"values"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"isSet"}}]}}]}}]} as unknown as DocumentNode<DataSourceOptionsQuery, DataSourceOptionsQueryVariables>;
export const UpdateDataSourceOptionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateDataSourceOptions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateDataSourceOptionsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateDataSourceOptions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OptionsFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OptionsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DataSourceOptions"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"dataSourceId"}},{"kind":"Field","name":{"kind":"Name","value":"configured"}},{"kind":"Field","name":{"kind":"Name","value":"revision"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedBy"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"values"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"isSet"}}]}}]}}]} as unknown as DocumentNode<UpdateDataSourceOptionsMutation, UpdateDataSourceOptionsMutationVariables>;
export const CopyDataSourceOptionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CopyDataSourceOptions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CopyDataSourceOptionsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"copyDataSourceOptions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OptionsFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OptionsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"DataSourceOptions"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"dataSourceId"}},{"kind":"Field","name":{"kind":"Name","value":"configured"}},{"kind":"Field","name":{"kind":"Name","value":"revision"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedBy"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"values"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"isSet"}}]}}]}}]} as unknown as DocumentNode<CopyDataSourceOptionsMutation, CopyDataSourceOptionsMutationVariables>;
export const TestDataSourceConnectionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"TestDataSourceConnection"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"dataSourceId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"environmentId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"testDataSourceConnection"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"dataSourceId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"dataSourceId"}}},{"kind":"Argument","name":{"kind":"Name","value":"environmentId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"environmentId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ok"}},{"kind":"Field","name":{"kind":"Name","value":"supported"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"latencyMs"}}]}}]}}]} as unknown as DocumentNode<TestDataSourceConnectionMutation, TestDataSourceConnectionMutationVariables>;
export const BuilderAppsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"BuilderApps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"environments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"isDefault"}}]}},{"kind":"Field","name":{"kind":"Name","value":"apps"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<BuilderAppsQuery, BuilderAppsQueryVariables>;
export const BuilderAppDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"BuilderApp"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"app"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"builderEnvironment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"releasedEnvironment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"releasedVersion"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"versions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]} as unknown as DocumentNode<BuilderAppQuery, BuilderAppQueryVariables>;
export const SelectEnvironmentDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SelectEnvironment"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"appId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"environmentId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"selectEnvironment"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"appId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"appId"}}},{"kind":"Argument","name":{"kind":"Name","value":"environmentId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"environmentId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"builderEnvironment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<SelectEnvironmentMutation, SelectEnvironmentMutationVariables>;
export const PromoteScreenDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PromoteScreen"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"environments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"isDefault"}},{"kind":"Field","name":{"kind":"Name","value":"protected"}},{"kind":"Field","name":{"kind":"Name","value":"requiredApprovals"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dataSourceKinds"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"fields"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"label"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"apps"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"versions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"VersionFields"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"VersionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AppVersion"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<PromoteScreenQuery, PromoteScreenQueryVariables>;
export const PromotionPreviewDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PromotionPreview"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"versionId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promotionPreview"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"versionId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"versionId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"version"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"VersionFields"}},{"kind":"Field","name":{"kind":"Name","value":"dataSources"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"protected"}}]}},{"kind":"Field","name":{"kind":"Name","value":"blockers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dataSource"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}},{"kind":"Field","name":{"kind":"Name","value":"missingFields"}},{"kind":"Field","name":{"kind":"Name","value":"missingConstants"}}]}},{"kind":"Field","name":{"kind":"Name","value":"requiredApprovals"}},{"kind":"Field","name":{"kind":"Name","value":"allowed"}},{"kind":"Field","name":{"kind":"Name","value":"reasons"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"VersionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AppVersion"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<PromotionPreviewQuery, PromotionPreviewQueryVariables>;
export const PromoteAppVersionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PromoteAppVersion"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"versionId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"fromEnvironmentId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promoteAppVersion"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"versionId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"versionId"}}},{"kind":"Argument","name":{"kind":"Name","value":"fromEnvironmentId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"fromEnvironmentId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"VersionFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"VersionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AppVersion"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<PromoteAppVersionMutation, PromoteAppVersionMutationVariables>;
export const RequestPromotionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RequestPromotion"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"versionId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"fromEnvironmentId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"note"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requestPromotion"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"versionId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"versionId"}}},{"kind":"Argument","name":{"kind":"Name","value":"fromEnvironmentId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"fromEnvironmentId"}}},{"kind":"Argument","name":{"kind":"Name","value":"note"},"value":{"kind":"Variable","name":{"kind":"Name","value":"note"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"PromotionRequestFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"VersionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AppVersion"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PromotionRequestFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PromotionRequest"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"requestedBy"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"decidedAt"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"requiredApprovals"}}]}},{"kind":"Field","name":{"kind":"Name","value":"version"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"VersionFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"reviews"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"approved"}},{"kind":"Field","name":{"kind":"Name","value":"comment"}},{"kind":"Field","name":{"kind":"Name","value":"at"}}]}}]}}]} as unknown as DocumentNode<RequestPromotionMutation, RequestPromotionMutationVariables>;
export const PromotionRequestsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PromotionRequests"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"status"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"PromotionRequestStatus"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"appId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apps"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"promotionRequests"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"Variable","name":{"kind":"Name","value":"status"}}},{"kind":"Argument","name":{"kind":"Name","value":"appId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"appId"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"PromotionRequestFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"VersionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AppVersion"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PromotionRequestFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PromotionRequest"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"requestedBy"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"decidedAt"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"requiredApprovals"}}]}},{"kind":"Field","name":{"kind":"Name","value":"version"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"VersionFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"reviews"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"approved"}},{"kind":"Field","name":{"kind":"Name","value":"comment"}},{"kind":"Field","name":{"kind":"Name","value":"at"}}]}}]}}]} as unknown as DocumentNode<PromotionRequestsQuery, PromotionRequestsQueryVariables>;
export const ReviewPromotionRequestDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ReviewPromotionRequest"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"approve"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"comment"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reviewPromotionRequest"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"approve"},"value":{"kind":"Variable","name":{"kind":"Name","value":"approve"}}},{"kind":"Argument","name":{"kind":"Name","value":"comment"},"value":{"kind":"Variable","name":{"kind":"Name","value":"comment"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"PromotionRequestFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"VersionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AppVersion"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PromotionRequestFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PromotionRequest"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"requestedBy"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"decidedAt"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"requiredApprovals"}}]}},{"kind":"Field","name":{"kind":"Name","value":"version"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"VersionFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"reviews"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"approved"}},{"kind":"Field","name":{"kind":"Name","value":"comment"}},{"kind":"Field","name":{"kind":"Name","value":"at"}}]}}]}}]} as unknown as DocumentNode<ReviewPromotionRequestMutation, ReviewPromotionRequestMutationVariables>;
export const CancelPromotionRequestDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CancelPromotionRequest"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cancelPromotionRequest"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"PromotionRequestFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"VersionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AppVersion"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PromotionRequestFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PromotionRequest"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"requestedBy"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"decidedAt"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"requiredApprovals"}}]}},{"kind":"Field","name":{"kind":"Name","value":"version"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"VersionFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"reviews"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"approved"}},{"kind":"Field","name":{"kind":"Name","value":"comment"}},{"kind":"Field","name":{"kind":"Name","value":"at"}}]}}]}}]} as unknown as DocumentNode<CancelPromotionRequestMutation, CancelPromotionRequestMutationVariables>;
export const PromotionRequestChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"PromotionRequestChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promotionRequestChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"PromotionRequestFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"VersionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AppVersion"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PromotionRequestFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PromotionRequest"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"requestedBy"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"decidedAt"}},{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"requiredApprovals"}}]}},{"kind":"Field","name":{"kind":"Name","value":"version"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"VersionFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"reviews"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"approved"}},{"kind":"Field","name":{"kind":"Name","value":"comment"}},{"kind":"Field","name":{"kind":"Name","value":"at"}}]}}]}}]} as unknown as DocumentNode<PromotionRequestChangedSubscription, PromotionRequestChangedSubscriptionVariables>;
export const ReleasesAppsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ReleasesApps"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apps"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<ReleasesAppsQuery, ReleasesAppsQueryVariables>;
export const ReleasesScreenDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ReleasesScreen"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"appId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"app"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"appId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReleasesApp"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"VersionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AppVersion"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReleaseFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Release"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"releasedBy"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"rollback"}},{"kind":"Field","name":{"kind":"Name","value":"scheduled"}},{"kind":"Field","name":{"kind":"Name","value":"version"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ScheduledReleaseFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ScheduledRelease"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"scheduledBy"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"failure"}},{"kind":"Field","name":{"kind":"Name","value":"version"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReleasesApp"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"App"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"releasedEnvironment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"releasedVersion"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"VersionFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"versions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"VersionFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"releases"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReleaseFields"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"scheduledReleases"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ScheduledReleaseFields"}}]}}]}}]} as unknown as DocumentNode<ReleasesScreenQuery, ReleasesScreenQueryVariables>;
export const ReleaseAppVersionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ReleaseAppVersion"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"versionId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"note"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"releaseAppVersion"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"versionId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"versionId"}}},{"kind":"Argument","name":{"kind":"Name","value":"note"},"value":{"kind":"Variable","name":{"kind":"Name","value":"note"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReleasesApp"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"VersionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AppVersion"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReleaseFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Release"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"releasedBy"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"rollback"}},{"kind":"Field","name":{"kind":"Name","value":"scheduled"}},{"kind":"Field","name":{"kind":"Name","value":"version"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ScheduledReleaseFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ScheduledRelease"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"scheduledBy"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"failure"}},{"kind":"Field","name":{"kind":"Name","value":"version"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReleasesApp"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"App"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"releasedEnvironment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"releasedVersion"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"VersionFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"versions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"VersionFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"releases"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReleaseFields"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"scheduledReleases"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ScheduledReleaseFields"}}]}}]}}]} as unknown as DocumentNode<ReleaseAppVersionMutation, ReleaseAppVersionMutationVariables>;
export const RollbackReleaseDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RollbackRelease"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"appId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rollbackRelease"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"appId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"appId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReleasesApp"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"VersionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AppVersion"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"appId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"environment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReleaseFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Release"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"releasedBy"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"rollback"}},{"kind":"Field","name":{"kind":"Name","value":"scheduled"}},{"kind":"Field","name":{"kind":"Name","value":"version"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ScheduledReleaseFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ScheduledRelease"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"scheduledBy"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"failure"}},{"kind":"Field","name":{"kind":"Name","value":"version"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ReleasesApp"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"App"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"releasedEnvironment"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"releasedVersion"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"VersionFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"versions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"VersionFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"releases"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ReleaseFields"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"scheduledReleases"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ScheduledReleaseFields"}}]}}]}}]} as unknown as DocumentNode<RollbackReleaseMutation, RollbackReleaseMutationVariables>;
export const ScheduleReleaseDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ScheduleRelease"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"versionId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"at"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"note"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"scheduleRelease"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"versionId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"versionId"}}},{"kind":"Argument","name":{"kind":"Name","value":"at"},"value":{"kind":"Variable","name":{"kind":"Name","value":"at"}}},{"kind":"Argument","name":{"kind":"Name","value":"note"},"value":{"kind":"Variable","name":{"kind":"Name","value":"note"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ScheduledReleaseFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ScheduledReleaseFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ScheduledRelease"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"scheduledBy"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"failure"}},{"kind":"Field","name":{"kind":"Name","value":"version"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<ScheduleReleaseMutation, ScheduleReleaseMutationVariables>;
export const CancelScheduledReleaseDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CancelScheduledRelease"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cancelScheduledRelease"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ScheduledReleaseFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ScheduledReleaseFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ScheduledRelease"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"scheduledBy"}},{"kind":"Field","name":{"kind":"Name","value":"note"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"failure"}},{"kind":"Field","name":{"kind":"Name","value":"version"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<CancelScheduledReleaseMutation, CancelScheduledReleaseMutationVariables>;
export const DiffEnvironmentsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DiffEnvironments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"environments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"isDefault"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dataSourceKinds"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"fields"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"label"}}]}}]}}]}}]} as unknown as DocumentNode<DiffEnvironmentsQuery, DiffEnvironmentsQueryVariables>;
export const EnvironmentDiffDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"EnvironmentDiff"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"fromId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"toId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"environmentDiff"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"fromEnvironmentId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"fromId"}}},{"kind":"Argument","name":{"kind":"Name","value":"toEnvironmentId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"toId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"from"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"to"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dataSources"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dataSource"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}},{"kind":"Field","name":{"kind":"Name","value":"fromConfigured"}},{"kind":"Field","name":{"kind":"Name","value":"toConfigured"}},{"kind":"Field","name":{"kind":"Name","value":"options"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"fromSet"}},{"kind":"Field","name":{"kind":"Name","value":"toSet"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"constants"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"constant"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"type"}}]}},{"kind":"Field","name":{"kind":"Name","value":"fromSet"}},{"kind":"Field","name":{"kind":"Name","value":"toSet"}},{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}}]}}]}}]}}]} as unknown as DocumentNode<EnvironmentDiffQuery, EnvironmentDiffQueryVariables>;