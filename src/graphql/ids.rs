//! The typed ids of [`crate::domain::ids`] as GraphQL arguments and input fields: each
//! is the `ID` scalar to clients (the schema is unchanged), parsed once where it
//! arrives, so resolvers hand the domain an [`EnvironmentId`], never a string. A
//! malformed id parses as one that names no row (see the domain's ids); a value that is
//! no `ID` at all is refused as `ID` refuses it.

use std::borrow::Cow;

use async_graphql::registry::Registry;
use async_graphql::{ID, InputType, InputValueError, InputValueResult, Value};

use crate::domain::ids::{
    AppId, ConstantId, DataSourceId, EnvironmentId, PromotionRequestId, ScheduledReleaseId,
    VersionId,
};

macro_rules! id_inputs {
    ($($name:ident),*) => {$(
        impl InputType for $name {
            type RawValueType = Self;

            fn type_name() -> Cow<'static, str> {
                <ID as InputType>::type_name()
            }

            fn create_type_info(registry: &mut Registry) -> String {
                <ID as InputType>::create_type_info(registry)
            }

            fn parse(value: Option<Value>) -> InputValueResult<Self> {
                <ID as InputType>::parse(value)
                    .map(|ID(id)| Self::parse(&id))
                    .map_err(InputValueError::propagate)
            }

            fn to_value(&self) -> Value {
                Value::String(self.0.to_string())
            }

            fn as_raw_value(&self) -> Option<&Self::RawValueType> {
                Some(self)
            }
        }
    )*};
}

id_inputs!(
    AppId,
    ConstantId,
    DataSourceId,
    EnvironmentId,
    PromotionRequestId,
    ScheduledReleaseId,
    VersionId
);
