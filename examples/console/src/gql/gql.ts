/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query ConsoleHeader {\n    viewer {\n      userId\n      workspaceId\n      role\n    }\n    edition {\n      name\n      licenseStatus\n    }\n  }\n": typeof types.ConsoleHeaderDocument,
    "\n  fragment OptionsFields on DataSourceOptions {\n    id\n    dataSourceId\n    configured\n    revision\n    updatedAt\n    updatedBy\n    environment {\n      id\n      name\n    }\n    values {\n      key\n      value\n      secret\n      isSet\n    }\n  }\n": typeof types.OptionsFieldsFragmentDoc,
    "\n  query DataSourceScreen {\n    environments {\n      id\n      name\n      priority\n      isDefault\n    }\n    dataSourceKinds {\n      kind\n      displayName\n      fields {\n        key\n        label\n        type\n        required\n        secret\n        defaultValue\n        allowedValues\n      }\n    }\n    dataSources(first: 100) {\n      nodes {\n        id\n        name\n        kind\n      }\n    }\n  }\n": typeof types.DataSourceScreenDocument,
    "\n  query DataSourceOptions($id: ID!) {\n    dataSource(id: $id) {\n      id\n      name\n      kind\n      environments {\n        ...OptionsFields\n      }\n    }\n  }\n": typeof types.DataSourceOptionsDocument,
    "\n  mutation UpdateDataSourceOptions($input: UpdateDataSourceOptionsInput!) {\n    updateDataSourceOptions(input: $input) {\n      ...OptionsFields\n    }\n  }\n": typeof types.UpdateDataSourceOptionsDocument,
    "\n  mutation CopyDataSourceOptions($input: CopyDataSourceOptionsInput!) {\n    copyDataSourceOptions(input: $input) {\n      ...OptionsFields\n    }\n  }\n": typeof types.CopyDataSourceOptionsDocument,
    "\n  mutation TestDataSourceConnection($dataSourceId: ID!, $environmentId: ID!) {\n    testDataSourceConnection(dataSourceId: $dataSourceId, environmentId: $environmentId) {\n      ok\n      supported\n      message\n      latencyMs\n    }\n  }\n": typeof types.TestDataSourceConnectionDocument,
    "\n  query BuilderApps {\n    environments {\n      id\n      name\n      priority\n      isDefault\n    }\n    apps(first: 100) {\n      nodes {\n        id\n        name\n      }\n    }\n  }\n": typeof types.BuilderAppsDocument,
    "\n  query BuilderApp($id: ID!) {\n    app(id: $id) {\n      id\n      name\n      builderEnvironment {\n        id\n        name\n      }\n      releasedEnvironment {\n        id\n        name\n      }\n      releasedVersion {\n        id\n        name\n      }\n      versions {\n        id\n        name\n        status\n        environment {\n          id\n          name\n        }\n      }\n    }\n  }\n": typeof types.BuilderAppDocument,
    "\n  mutation SelectEnvironment($appId: ID!, $environmentId: ID!) {\n    selectEnvironment(appId: $appId, environmentId: $environmentId) {\n      id\n      builderEnvironment {\n        id\n        name\n      }\n    }\n  }\n": typeof types.SelectEnvironmentDocument,
};
const documents: Documents = {
    "\n  query ConsoleHeader {\n    viewer {\n      userId\n      workspaceId\n      role\n    }\n    edition {\n      name\n      licenseStatus\n    }\n  }\n": types.ConsoleHeaderDocument,
    "\n  fragment OptionsFields on DataSourceOptions {\n    id\n    dataSourceId\n    configured\n    revision\n    updatedAt\n    updatedBy\n    environment {\n      id\n      name\n    }\n    values {\n      key\n      value\n      secret\n      isSet\n    }\n  }\n": types.OptionsFieldsFragmentDoc,
    "\n  query DataSourceScreen {\n    environments {\n      id\n      name\n      priority\n      isDefault\n    }\n    dataSourceKinds {\n      kind\n      displayName\n      fields {\n        key\n        label\n        type\n        required\n        secret\n        defaultValue\n        allowedValues\n      }\n    }\n    dataSources(first: 100) {\n      nodes {\n        id\n        name\n        kind\n      }\n    }\n  }\n": types.DataSourceScreenDocument,
    "\n  query DataSourceOptions($id: ID!) {\n    dataSource(id: $id) {\n      id\n      name\n      kind\n      environments {\n        ...OptionsFields\n      }\n    }\n  }\n": types.DataSourceOptionsDocument,
    "\n  mutation UpdateDataSourceOptions($input: UpdateDataSourceOptionsInput!) {\n    updateDataSourceOptions(input: $input) {\n      ...OptionsFields\n    }\n  }\n": types.UpdateDataSourceOptionsDocument,
    "\n  mutation CopyDataSourceOptions($input: CopyDataSourceOptionsInput!) {\n    copyDataSourceOptions(input: $input) {\n      ...OptionsFields\n    }\n  }\n": types.CopyDataSourceOptionsDocument,
    "\n  mutation TestDataSourceConnection($dataSourceId: ID!, $environmentId: ID!) {\n    testDataSourceConnection(dataSourceId: $dataSourceId, environmentId: $environmentId) {\n      ok\n      supported\n      message\n      latencyMs\n    }\n  }\n": types.TestDataSourceConnectionDocument,
    "\n  query BuilderApps {\n    environments {\n      id\n      name\n      priority\n      isDefault\n    }\n    apps(first: 100) {\n      nodes {\n        id\n        name\n      }\n    }\n  }\n": types.BuilderAppsDocument,
    "\n  query BuilderApp($id: ID!) {\n    app(id: $id) {\n      id\n      name\n      builderEnvironment {\n        id\n        name\n      }\n      releasedEnvironment {\n        id\n        name\n      }\n      releasedVersion {\n        id\n        name\n      }\n      versions {\n        id\n        name\n        status\n        environment {\n          id\n          name\n        }\n      }\n    }\n  }\n": types.BuilderAppDocument,
    "\n  mutation SelectEnvironment($appId: ID!, $environmentId: ID!) {\n    selectEnvironment(appId: $appId, environmentId: $environmentId) {\n      id\n      builderEnvironment {\n        id\n        name\n      }\n    }\n  }\n": types.SelectEnvironmentDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleHeader {\n    viewer {\n      userId\n      workspaceId\n      role\n    }\n    edition {\n      name\n      licenseStatus\n    }\n  }\n"): (typeof documents)["\n  query ConsoleHeader {\n    viewer {\n      userId\n      workspaceId\n      role\n    }\n    edition {\n      name\n      licenseStatus\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OptionsFields on DataSourceOptions {\n    id\n    dataSourceId\n    configured\n    revision\n    updatedAt\n    updatedBy\n    environment {\n      id\n      name\n    }\n    values {\n      key\n      value\n      secret\n      isSet\n    }\n  }\n"): (typeof documents)["\n  fragment OptionsFields on DataSourceOptions {\n    id\n    dataSourceId\n    configured\n    revision\n    updatedAt\n    updatedBy\n    environment {\n      id\n      name\n    }\n    values {\n      key\n      value\n      secret\n      isSet\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DataSourceScreen {\n    environments {\n      id\n      name\n      priority\n      isDefault\n    }\n    dataSourceKinds {\n      kind\n      displayName\n      fields {\n        key\n        label\n        type\n        required\n        secret\n        defaultValue\n        allowedValues\n      }\n    }\n    dataSources(first: 100) {\n      nodes {\n        id\n        name\n        kind\n      }\n    }\n  }\n"): (typeof documents)["\n  query DataSourceScreen {\n    environments {\n      id\n      name\n      priority\n      isDefault\n    }\n    dataSourceKinds {\n      kind\n      displayName\n      fields {\n        key\n        label\n        type\n        required\n        secret\n        defaultValue\n        allowedValues\n      }\n    }\n    dataSources(first: 100) {\n      nodes {\n        id\n        name\n        kind\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DataSourceOptions($id: ID!) {\n    dataSource(id: $id) {\n      id\n      name\n      kind\n      environments {\n        ...OptionsFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query DataSourceOptions($id: ID!) {\n    dataSource(id: $id) {\n      id\n      name\n      kind\n      environments {\n        ...OptionsFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateDataSourceOptions($input: UpdateDataSourceOptionsInput!) {\n    updateDataSourceOptions(input: $input) {\n      ...OptionsFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateDataSourceOptions($input: UpdateDataSourceOptionsInput!) {\n    updateDataSourceOptions(input: $input) {\n      ...OptionsFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CopyDataSourceOptions($input: CopyDataSourceOptionsInput!) {\n    copyDataSourceOptions(input: $input) {\n      ...OptionsFields\n    }\n  }\n"): (typeof documents)["\n  mutation CopyDataSourceOptions($input: CopyDataSourceOptionsInput!) {\n    copyDataSourceOptions(input: $input) {\n      ...OptionsFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TestDataSourceConnection($dataSourceId: ID!, $environmentId: ID!) {\n    testDataSourceConnection(dataSourceId: $dataSourceId, environmentId: $environmentId) {\n      ok\n      supported\n      message\n      latencyMs\n    }\n  }\n"): (typeof documents)["\n  mutation TestDataSourceConnection($dataSourceId: ID!, $environmentId: ID!) {\n    testDataSourceConnection(dataSourceId: $dataSourceId, environmentId: $environmentId) {\n      ok\n      supported\n      message\n      latencyMs\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BuilderApps {\n    environments {\n      id\n      name\n      priority\n      isDefault\n    }\n    apps(first: 100) {\n      nodes {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query BuilderApps {\n    environments {\n      id\n      name\n      priority\n      isDefault\n    }\n    apps(first: 100) {\n      nodes {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BuilderApp($id: ID!) {\n    app(id: $id) {\n      id\n      name\n      builderEnvironment {\n        id\n        name\n      }\n      releasedEnvironment {\n        id\n        name\n      }\n      releasedVersion {\n        id\n        name\n      }\n      versions {\n        id\n        name\n        status\n        environment {\n          id\n          name\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query BuilderApp($id: ID!) {\n    app(id: $id) {\n      id\n      name\n      builderEnvironment {\n        id\n        name\n      }\n      releasedEnvironment {\n        id\n        name\n      }\n      releasedVersion {\n        id\n        name\n      }\n      versions {\n        id\n        name\n        status\n        environment {\n          id\n          name\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SelectEnvironment($appId: ID!, $environmentId: ID!) {\n    selectEnvironment(appId: $appId, environmentId: $environmentId) {\n      id\n      builderEnvironment {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SelectEnvironment($appId: ID!, $environmentId: ID!) {\n    selectEnvironment(appId: $appId, environmentId: $environmentId) {\n      id\n      builderEnvironment {\n        id\n        name\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;