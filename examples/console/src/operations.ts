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
