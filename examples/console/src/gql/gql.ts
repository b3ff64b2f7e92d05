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
    "\n  fragment VersionFields on AppVersion {\n    id\n    appId\n    name\n    status\n    updatedAt\n    environment {\n      id\n      name\n    }\n  }\n": typeof types.VersionFieldsFragmentDoc,
    "\n  fragment PromotionRequestFields on PromotionRequest {\n    id\n    status\n    note\n    requestedBy\n    createdAt\n    decidedAt\n    from {\n      id\n      name\n    }\n    to {\n      id\n      name\n      requiredApprovals\n    }\n    version {\n      ...VersionFields\n    }\n    reviews {\n      actor\n      approved\n      comment\n      at\n    }\n  }\n": typeof types.PromotionRequestFieldsFragmentDoc,
    "\n  query PromoteScreen {\n    environments {\n      id\n      name\n      priority\n      isDefault\n      protected\n      requiredApprovals\n    }\n    dataSourceKinds {\n      kind\n      fields {\n        key\n        label\n      }\n    }\n    apps(first: 100) {\n      nodes {\n        id\n        name\n        versions {\n          ...VersionFields\n        }\n      }\n    }\n  }\n": typeof types.PromoteScreenDocument,
    "\n  query PromotionPreview($versionId: ID!) {\n    promotionPreview(versionId: $versionId) {\n      version {\n        ...VersionFields\n        dataSources {\n          id\n          name\n        }\n      }\n      from {\n        id\n        name\n      }\n      to {\n        id\n        name\n        protected\n      }\n      blockers {\n        dataSource {\n          id\n          name\n          kind\n        }\n        missingFields\n        missingConstants\n      }\n      requiredApprovals\n      allowed\n      reasons\n    }\n  }\n": typeof types.PromotionPreviewDocument,
    "\n  mutation PromoteAppVersion($versionId: ID!, $fromEnvironmentId: ID!) {\n    promoteAppVersion(versionId: $versionId, fromEnvironmentId: $fromEnvironmentId) {\n      ...VersionFields\n    }\n  }\n": typeof types.PromoteAppVersionDocument,
    "\n  mutation RequestPromotion($versionId: ID!, $fromEnvironmentId: ID!, $note: String) {\n    requestPromotion(versionId: $versionId, fromEnvironmentId: $fromEnvironmentId, note: $note) {\n      ...PromotionRequestFields\n    }\n  }\n": typeof types.RequestPromotionDocument,
    "\n  query PromotionRequests($status: PromotionRequestStatus, $appId: ID) {\n    apps(first: 100) {\n      nodes {\n        id\n        name\n      }\n    }\n    promotionRequests(status: $status, appId: $appId, first: 50) {\n      nodes {\n        ...PromotionRequestFields\n      }\n    }\n  }\n": typeof types.PromotionRequestsDocument,
    "\n  mutation ReviewPromotionRequest($id: ID!, $approve: Boolean!, $comment: String) {\n    reviewPromotionRequest(id: $id, approve: $approve, comment: $comment) {\n      ...PromotionRequestFields\n    }\n  }\n": typeof types.ReviewPromotionRequestDocument,
    "\n  mutation CancelPromotionRequest($id: ID!) {\n    cancelPromotionRequest(id: $id) {\n      ...PromotionRequestFields\n    }\n  }\n": typeof types.CancelPromotionRequestDocument,
    "\n  subscription PromotionRequestChanged {\n    promotionRequestChanged {\n      ...PromotionRequestFields\n    }\n  }\n": typeof types.PromotionRequestChangedDocument,
    "\n  fragment ReleaseFields on Release {\n    id\n    at\n    releasedBy\n    note\n    rollback\n    scheduled\n    version {\n      id\n      name\n    }\n  }\n": typeof types.ReleaseFieldsFragmentDoc,
    "\n  fragment ScheduledReleaseFields on ScheduledRelease {\n    id\n    at\n    scheduledBy\n    note\n    status\n    failure\n    version {\n      id\n      name\n    }\n  }\n": typeof types.ScheduledReleaseFieldsFragmentDoc,
    "\n  fragment ReleasesApp on App {\n    id\n    name\n    releasedEnvironment {\n      id\n      name\n    }\n    releasedVersion {\n      ...VersionFields\n    }\n    versions {\n      ...VersionFields\n    }\n    releases(first: 20) {\n      nodes {\n        ...ReleaseFields\n      }\n    }\n    scheduledReleases {\n      ...ScheduledReleaseFields\n    }\n  }\n": typeof types.ReleasesAppFragmentDoc,
    "\n  query ReleasesApps {\n    apps(first: 100) {\n      nodes {\n        id\n        name\n      }\n    }\n  }\n": typeof types.ReleasesAppsDocument,
    "\n  query ReleasesScreen($appId: ID!) {\n    app(id: $appId) {\n      ...ReleasesApp\n    }\n  }\n": typeof types.ReleasesScreenDocument,
    "\n  mutation ReleaseAppVersion($versionId: ID!, $note: String) {\n    releaseAppVersion(versionId: $versionId, note: $note) {\n      ...ReleasesApp\n    }\n  }\n": typeof types.ReleaseAppVersionDocument,
    "\n  mutation RollbackRelease($appId: ID!) {\n    rollbackRelease(appId: $appId) {\n      ...ReleasesApp\n    }\n  }\n": typeof types.RollbackReleaseDocument,
    "\n  mutation ScheduleRelease($versionId: ID!, $at: DateTime!, $note: String) {\n    scheduleRelease(versionId: $versionId, at: $at, note: $note) {\n      ...ScheduledReleaseFields\n    }\n  }\n": typeof types.ScheduleReleaseDocument,
    "\n  mutation CancelScheduledRelease($id: ID!) {\n    cancelScheduledRelease(id: $id) {\n      ...ScheduledReleaseFields\n    }\n  }\n": typeof types.CancelScheduledReleaseDocument,
    "\n  query DiffEnvironments {\n    environments {\n      id\n      name\n      priority\n      isDefault\n    }\n    dataSourceKinds {\n      kind\n      fields {\n        key\n        label\n      }\n    }\n  }\n": typeof types.DiffEnvironmentsDocument,
    "\n  query EnvironmentDiff($fromId: ID!, $toId: ID!) {\n    environmentDiff(fromEnvironmentId: $fromId, toEnvironmentId: $toId) {\n      from {\n        id\n        name\n      }\n      to {\n        id\n        name\n      }\n      dataSources {\n        dataSource {\n          id\n          name\n          kind\n        }\n        fromConfigured\n        toConfigured\n        options {\n          key\n          secret\n          from\n          to\n          fromSet\n          toSet\n        }\n      }\n      constants {\n        constant {\n          id\n          name\n          type\n        }\n        fromSet\n        toSet\n        from\n        to\n      }\n    }\n  }\n": typeof types.EnvironmentDiffDocument,
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
    "\n  fragment VersionFields on AppVersion {\n    id\n    appId\n    name\n    status\n    updatedAt\n    environment {\n      id\n      name\n    }\n  }\n": types.VersionFieldsFragmentDoc,
    "\n  fragment PromotionRequestFields on PromotionRequest {\n    id\n    status\n    note\n    requestedBy\n    createdAt\n    decidedAt\n    from {\n      id\n      name\n    }\n    to {\n      id\n      name\n      requiredApprovals\n    }\n    version {\n      ...VersionFields\n    }\n    reviews {\n      actor\n      approved\n      comment\n      at\n    }\n  }\n": types.PromotionRequestFieldsFragmentDoc,
    "\n  query PromoteScreen {\n    environments {\n      id\n      name\n      priority\n      isDefault\n      protected\n      requiredApprovals\n    }\n    dataSourceKinds {\n      kind\n      fields {\n        key\n        label\n      }\n    }\n    apps(first: 100) {\n      nodes {\n        id\n        name\n        versions {\n          ...VersionFields\n        }\n      }\n    }\n  }\n": types.PromoteScreenDocument,
    "\n  query PromotionPreview($versionId: ID!) {\n    promotionPreview(versionId: $versionId) {\n      version {\n        ...VersionFields\n        dataSources {\n          id\n          name\n        }\n      }\n      from {\n        id\n        name\n      }\n      to {\n        id\n        name\n        protected\n      }\n      blockers {\n        dataSource {\n          id\n          name\n          kind\n        }\n        missingFields\n        missingConstants\n      }\n      requiredApprovals\n      allowed\n      reasons\n    }\n  }\n": types.PromotionPreviewDocument,
    "\n  mutation PromoteAppVersion($versionId: ID!, $fromEnvironmentId: ID!) {\n    promoteAppVersion(versionId: $versionId, fromEnvironmentId: $fromEnvironmentId) {\n      ...VersionFields\n    }\n  }\n": types.PromoteAppVersionDocument,
    "\n  mutation RequestPromotion($versionId: ID!, $fromEnvironmentId: ID!, $note: String) {\n    requestPromotion(versionId: $versionId, fromEnvironmentId: $fromEnvironmentId, note: $note) {\n      ...PromotionRequestFields\n    }\n  }\n": types.RequestPromotionDocument,
    "\n  query PromotionRequests($status: PromotionRequestStatus, $appId: ID) {\n    apps(first: 100) {\n      nodes {\n        id\n        name\n      }\n    }\n    promotionRequests(status: $status, appId: $appId, first: 50) {\n      nodes {\n        ...PromotionRequestFields\n      }\n    }\n  }\n": types.PromotionRequestsDocument,
    "\n  mutation ReviewPromotionRequest($id: ID!, $approve: Boolean!, $comment: String) {\n    reviewPromotionRequest(id: $id, approve: $approve, comment: $comment) {\n      ...PromotionRequestFields\n    }\n  }\n": types.ReviewPromotionRequestDocument,
    "\n  mutation CancelPromotionRequest($id: ID!) {\n    cancelPromotionRequest(id: $id) {\n      ...PromotionRequestFields\n    }\n  }\n": types.CancelPromotionRequestDocument,
    "\n  subscription PromotionRequestChanged {\n    promotionRequestChanged {\n      ...PromotionRequestFields\n    }\n  }\n": types.PromotionRequestChangedDocument,
    "\n  fragment ReleaseFields on Release {\n    id\n    at\n    releasedBy\n    note\n    rollback\n    scheduled\n    version {\n      id\n      name\n    }\n  }\n": types.ReleaseFieldsFragmentDoc,
    "\n  fragment ScheduledReleaseFields on ScheduledRelease {\n    id\n    at\n    scheduledBy\n    note\n    status\n    failure\n    version {\n      id\n      name\n    }\n  }\n": types.ScheduledReleaseFieldsFragmentDoc,
    "\n  fragment ReleasesApp on App {\n    id\n    name\n    releasedEnvironment {\n      id\n      name\n    }\n    releasedVersion {\n      ...VersionFields\n    }\n    versions {\n      ...VersionFields\n    }\n    releases(first: 20) {\n      nodes {\n        ...ReleaseFields\n      }\n    }\n    scheduledReleases {\n      ...ScheduledReleaseFields\n    }\n  }\n": types.ReleasesAppFragmentDoc,
    "\n  query ReleasesApps {\n    apps(first: 100) {\n      nodes {\n        id\n        name\n      }\n    }\n  }\n": types.ReleasesAppsDocument,
    "\n  query ReleasesScreen($appId: ID!) {\n    app(id: $appId) {\n      ...ReleasesApp\n    }\n  }\n": types.ReleasesScreenDocument,
    "\n  mutation ReleaseAppVersion($versionId: ID!, $note: String) {\n    releaseAppVersion(versionId: $versionId, note: $note) {\n      ...ReleasesApp\n    }\n  }\n": types.ReleaseAppVersionDocument,
    "\n  mutation RollbackRelease($appId: ID!) {\n    rollbackRelease(appId: $appId) {\n      ...ReleasesApp\n    }\n  }\n": types.RollbackReleaseDocument,
    "\n  mutation ScheduleRelease($versionId: ID!, $at: DateTime!, $note: String) {\n    scheduleRelease(versionId: $versionId, at: $at, note: $note) {\n      ...ScheduledReleaseFields\n    }\n  }\n": types.ScheduleReleaseDocument,
    "\n  mutation CancelScheduledRelease($id: ID!) {\n    cancelScheduledRelease(id: $id) {\n      ...ScheduledReleaseFields\n    }\n  }\n": types.CancelScheduledReleaseDocument,
    "\n  query DiffEnvironments {\n    environments {\n      id\n      name\n      priority\n      isDefault\n    }\n    dataSourceKinds {\n      kind\n      fields {\n        key\n        label\n      }\n    }\n  }\n": types.DiffEnvironmentsDocument,
    "\n  query EnvironmentDiff($fromId: ID!, $toId: ID!) {\n    environmentDiff(fromEnvironmentId: $fromId, toEnvironmentId: $toId) {\n      from {\n        id\n        name\n      }\n      to {\n        id\n        name\n      }\n      dataSources {\n        dataSource {\n          id\n          name\n          kind\n        }\n        fromConfigured\n        toConfigured\n        options {\n          key\n          secret\n          from\n          to\n          fromSet\n          toSet\n        }\n      }\n      constants {\n        constant {\n          id\n          name\n          type\n        }\n        fromSet\n        toSet\n        from\n        to\n      }\n    }\n  }\n": types.EnvironmentDiffDocument,
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
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment VersionFields on AppVersion {\n    id\n    appId\n    name\n    status\n    updatedAt\n    environment {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment VersionFields on AppVersion {\n    id\n    appId\n    name\n    status\n    updatedAt\n    environment {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PromotionRequestFields on PromotionRequest {\n    id\n    status\n    note\n    requestedBy\n    createdAt\n    decidedAt\n    from {\n      id\n      name\n    }\n    to {\n      id\n      name\n      requiredApprovals\n    }\n    version {\n      ...VersionFields\n    }\n    reviews {\n      actor\n      approved\n      comment\n      at\n    }\n  }\n"): (typeof documents)["\n  fragment PromotionRequestFields on PromotionRequest {\n    id\n    status\n    note\n    requestedBy\n    createdAt\n    decidedAt\n    from {\n      id\n      name\n    }\n    to {\n      id\n      name\n      requiredApprovals\n    }\n    version {\n      ...VersionFields\n    }\n    reviews {\n      actor\n      approved\n      comment\n      at\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PromoteScreen {\n    environments {\n      id\n      name\n      priority\n      isDefault\n      protected\n      requiredApprovals\n    }\n    dataSourceKinds {\n      kind\n      fields {\n        key\n        label\n      }\n    }\n    apps(first: 100) {\n      nodes {\n        id\n        name\n        versions {\n          ...VersionFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PromoteScreen {\n    environments {\n      id\n      name\n      priority\n      isDefault\n      protected\n      requiredApprovals\n    }\n    dataSourceKinds {\n      kind\n      fields {\n        key\n        label\n      }\n    }\n    apps(first: 100) {\n      nodes {\n        id\n        name\n        versions {\n          ...VersionFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PromotionPreview($versionId: ID!) {\n    promotionPreview(versionId: $versionId) {\n      version {\n        ...VersionFields\n        dataSources {\n          id\n          name\n        }\n      }\n      from {\n        id\n        name\n      }\n      to {\n        id\n        name\n        protected\n      }\n      blockers {\n        dataSource {\n          id\n          name\n          kind\n        }\n        missingFields\n        missingConstants\n      }\n      requiredApprovals\n      allowed\n      reasons\n    }\n  }\n"): (typeof documents)["\n  query PromotionPreview($versionId: ID!) {\n    promotionPreview(versionId: $versionId) {\n      version {\n        ...VersionFields\n        dataSources {\n          id\n          name\n        }\n      }\n      from {\n        id\n        name\n      }\n      to {\n        id\n        name\n        protected\n      }\n      blockers {\n        dataSource {\n          id\n          name\n          kind\n        }\n        missingFields\n        missingConstants\n      }\n      requiredApprovals\n      allowed\n      reasons\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PromoteAppVersion($versionId: ID!, $fromEnvironmentId: ID!) {\n    promoteAppVersion(versionId: $versionId, fromEnvironmentId: $fromEnvironmentId) {\n      ...VersionFields\n    }\n  }\n"): (typeof documents)["\n  mutation PromoteAppVersion($versionId: ID!, $fromEnvironmentId: ID!) {\n    promoteAppVersion(versionId: $versionId, fromEnvironmentId: $fromEnvironmentId) {\n      ...VersionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestPromotion($versionId: ID!, $fromEnvironmentId: ID!, $note: String) {\n    requestPromotion(versionId: $versionId, fromEnvironmentId: $fromEnvironmentId, note: $note) {\n      ...PromotionRequestFields\n    }\n  }\n"): (typeof documents)["\n  mutation RequestPromotion($versionId: ID!, $fromEnvironmentId: ID!, $note: String) {\n    requestPromotion(versionId: $versionId, fromEnvironmentId: $fromEnvironmentId, note: $note) {\n      ...PromotionRequestFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PromotionRequests($status: PromotionRequestStatus, $appId: ID) {\n    apps(first: 100) {\n      nodes {\n        id\n        name\n      }\n    }\n    promotionRequests(status: $status, appId: $appId, first: 50) {\n      nodes {\n        ...PromotionRequestFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query PromotionRequests($status: PromotionRequestStatus, $appId: ID) {\n    apps(first: 100) {\n      nodes {\n        id\n        name\n      }\n    }\n    promotionRequests(status: $status, appId: $appId, first: 50) {\n      nodes {\n        ...PromotionRequestFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReviewPromotionRequest($id: ID!, $approve: Boolean!, $comment: String) {\n    reviewPromotionRequest(id: $id, approve: $approve, comment: $comment) {\n      ...PromotionRequestFields\n    }\n  }\n"): (typeof documents)["\n  mutation ReviewPromotionRequest($id: ID!, $approve: Boolean!, $comment: String) {\n    reviewPromotionRequest(id: $id, approve: $approve, comment: $comment) {\n      ...PromotionRequestFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelPromotionRequest($id: ID!) {\n    cancelPromotionRequest(id: $id) {\n      ...PromotionRequestFields\n    }\n  }\n"): (typeof documents)["\n  mutation CancelPromotionRequest($id: ID!) {\n    cancelPromotionRequest(id: $id) {\n      ...PromotionRequestFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription PromotionRequestChanged {\n    promotionRequestChanged {\n      ...PromotionRequestFields\n    }\n  }\n"): (typeof documents)["\n  subscription PromotionRequestChanged {\n    promotionRequestChanged {\n      ...PromotionRequestFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ReleaseFields on Release {\n    id\n    at\n    releasedBy\n    note\n    rollback\n    scheduled\n    version {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment ReleaseFields on Release {\n    id\n    at\n    releasedBy\n    note\n    rollback\n    scheduled\n    version {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ScheduledReleaseFields on ScheduledRelease {\n    id\n    at\n    scheduledBy\n    note\n    status\n    failure\n    version {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment ScheduledReleaseFields on ScheduledRelease {\n    id\n    at\n    scheduledBy\n    note\n    status\n    failure\n    version {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ReleasesApp on App {\n    id\n    name\n    releasedEnvironment {\n      id\n      name\n    }\n    releasedVersion {\n      ...VersionFields\n    }\n    versions {\n      ...VersionFields\n    }\n    releases(first: 20) {\n      nodes {\n        ...ReleaseFields\n      }\n    }\n    scheduledReleases {\n      ...ScheduledReleaseFields\n    }\n  }\n"): (typeof documents)["\n  fragment ReleasesApp on App {\n    id\n    name\n    releasedEnvironment {\n      id\n      name\n    }\n    releasedVersion {\n      ...VersionFields\n    }\n    versions {\n      ...VersionFields\n    }\n    releases(first: 20) {\n      nodes {\n        ...ReleaseFields\n      }\n    }\n    scheduledReleases {\n      ...ScheduledReleaseFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReleasesApps {\n    apps(first: 100) {\n      nodes {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query ReleasesApps {\n    apps(first: 100) {\n      nodes {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReleasesScreen($appId: ID!) {\n    app(id: $appId) {\n      ...ReleasesApp\n    }\n  }\n"): (typeof documents)["\n  query ReleasesScreen($appId: ID!) {\n    app(id: $appId) {\n      ...ReleasesApp\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReleaseAppVersion($versionId: ID!, $note: String) {\n    releaseAppVersion(versionId: $versionId, note: $note) {\n      ...ReleasesApp\n    }\n  }\n"): (typeof documents)["\n  mutation ReleaseAppVersion($versionId: ID!, $note: String) {\n    releaseAppVersion(versionId: $versionId, note: $note) {\n      ...ReleasesApp\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RollbackRelease($appId: ID!) {\n    rollbackRelease(appId: $appId) {\n      ...ReleasesApp\n    }\n  }\n"): (typeof documents)["\n  mutation RollbackRelease($appId: ID!) {\n    rollbackRelease(appId: $appId) {\n      ...ReleasesApp\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ScheduleRelease($versionId: ID!, $at: DateTime!, $note: String) {\n    scheduleRelease(versionId: $versionId, at: $at, note: $note) {\n      ...ScheduledReleaseFields\n    }\n  }\n"): (typeof documents)["\n  mutation ScheduleRelease($versionId: ID!, $at: DateTime!, $note: String) {\n    scheduleRelease(versionId: $versionId, at: $at, note: $note) {\n      ...ScheduledReleaseFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelScheduledRelease($id: ID!) {\n    cancelScheduledRelease(id: $id) {\n      ...ScheduledReleaseFields\n    }\n  }\n"): (typeof documents)["\n  mutation CancelScheduledRelease($id: ID!) {\n    cancelScheduledRelease(id: $id) {\n      ...ScheduledReleaseFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DiffEnvironments {\n    environments {\n      id\n      name\n      priority\n      isDefault\n    }\n    dataSourceKinds {\n      kind\n      fields {\n        key\n        label\n      }\n    }\n  }\n"): (typeof documents)["\n  query DiffEnvironments {\n    environments {\n      id\n      name\n      priority\n      isDefault\n    }\n    dataSourceKinds {\n      kind\n      fields {\n        key\n        label\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EnvironmentDiff($fromId: ID!, $toId: ID!) {\n    environmentDiff(fromEnvironmentId: $fromId, toEnvironmentId: $toId) {\n      from {\n        id\n        name\n      }\n      to {\n        id\n        name\n      }\n      dataSources {\n        dataSource {\n          id\n          name\n          kind\n        }\n        fromConfigured\n        toConfigured\n        options {\n          key\n          secret\n          from\n          to\n          fromSet\n          toSet\n        }\n      }\n      constants {\n        constant {\n          id\n          name\n          type\n        }\n        fromSet\n        toSet\n        from\n        to\n      }\n    }\n  }\n"): (typeof documents)["\n  query EnvironmentDiff($fromId: ID!, $toId: ID!) {\n    environmentDiff(fromEnvironmentId: $fromId, toEnvironmentId: $toId) {\n      from {\n        id\n        name\n      }\n      to {\n        id\n        name\n      }\n      dataSources {\n        dataSource {\n          id\n          name\n          kind\n        }\n        fromConfigured\n        toConfigured\n        options {\n          key\n          secret\n          from\n          to\n          fromSet\n          toSet\n        }\n      }\n      constants {\n        constant {\n          id\n          name\n          type\n        }\n        fromSet\n        toSet\n        from\n        to\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;