//! The registry of data-source kinds: each kind's option fields, in the order forms show
//! them. The one place a new kind is declared.

use serde_json::Value;

use crate::domain::connection_string::Format;

/// The type of an option's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionType {
    String,
    Integer,
    Boolean,
    /// A JSON object whose values are strings, such as HTTP headers.
    StringMap,
}

/// A field's default, applied when a data source is created without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultValue {
    Str(&'static str),
    Int(i64),
}

impl DefaultValue {
    pub fn to_json(self) -> Value {
        match self {
            Self::Str(s) => Value::from(s),
            Self::Int(i) => Value::from(i),
        }
    }
}

/// One option field of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub ty: OptionType,
    pub required: bool,
    /// Encrypted at rest and never returned.
    pub secret: bool,
    pub default: Option<DefaultValue>,
    /// For strings: the only values accepted, when not empty.
    pub allowed: &'static [&'static str],
    /// For integers: the inclusive range accepted.
    pub range: Option<(i64, i64)>,
    /// Where the data source connects (host, port, URL, connection string): a save
    /// that changes it must give the stored secrets again, so they can't be sent to a
    /// new server by whoever may edit the endpoint alone (see
    /// [`crate::domain::options::check_endpoint_change`]).
    pub endpoint: bool,
    /// For strings: the rules the value follows beyond being text (a connection
    /// string's allowed options, a URL's scheme), checked when saved and again when
    /// used, constants substituted.
    pub format: Option<Format>,
}

impl Field {
    const fn new(key: &'static str, label: &'static str, ty: OptionType) -> Self {
        Self {
            key,
            label,
            ty,
            required: false,
            secret: false,
            default: None,
            allowed: &[],
            range: None,
            endpoint: false,
            format: None,
        }
    }
    const fn string(key: &'static str, label: &'static str) -> Self {
        Self::new(key, label, OptionType::String)
    }
    const fn required(self) -> Self {
        Self {
            required: true,
            ..self
        }
    }
    const fn secret(self) -> Self {
        Self {
            secret: true,
            ..self
        }
    }
    const fn default(self, default: DefaultValue) -> Self {
        Self {
            default: Some(default),
            ..self
        }
    }
    const fn endpoint(self) -> Self {
        Self {
            endpoint: true,
            ..self
        }
    }
    const fn format(self, format: Format) -> Self {
        Self {
            format: Some(format),
            ..self
        }
    }
    const fn one_of(self, allowed: &'static [&'static str]) -> Self {
        Self { allowed, ..self }
    }
    const fn port(default: i64) -> Self {
        Self {
            range: Some((1, 65535)),
            ..Self::new("port", "Port", OptionType::Integer)
                .required()
                .endpoint()
                .default(DefaultValue::Int(default))
        }
    }
}

/// A kind of data source and its option fields.
#[derive(Debug, PartialEq, Eq)]
pub struct Kind {
    pub kind: &'static str,
    pub display_name: &'static str,
    pub fields: &'static [Field],
}

impl Kind {
    /// The field `key`, if the kind declares it.
    pub fn field(&self, key: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.key == key)
    }
}

/// libpq's meanings: `prefer` and `require` encrypt without checking the certificate,
/// `verify-full` checks it (against `ssl_ca` when set) and the host name.
const SSL_MODES: &[&str] = &["disable", "prefer", "require", "verify-full"];

const fn sql_fields(port: i64) -> [Field; 7] {
    [
        Field::string("host", "Host").required().endpoint(),
        Field::port(port),
        // An endpoint too: libpq (`expand_dbname`) reads a database name that holds a
        // connection string as one, hosts and all.
        Field::string("database", "Database").required().endpoint(),
        Field::string("username", "Username").required(),
        Field::string("password", "Password").secret(),
        Field::string("ssl_mode", "SSL mode")
            .one_of(SSL_MODES)
            .default(DefaultValue::Str("prefer")),
        // A PEM certificate, public: not a secret.
        Field::string("ssl_ca", "CA certificate (PEM)"),
    ]
}

const POSTGRESQL_FIELDS: [Field; 7] = sql_fields(5432);
const MYSQL_FIELDS: [Field; 7] = sql_fields(3306);

/// Every kind, in the order `dataSourceKinds` lists them.
pub static KINDS: &[Kind] = &[
    Kind {
        kind: "postgresql",
        display_name: "PostgreSQL",
        fields: &POSTGRESQL_FIELDS,
    },
    Kind {
        kind: "mysql",
        display_name: "MySQL",
        fields: &MYSQL_FIELDS,
    },
    Kind {
        kind: "restapi",
        display_name: "REST API",
        fields: &[
            Field::string("url", "Base URL")
                .required()
                .endpoint()
                .format(Format::HttpUrl),
            Field::new("headers", "Headers", OptionType::StringMap),
            Field::string("bearer_token", "Bearer token").secret(),
        ],
    },
    Kind {
        kind: "mongodb",
        display_name: "MongoDB",
        fields: &[
            Field::string("connection_string", "Connection string")
                .required()
                .secret()
                .endpoint()
                .format(Format::MongoDb),
            Field::string("database", "Database"),
        ],
    },
];

/// Every key that is a secret in some kind.
pub fn secret_keys() -> Vec<&'static str> {
    let mut keys: Vec<&str> = KINDS
        .iter()
        .flat_map(|k| k.fields.iter().filter(|f| f.secret).map(|f| f.key))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The kind named `kind`, if there is one.
pub fn find(kind: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.kind == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_unique_keys_and_secrets_are_strings() {
        for kind in KINDS {
            let mut keys: Vec<_> = kind.fields.iter().map(|f| f.key).collect();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), kind.fields.len(), "{}", kind.kind);
            for field in kind.fields.iter().filter(|f| f.secret) {
                assert_eq!(field.ty, OptionType::String, "{}.{}", kind.kind, field.key);
                assert!(field.default.is_none(), "a secret has no default");
            }
        }
    }

    #[test]
    fn every_kind_marks_where_it_connects() {
        let endpoints = |kind: &str| -> Vec<&str> {
            find(kind)
                .unwrap()
                .fields
                .iter()
                .filter(|f| f.endpoint)
                .map(|f| f.key)
                .collect()
        };
        assert_eq!(endpoints("postgresql"), ["host", "port", "database"]);
        assert_eq!(endpoints("mysql"), ["host", "port", "database"]);
        assert_eq!(endpoints("restapi"), ["url"]);
        assert_eq!(endpoints("mongodb"), ["connection_string"]);
        for field in KINDS
            .iter()
            .flat_map(|k| k.fields)
            .filter(|f| f.format.is_some())
        {
            assert_eq!(field.ty, OptionType::String, "{}", field.key);
        }
    }

    #[test]
    fn ports_default_per_kind() {
        assert_eq!(
            find("postgresql").unwrap().field("port").unwrap().default,
            Some(DefaultValue::Int(5432))
        );
        assert_eq!(
            find("mysql").unwrap().field("port").unwrap().default,
            Some(DefaultValue::Int(3306))
        );
        assert!(find("oracle").is_none());
    }
}
