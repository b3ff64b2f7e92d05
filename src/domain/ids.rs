//! Ids as clients send them, typed by what they name: the GraphQL layer parses each
//! id once, where it arrives, and the domain functions take an [`EnvironmentId`], not
//! a string. A malformed id names no row: it is kept as the nil UUID, which no row has
//! (every id is a random one), so it is NOT_FOUND exactly where an unknown id would be,
//! after the same permission checks.

use uuid::Uuid;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Uuid);

        impl $name {
            /// The id a client sent; a malformed one names no row.
            pub fn parse(id: &str) -> Self {
                Self(Uuid::parse_str(id.trim()).unwrap_or(Uuid::nil()))
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    )*};
}

ids! {
    /// An environment's id.
    EnvironmentId;
    /// A data source's id.
    DataSourceId;
    /// An app's id.
    AppId;
    /// An app version's id.
    VersionId;
    /// A workspace constant's id.
    ConstantId;
    /// A promotion request's id.
    PromotionRequestId;
    /// A scheduled release's id.
    ScheduledReleaseId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_id_names_no_row_and_a_well_formed_one_its_uuid() {
        let id = Uuid::new_v4();
        assert_eq!(DataSourceId::parse(&format!(" {id} ")).0, id);
        for malformed in ["", "x", "not-a-uuid", "1234"] {
            assert_eq!(DataSourceId::parse(malformed).0, Uuid::nil(), "{malformed}");
        }
    }
}
