// Every operation the console sends. graphql-codegen reads these and generates their
// types into ./gql from ../../schema.graphql (`npm run codegen`).
import { graphql } from './gql';

export const ConsoleHeaderQuery = graphql(`
  query ConsoleHeader {
    viewer {
      userId
      workspaceId
      role
    }
    edition {
      name
      licenseStatus
    }
  }
`);

// One environment's options, as the form shows them. `id` is stable per (data
// source, environment), so a save's answer updates Apollo's cache in place.
export const OptionsFieldsFragment = graphql(`
  fragment OptionsFields on DataSourceOptions {
    id
    dataSourceId
    configured
    revision
    updatedAt
    updatedBy
    environment {
      id
      name
    }
    values {
      key
      value
      secret
      isSet
    }
  }
`);

export const DataSourceScreenQuery = graphql(`
  query DataSourceScreen {
    environments {
      id
      name
      priority
      isDefault
    }
    dataSourceKinds {
      kind
      displayName
      fields {
        key
        label
        type
        required
        secret
        defaultValue
        allowedValues
      }
    }
    dataSources(first: 100) {
      nodes {
        id
        name
        kind
      }
    }
  }
`);

export const DataSourceOptionsQuery = graphql(`
  query DataSourceOptions($id: ID!) {
    dataSource(id: $id) {
      id
      name
      kind
      environments {
        ...OptionsFields
      }
    }
  }
`);

export const UpdateDataSourceOptionsMutation = graphql(`
  mutation UpdateDataSourceOptions($input: UpdateDataSourceOptionsInput!) {
    updateDataSourceOptions(input: $input) {
      ...OptionsFields
    }
  }
`);

export const CopyDataSourceOptionsMutation = graphql(`
  mutation CopyDataSourceOptions($input: CopyDataSourceOptionsInput!) {
    copyDataSourceOptions(input: $input) {
      ...OptionsFields
    }
  }
`);

export const TestDataSourceConnectionMutation = graphql(`
  mutation TestDataSourceConnection($dataSourceId: ID!, $environmentId: ID!) {
    testDataSourceConnection(dataSourceId: $dataSourceId, environmentId: $environmentId) {
      ok
      supported
      message
      latencyMs
    }
  }
`);

export const BuilderAppsQuery = graphql(`
  query BuilderApps {
    environments {
      id
      name
      priority
      isDefault
    }
    apps(first: 100) {
      nodes {
        id
        name
      }
    }
  }
`);

export const BuilderAppQuery = graphql(`
  query BuilderApp($id: ID!) {
    app(id: $id) {
      id
      name
      builderEnvironment {
        id
        name
      }
      releasedEnvironment {
        id
        name
      }
      releasedVersion {
        id
        name
      }
      versions {
        id
        name
        status
        environment {
          id
          name
        }
      }
    }
  }
`);

export const SelectEnvironmentMutation = graphql(`
  mutation SelectEnvironment($appId: ID!, $environmentId: ID!) {
    selectEnvironment(appId: $appId, environmentId: $environmentId) {
      id
      builderEnvironment {
        id
        name
      }
    }
  }
`);

// --- Promotion: a version's preview, promoting, and requests for approval ---------

// A version as the shipping screens show it. Every answer that touches a version
// selects these, so the cache (normalised by id) moves it on every screen at once.
export const VersionFieldsFragment = graphql(`
  fragment VersionFields on AppVersion {
    id
    appId
    name
    status
    updatedAt
    environment {
      id
      name
    }
  }
`);

// A promotion request as the inbox and the promote screen show it; the subscription
// selects the same fields, so an event updates the cached request in place.
export const PromotionRequestFieldsFragment = graphql(`
  fragment PromotionRequestFields on PromotionRequest {
    id
    status
    note
    requestedBy
    createdAt
    decidedAt
    from {
      id
      name
    }
    to {
      id
      name
      requiredApprovals
    }
    version {
      ...VersionFields
    }
    reviews {
      actor
      approved
      comment
      at
    }
  }
`);

export const PromoteScreenQuery = graphql(`
  query PromoteScreen {
    environments {
      id
      name
      priority
      isDefault
      protected
      requiredApprovals
    }
    dataSourceKinds {
      kind
      fields {
        key
        label
      }
    }
    apps(first: 100) {
      nodes {
        id
        name
        versions {
          ...VersionFields
        }
      }
    }
  }
`);

export const PromotionPreviewQuery = graphql(`
  query PromotionPreview($versionId: ID!) {
    promotionPreview(versionId: $versionId) {
      version {
        ...VersionFields
        dataSources {
          id
          name
        }
      }
      from {
        id
        name
      }
      to {
        id
        name
        protected
      }
      blockers {
        dataSource {
          id
          name
          kind
        }
        missingFields
        missingConstants
      }
      requiredApprovals
      allowed
      reasons
    }
  }
`);

export const PromoteAppVersionMutation = graphql(`
  mutation PromoteAppVersion($versionId: ID!, $fromEnvironmentId: ID!) {
    promoteAppVersion(versionId: $versionId, fromEnvironmentId: $fromEnvironmentId) {
      ...VersionFields
    }
  }
`);

export const RequestPromotionMutation = graphql(`
  mutation RequestPromotion($versionId: ID!, $fromEnvironmentId: ID!, $note: String) {
    requestPromotion(versionId: $versionId, fromEnvironmentId: $fromEnvironmentId, note: $note) {
      ...PromotionRequestFields
    }
  }
`);

export const PromotionRequestsQuery = graphql(`
  query PromotionRequests($status: PromotionRequestStatus, $appId: ID) {
    apps(first: 100) {
      nodes {
        id
        name
      }
    }
    promotionRequests(status: $status, appId: $appId, first: 50) {
      nodes {
        ...PromotionRequestFields
      }
    }
  }
`);

export const ReviewPromotionRequestMutation = graphql(`
  mutation ReviewPromotionRequest($id: ID!, $approve: Boolean!, $comment: String) {
    reviewPromotionRequest(id: $id, approve: $approve, comment: $comment) {
      ...PromotionRequestFields
    }
  }
`);

export const CancelPromotionRequestMutation = graphql(`
  mutation CancelPromotionRequest($id: ID!) {
    cancelPromotionRequest(id: $id) {
      ...PromotionRequestFields
    }
  }
`);

export const PromotionRequestChangedSubscription = graphql(`
  subscription PromotionRequestChanged {
    promotionRequestChanged {
      ...PromotionRequestFields
    }
  }
`);

// --- Releases: history, rollback, schedules ----------------------------------------

export const ReleaseFieldsFragment = graphql(`
  fragment ReleaseFields on Release {
    id
    at
    releasedBy
    note
    rollback
    scheduled
    version {
      id
      name
    }
  }
`);

export const ScheduledReleaseFieldsFragment = graphql(`
  fragment ScheduledReleaseFields on ScheduledRelease {
    id
    at
    scheduledBy
    note
    status
    failure
    version {
      id
      name
    }
  }
`);

// Everything the releases screen shows of an app. Releasing and rolling back answer
// with the app, selected the same way, so the answer alone updates the screen.
export const ReleasesAppFragment = graphql(`
  fragment ReleasesApp on App {
    id
    name
    releasedEnvironment {
      id
      name
    }
    releasedVersion {
      ...VersionFields
    }
    versions {
      ...VersionFields
    }
    releases(first: 20) {
      nodes {
        ...ReleaseFields
      }
    }
    scheduledReleases {
      ...ScheduledReleaseFields
    }
  }
`);

export const ReleasesAppsQuery = graphql(`
  query ReleasesApps {
    apps(first: 100) {
      nodes {
        id
        name
      }
    }
  }
`);

export const ReleasesScreenQuery = graphql(`
  query ReleasesScreen($appId: ID!) {
    app(id: $appId) {
      ...ReleasesApp
    }
  }
`);

export const ReleaseAppVersionMutation = graphql(`
  mutation ReleaseAppVersion($versionId: ID!, $note: String) {
    releaseAppVersion(versionId: $versionId, note: $note) {
      ...ReleasesApp
    }
  }
`);

export const RollbackReleaseMutation = graphql(`
  mutation RollbackRelease($appId: ID!) {
    rollbackRelease(appId: $appId) {
      ...ReleasesApp
    }
  }
`);

export const ScheduleReleaseMutation = graphql(`
  mutation ScheduleRelease($versionId: ID!, $at: DateTime!, $note: String) {
    scheduleRelease(versionId: $versionId, at: $at, note: $note) {
      ...ScheduledReleaseFields
    }
  }
`);

export const CancelScheduledReleaseMutation = graphql(`
  mutation CancelScheduledRelease($id: ID!) {
    cancelScheduledRelease(id: $id) {
      ...ScheduledReleaseFields
    }
  }
`);

// --- The environment diff ------------------------------------------------------------

export const DiffEnvironmentsQuery = graphql(`
  query DiffEnvironments {
    environments {
      id
      name
      priority
      isDefault
    }
    dataSourceKinds {
      kind
      fields {
        key
        label
      }
    }
  }
`);

export const EnvironmentDiffQuery = graphql(`
  query EnvironmentDiff($fromId: ID!, $toId: ID!) {
    environmentDiff(fromEnvironmentId: $fromId, toEnvironmentId: $toId) {
      from {
        id
        name
      }
      to {
        id
        name
      }
      dataSources {
        dataSource {
          id
          name
          kind
        }
        fromConfigured
        toConfigured
        options {
          key
          secret
          from
          to
          fromSet
          toSet
        }
      }
      constants {
        constant {
          id
          name
          type
        }
        fromSet
        toSet
        from
        to
      }
    }
  }
`);
