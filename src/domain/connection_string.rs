//! Connection strings and URLs held in data-source options (MongoDB's
//! `connection_string`, the REST API's `url`): parsed, and checked against an
//! allow-list of what envgate knows to be safe.
//!
//! A driver given a connection string does what its options say, and some options make
//! it read files on the server (`tlsCAFile`, `tlsCertificateKeyFile`) or use the
//! server's ambient credentials (`authMechanism=MONGODB-OIDC` with
//! `authMechanismProperties=ENVIRONMENT:k8s` reads the Kubernetes token file and sends
//! it to the named host; MONGODB-AWS, GSSAPI and MONGODB-X509 likewise). So only the
//! options listed in [`MONGODB_OPTIONS`] are accepted, anything else is refused, and
//! connection tests build the driver's options from the parsed, allowed fields, never
//! from the raw string.
//!
//! The check runs twice: when options are saved ([`Stage::Saved`]: references to
//! constants may stand for hosts, credentials and option values, and are checked
//! later), and when they are used ([`Stage::Resolved`]: after the references are
//! substituted, so a constant can't add an option either). The messages name the option
//! in envgate's own spelling and never quote the string, which holds a password.

use percent_encoding::percent_decode_str;

/// What a string option holds, when it is more than text: the rules it is checked
/// against (declared per field in [`crate::domain::kinds`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A `mongodb://` or `mongodb+srv://` connection string.
    MongoDb,
    /// An `http://` or `https://` URL.
    HttpUrl,
}

/// When a value is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// As saved: `{{constants.NAME}}` and `{{secrets.NAME}}` references may stand in
    /// for hosts, ports, credentials, the database and option values (not for option
    /// names); what they stand for is checked at [`Stage::Resolved`].
    Saved,
    /// As used, references substituted: everything is checked.
    Resolved,
}

/// Checks `text` against `format`'s rules; the error is a message a form can show,
/// naming the culprit without quoting the text.
pub fn check(format: Format, text: &str, stage: Stage) -> Result<(), String> {
    if text.contains(PLACEHOLDER) {
        return Err("The value holds a character that is not allowed (U+E000).".into());
    }
    match format {
        Format::MongoDb => MongoDbString::parse(text, stage).map(|_| ()),
        Format::HttpUrl => check_http_url(text, stage),
    }
}

/// Stands for a reference while a saved value is parsed: a private-use character that
/// no part of a connection string needs.
const PLACEHOLDER: char = '\u{E000}';

/// `text` with every `{{constants.NAME}}` / `{{secrets.NAME}}` replaced by
/// [`PLACEHOLDER`] at [`Stage::Saved`]; as it is at [`Stage::Resolved`].
fn with_placeholders(text: &str, stage: Stage) -> String {
    if stage == Stage::Resolved {
        return text.to_owned();
    }
    // A malformed reference is refused by the reference check with its own message.
    let Ok(references) = crate::domain::references::parse(text) else {
        return text.to_owned();
    };
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for reference in references {
        out.push_str(&text[at..reference.span.start]);
        out.push(PLACEHOLDER);
        at = reference.span.end;
    }
    out.push_str(&text[at..]);
    out
}

fn deferred(part: &str) -> bool {
    part.contains(PLACEHOLDER)
}

// ---------------------------------------------------------------------------------
// HTTP URLs

/// An `http://` or `https://` URL with a host; at [`Stage::Saved`] a scheme given by a
/// reference is checked once it is substituted.
fn check_http_url(text: &str, stage: Stage) -> Result<(), String> {
    let text = with_placeholders(text, stage);
    let scheme = text.split_once(':').map(|(scheme, _)| scheme);
    if scheme.is_some_and(deferred) || (stage == Stage::Saved && text.starts_with(PLACEHOLDER)) {
        return Ok(());
    }
    let scheme_ok =
        scheme.is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"));
    if !scheme_ok {
        return Err(
            "The base URL must start with http:// or https://; other schemes are not allowed."
                .into(),
        );
    }
    if stage == Stage::Resolved {
        let url = reqwest::Url::parse(&text)
            .map_err(|_| "The base URL is not a valid http(s) URL.".to_owned())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err("The base URL must be an http:// or https:// URL with a host.".into());
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// MongoDB connection strings

/// A MongoDB connection string, parsed and allowed. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct MongoDbString {
    /// `mongodb+srv://`: the hosts come from DNS records.
    pub srv: bool,
    pub username: Option<String>,
    pub password: Option<String>,
    pub hosts: Vec<MongoDbHost>,
    /// The database in the path, when there is one.
    pub database: Option<String>,
    pub auth_source: Option<String>,
    pub auth_mechanism: Option<Mechanism>,
    /// `tls` or `ssl`, when given.
    pub tls: Option<bool>,
    /// `tlsInsecure` or `tlsAllowInvalidCertificates`: the certificate is not checked.
    pub allow_invalid_certificates: bool,
    /// `tlsInsecure` or `tlsAllowInvalidHostnames`: the certificate is checked, the
    /// name in it is not.
    pub allow_invalid_hostnames: bool,
    /// Every allowed option as given: its name in envgate's spelling, the value
    /// percent-decoded.
    pub options: Vec<(&'static str, String)>,
}

impl std::fmt::Debug for MongoDbString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MongoDbString")
            .field("srv", &self.srv)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("hosts", &self.hosts)
            .field("database", &self.database)
            .finish_non_exhaustive()
    }
}

/// One host of a connection string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MongoDbHost {
    /// A name or an address (IPv6 without brackets).
    pub host: String,
    pub port: Option<u16>,
}

/// The authentication mechanisms allowed: those that use only the credentials in the
/// string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    ScramSha1,
    ScramSha256,
    Plain,
}

impl Mechanism {
    /// The mechanism's name in connection strings.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ScramSha1 => "SCRAM-SHA-1",
            Self::ScramSha256 => "SCRAM-SHA-256",
            Self::Plain => "PLAIN",
        }
    }
}

/// What an allowed option's value must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Text,
    Bool,
    /// A count or a duration in milliseconds: 0 or more.
    Count,
    /// `maxStalenessSeconds`: -1 (no maximum) or more.
    Staleness,
    /// `w`: a count, `majority` or a tag set's name.
    WriteConcern,
    OneOf(&'static [&'static str]),
}

/// The options a MongoDB connection string may hold (MongoDB's spelling; names are
/// case-insensitive, as in MongoDB). Anything else is refused.
pub const MONGODB_OPTIONS: &[(&str, Rule)] = &[
    ("appName", Rule::Text),
    ("authSource", Rule::Text),
    (
        "authMechanism",
        Rule::OneOf(&["SCRAM-SHA-1", "SCRAM-SHA-256", "PLAIN"]),
    ),
    ("replicaSet", Rule::Text),
    ("directConnection", Rule::Bool),
    ("tls", Rule::Bool),
    ("ssl", Rule::Bool),
    ("tlsInsecure", Rule::Bool),
    ("tlsAllowInvalidCertificates", Rule::Bool),
    ("tlsAllowInvalidHostnames", Rule::Bool),
    ("connectTimeoutMS", Rule::Count),
    ("socketTimeoutMS", Rule::Count),
    ("serverSelectionTimeoutMS", Rule::Count),
    ("heartbeatFrequencyMS", Rule::Count),
    ("localThresholdMS", Rule::Count),
    ("maxIdleTimeMS", Rule::Count),
    ("waitQueueTimeoutMS", Rule::Count),
    ("timeoutMS", Rule::Count),
    ("wTimeoutMS", Rule::Count),
    ("maxPoolSize", Rule::Count),
    ("minPoolSize", Rule::Count),
    ("maxConnecting", Rule::Count),
    ("retryWrites", Rule::Bool),
    ("retryReads", Rule::Bool),
    ("journal", Rule::Bool),
    ("w", Rule::WriteConcern),
    (
        "readPreference",
        Rule::OneOf(&[
            "primary",
            "primaryPreferred",
            "secondary",
            "secondaryPreferred",
            "nearest",
        ]),
    ),
    ("readPreferenceTags", Rule::Text),
    ("maxStalenessSeconds", Rule::Staleness),
    (
        "readConcernLevel",
        Rule::OneOf(&["local", "majority", "linearizable", "available", "snapshot"]),
    ),
];

/// Options refused with a reason: those that read files or use credentials of the
/// server, or send the connection elsewhere.
const MONGODB_REFUSED: &[(&str, &str)] = &[
    ("tlsCAFile", READS_FILE),
    ("tlsCertificateKeyFile", READS_FILE),
    ("tlsCertificateFile", READS_FILE),
    ("tlsCRLFile", READS_FILE),
    ("sslCAFile", READS_FILE),
    ("sslPEMKeyFile", READS_FILE),
    ("sslCertificateFile", READS_FILE),
    (
        "tlsCertificateKeyFilePassword",
        "it unlocks a key file on the server",
    ),
    ("sslPEMKeyPassword", "it unlocks a key file on the server"),
    (
        "authMechanismProperties",
        "it tells an external authentication mechanism which credentials of the server to use",
    ),
    (
        "gssapiServiceName",
        "it configures Kerberos authentication with the server's credentials",
    ),
    ("proxyHost", THROUGH_PROXY),
    ("proxyPort", THROUGH_PROXY),
    ("proxyUsername", THROUGH_PROXY),
    ("proxyPassword", THROUGH_PROXY),
];

const READS_FILE: &str = "it reads a file on the server";
const THROUGH_PROXY: &str =
    "it sends the connection through another host, past the checks on where envgate connects";

/// Mechanisms refused with a reason.
const MECHANISMS_REFUSED: &[(&str, &str)] = &[
    (
        "MONGODB-OIDC",
        "it sends a token read from a file or a cloud metadata service of the server",
    ),
    ("MONGODB-AWS", "it uses the server's AWS credentials"),
    ("GSSAPI", "it uses the server's Kerberos credentials"),
    (
        "MONGODB-X509",
        "it authenticates with a certificate file on the server",
    ),
];

/// Options that may be given more than once.
const REPEATABLE: &[&str] = &["readPreferenceTags"];

fn invalid(what: &str) -> String {
    format!(
        "The connection string is not a valid MongoDB connection string ({what}); expected mongodb://user:password@host:port/database?option=value."
    )
}

fn refused(option: &str, why: &str) -> String {
    format!("The connection string option `{option}` is not allowed: {why}.")
}

impl MongoDbString {
    /// Parses `text` and checks it against the allow-list (see the module's doc).
    pub fn parse(text: &str, stage: Stage) -> Result<Self, String> {
        if text.contains(PLACEHOLDER) {
            return Err(invalid("it holds the character U+E000"));
        }
        let text = with_placeholders(text, stage);
        if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(invalid("it holds spaces or control characters"));
        }
        let (srv, rest) = if let Some(rest) = text.strip_prefix("mongodb://") {
            (false, rest)
        } else if let Some(rest) = text.strip_prefix("mongodb+srv://") {
            (true, rest)
        } else {
            return Err(invalid("it must start with mongodb:// or mongodb+srv://"));
        };
        if rest.contains('#') {
            return Err(invalid("`#` must be written %23"));
        }
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let (path, query) = match tail.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (tail, None),
        };
        let mut parsed = Self {
            srv,
            username: None,
            password: None,
            hosts: Vec::new(),
            database: None,
            auth_source: None,
            auth_mechanism: None,
            tls: None,
            allow_invalid_certificates: false,
            allow_invalid_hostnames: false,
            options: Vec::new(),
        };
        let hosts = match authority.split_once('@') {
            Some((userinfo, hosts)) => {
                if hosts.contains('@') {
                    return Err(invalid(
                        "`@` in a user name or password must be written %40",
                    ));
                }
                let (user, password) = match userinfo.split_once(':') {
                    Some((user, password)) => (user, Some(password)),
                    None => (userinfo, None),
                };
                if user.is_empty() {
                    return Err(invalid("the user name is empty"));
                }
                parsed.username = Some(decode(user, "the user name")?);
                parsed.password = password.map(|p| decode(p, "the password")).transpose()?;
                hosts
            }
            None => authority,
        };
        parsed.hosts = hosts
            .split(',')
            .map(|host| parse_host(host, stage))
            .collect::<Result<_, _>>()?;
        if srv && (parsed.hosts.len() != 1 || parsed.hosts[0].port.is_some()) {
            return Err(invalid("mongodb+srv:// takes one host name without a port"));
        }
        let database = path.strip_prefix('/').unwrap_or(path);
        if !database.is_empty() {
            let database = decode(database, "the database")?;
            if database.contains(['/', '\\', ' ', '"', '$']) {
                return Err(invalid("the database name holds / \\ \" $ or a space"));
            }
            parsed.database = Some(database);
        }
        for pair in query
            .into_iter()
            .flat_map(|q| q.split(['&', ';']))
            .filter(|p| !p.is_empty())
        {
            parsed.option(pair)?;
        }
        Ok(parsed)
    }

    /// Checks and records one `name=value` pair of the query.
    fn option(&mut self, pair: &str) -> Result<(), String> {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(invalid("every option is name=value"));
        };
        if deferred(name) {
            return Err(
                "The connection string's option names can't be references to constants; only values can."
                    .into(),
            );
        }
        if let Some((option, why)) = MONGODB_REFUSED
            .iter()
            .find(|(option, _)| option.eq_ignore_ascii_case(name))
        {
            return Err(refused(option, why));
        }
        let Some((option, rule)) = MONGODB_OPTIONS
            .iter()
            .find(|(option, _)| option.eq_ignore_ascii_case(name))
        else {
            // The name is not quoted: it is text of a secret.
            let known: Vec<&str> = MONGODB_OPTIONS.iter().map(|(o, _)| *o).collect();
            return Err(format!(
                "The connection string holds an option envgate does not allow; the options allowed are: {}.",
                known.join(", ")
            ));
        };
        if self.options.iter().any(|(o, _)| o == option) && !REPEATABLE.contains(option) {
            return Err(format!(
                "The connection string option `{option}` is given more than once."
            ));
        }
        let value = decode(value, &format!("the value of `{option}`"))?;
        if !deferred(&value) {
            check_value(option, *rule, &value)?;
            self.apply(option, &value);
        }
        self.options.push((option, value));
        Ok(())
    }

    /// Records what the connection test uses of a checked option.
    fn apply(&mut self, option: &str, value: &str) {
        let yes = value.eq_ignore_ascii_case("true");
        match option {
            "authSource" => self.auth_source = Some(value.to_owned()),
            "authMechanism" => {
                self.auth_mechanism = [
                    Mechanism::ScramSha1,
                    Mechanism::ScramSha256,
                    Mechanism::Plain,
                ]
                .into_iter()
                .find(|m| m.as_str().eq_ignore_ascii_case(value));
            }
            "tls" | "ssl" => self.tls = Some(self.tls.unwrap_or(false) || yes),
            "tlsInsecure" => {
                self.allow_invalid_certificates |= yes;
                self.allow_invalid_hostnames |= yes;
            }
            "tlsAllowInvalidCertificates" => self.allow_invalid_certificates |= yes,
            "tlsAllowInvalidHostnames" => self.allow_invalid_hostnames |= yes,
            _ => {}
        }
    }

    /// Whether connections are encrypted: `tls`/`ssl`, on by default for
    /// `mongodb+srv://`.
    pub fn uses_tls(&self) -> bool {
        self.tls.unwrap_or(self.srv)
    }
}

fn check_value(option: &str, rule: Rule, value: &str) -> Result<(), String> {
    let wrong =
        |expected: &str| format!("The connection string option `{option}` must be {expected}.");
    match rule {
        Rule::Text if value.is_empty() => Err(wrong("a non-empty value")),
        Rule::Text => Ok(()),
        Rule::Bool if value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false") => {
            Ok(())
        }
        Rule::Bool => Err(wrong("true or false")),
        Rule::Count => value
            .parse::<u64>()
            .map(|_| ())
            .map_err(|_| wrong("a whole number, 0 or more")),
        Rule::Staleness => match value.parse::<i64>() {
            Ok(n) if n >= -1 => Ok(()),
            _ => Err(wrong("-1 or a whole number of seconds")),
        },
        Rule::WriteConcern if value.is_empty() => Err(wrong("a number, majority or a tag set")),
        Rule::WriteConcern => Ok(()),
        Rule::OneOf(allowed) if allowed.iter().any(|a| a.eq_ignore_ascii_case(value)) => Ok(()),
        Rule::OneOf(allowed) => {
            if option == "authMechanism"
                && let Some((mechanism, why)) = MECHANISMS_REFUSED
                    .iter()
                    .find(|(m, _)| m.eq_ignore_ascii_case(value))
            {
                return Err(refused(&format!("authMechanism={mechanism}"), why));
            }
            Err(wrong(&format!("one of: {}", allowed.join(", "))))
        }
    }
}

/// One `host[:port]` or `[v6]:port` of the host list.
fn parse_host(text: &str, stage: Stage) -> Result<MongoDbHost, String> {
    if text.is_empty() {
        return Err(invalid("a host is empty"));
    }
    if let Some(rest) = text.strip_prefix('[') {
        let Some((host, after)) = rest.split_once(']') else {
            return Err(invalid("an IPv6 address is not closed with ]"));
        };
        let port = match after {
            "" => None,
            after => Some(
                after
                    .strip_prefix(':')
                    .ok_or_else(|| invalid("text after an IPv6 address"))?,
            ),
        };
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(invalid("a bracketed host is not an IPv6 address"));
        }
        return Ok(MongoDbHost {
            host: host.to_owned(),
            port: port.map(|p| parse_port(p, stage)).transpose()?.flatten(),
        });
    }
    let (host, port) = match text.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (text, None),
    };
    let lower = host.to_ascii_lowercase();
    if host.contains(['/', '%']) || lower.ends_with(".sock") {
        return Err(
            "The connection string's hosts can't be Unix sockets: a socket is a file on the server."
                .into(),
        );
    }
    let name_ok = |h: &str| {
        h.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | PLACEHOLDER))
    };
    if host.is_empty() || !name_ok(host) {
        return Err(invalid("a host is not a name or an address"));
    }
    Ok(MongoDbHost {
        host: host.to_owned(),
        port: port.map(|p| parse_port(p, stage)).transpose()?.flatten(),
    })
}

/// A port, or `None` for a reference to check once substituted.
fn parse_port(port: &str, stage: Stage) -> Result<Option<u16>, String> {
    if deferred(port) && stage == Stage::Saved {
        return Ok(None);
    }
    port.parse::<u16>()
        .ok()
        .filter(|p| *p > 0)
        .map(Some)
        .ok_or_else(|| invalid("a port is not a number from 1 to 65535"))
}

fn decode(text: &str, what: &str) -> Result<String, String> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| invalid(&format!("{what} is not valid percent-encoded UTF-8")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(text: &str) -> Result<MongoDbString, String> {
        MongoDbString::parse(text, Stage::Saved)
    }

    fn resolved(text: &str) -> Result<MongoDbString, String> {
        MongoDbString::parse(text, Stage::Resolved)
    }

    #[test]
    fn harmless_strings_parse_into_their_parts() {
        let s = resolved(
            "mongodb://app:p%40ss@db1.example:27018,[::1]:27019,db3/shop?authSource=admin&AUTHMECHANISM=scram-sha-256&tls=true&tlsAllowInvalidHostnames=true&replicaSet=rs0&w=majority&readPreferenceTags=dc:ny&readPreferenceTags=",
        );
        // An empty readPreferenceTags is refused: a tag set is text.
        assert!(s.is_err());
        let s = resolved(
            "mongodb://app:p%40ss@db1.example:27018,[::1]:27019,db3/shop?authSource=admin&AUTHMECHANISM=scram-sha-256&tls=true&tlsAllowInvalidHostnames=true&replicaSet=rs0&w=majority&readPreferenceTags=dc:ny&readPreferenceTags=dc:sf",
        )
        .unwrap();
        assert_eq!(s.username.as_deref(), Some("app"));
        assert_eq!(s.password.as_deref(), Some("p@ss"));
        assert_eq!(
            s.hosts,
            [
                MongoDbHost {
                    host: "db1.example".into(),
                    port: Some(27018)
                },
                MongoDbHost {
                    host: "::1".into(),
                    port: Some(27019)
                },
                MongoDbHost {
                    host: "db3".into(),
                    port: None
                },
            ]
        );
        assert_eq!(s.database.as_deref(), Some("shop"));
        assert_eq!(s.auth_source.as_deref(), Some("admin"));
        assert_eq!(s.auth_mechanism, Some(Mechanism::ScramSha256));
        assert!(s.uses_tls() && s.allow_invalid_hostnames && !s.allow_invalid_certificates);
        assert!(!format!("{s:?}").contains("p@ss"));
        for ok in [
            "mongodb://localhost",
            "mongodb://h:27017/",
            "mongodb://h/?",
            "mongodb://u@h?ssl=false&retryWrites=true&appName=x;journal=true",
            "mongodb+srv://u:p@cluster0.example.net/db?tlsInsecure=true",
            "mongodb://h/?authMechanism=PLAIN&authSource=$external&maxStalenessSeconds=-1&timeoutMS=0",
        ] {
            assert!(resolved(ok).is_ok(), "{ok}: {:?}", resolved(ok));
        }
        assert!(resolved("mongodb+srv://c.example").unwrap().uses_tls());
    }

    #[test]
    fn options_that_read_files_or_ambient_credentials_are_refused_by_name() {
        for (string, option) in [
            ("mongodb://h/?tlsCAFile=/etc/passwd", "`tlsCAFile`"),
            ("mongodb://h/?TLSCAFILE=/etc/passwd", "`tlsCAFile`"),
            (
                "mongodb://h/?tls=true&tlsCertificateKeyFile=/k.pem",
                "`tlsCertificateKeyFile`",
            ),
            (
                "mongodb://h/?tlsCertificateKeyFilePassword=x",
                "`tlsCertificateKeyFilePassword`",
            ),
            ("mongodb://h/?sslPEMKeyFile=/k.pem", "`sslPEMKeyFile`"),
            (
                "mongodb://h/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:k8s",
                "`authMechanism=MONGODB-OIDC`",
            ),
            (
                "mongodb://h/?authMechanismProperties=ENVIRONMENT:k8s",
                "`authMechanismProperties`",
            ),
            (
                "mongodb://h/?authMechanism=mongodb-aws",
                "`authMechanism=MONGODB-AWS`",
            ),
            (
                "mongodb://u@h/?authMechanism=GSSAPI",
                "`authMechanism=GSSAPI`",
            ),
            (
                "mongodb://h/?authMechanism=MONGODB-X509",
                "`authMechanism=MONGODB-X509`",
            ),
            ("mongodb://h/?proxyHost=evil.example", "`proxyHost`"),
            ("mongodb://h/?appName=a;tlsCAFile=/x", "`tlsCAFile`"),
        ] {
            let error = resolved(string).unwrap_err();
            assert!(
                error.starts_with("The connection string option ")
                    && error.contains(option)
                    && error.contains("is not allowed"),
                "{string}: {error}"
            );
            assert!(!error.contains("/etc") && !error.contains("k8s"), "{error}");
        }
        assert!(
            resolved("mongodb://h/?tlsCAFile=x")
                .unwrap_err()
                .contains("reads a file on the server")
        );
    }

    #[test]
    fn unknown_options_and_odd_syntax_are_refused_without_quoting() {
        let secret = "hunter2secret";
        for bad in [
            format!("mongodb://h/?{secret}=1"),
            format!("mongodb://h/?tls%43AFile=/x&p={secret}"),
            format!("postgres://u:{secret}@h"),
            format!("mongodb://u:{secret}@h/?tls=maybe"),
            format!("mongodb://u:{secret}@h:99999"),
            format!("mongodb://u:{secret}@/tmp/mongodb-27017.sock"),
            format!("mongodb://u:{secret}@%2Ftmp%2Fmongodb-27017.sock"),
            format!("mongodb://u:{secret}@a@h"),
            format!("mongodb://u:{secret}@h/?authMechanism=MONGODB-CR"),
            format!("mongodb://u:{secret}@h/?w"),
            format!("mongodb://u:{secret}@h/?tls=true&tls=false"),
            format!("mongodb://u:{secret} @h"),
            format!("mongodb+srv://u:{secret}@a,b"),
        ] {
            let error = resolved(&bad).unwrap_err();
            assert!(!error.contains(secret), "{bad}: {error}");
        }
        assert!(
            resolved("mongodb://%2Ftmp%2Fx.sock")
                .unwrap_err()
                .contains("Unix sockets")
        );
        assert!(
            resolved("mongodb://db.sock:1")
                .unwrap_err()
                .contains("Unix sockets")
        );
    }

    #[test]
    fn references_are_checked_once_substituted() {
        // Saved: a reference may stand for a host, a port, credentials and values.
        let s = saved("mongodb://{{secrets.USER}}:{{secrets.PW}}@{{constants.HOST}}:{{constants.PORT}}/db?appName={{constants.APP}}&tls={{constants.TLS}}").unwrap();
        assert_eq!(s.hosts.len(), 1);
        // Not for an option name.
        assert!(saved("mongodb://h/?{{constants.OPTION}}=1").is_err());
        // Refused options are refused as saved, references or not.
        assert!(saved("mongodb://{{constants.H}}/?tlsCAFile={{constants.F}}").is_err());
        // What a reference stands for is checked when it is substituted.
        let substituted = "mongodb://h/?appName=x&authMechanism=MONGODB-OIDC";
        assert!(saved("mongodb://h/?appName={{constants.APP}}").is_ok());
        assert!(resolved(substituted).unwrap_err().contains("MONGODB-OIDC"));
        // At Resolved, braces are text: a host can't be one.
        assert!(resolved("mongodb://{{constants.HOST}}").is_err());
    }

    #[test]
    fn urls_are_http_or_https() {
        for ok in [
            "https://api.example.com/v1",
            "HTTP://10.0.0.1:8080",
            "https://{{constants.API_HOST}}/v1",
            "{{constants.BASE_URL}}/v1",
        ] {
            assert!(check(Format::HttpUrl, ok, Stage::Saved).is_ok(), "{ok}");
        }
        for bad in [
            "file:///etc/passwd",
            "gopher://h/",
            "ftp://h/",
            "//h/x",
            "h/x",
            "javascript:alert(1)",
        ] {
            assert!(check(Format::HttpUrl, bad, Stage::Saved).is_err(), "{bad}");
            assert!(
                check(Format::HttpUrl, bad, Stage::Resolved).is_err(),
                "{bad}"
            );
        }
        assert!(check(Format::HttpUrl, "https://h/v1", Stage::Resolved).is_ok());
        assert!(check(Format::HttpUrl, "https://", Stage::Resolved).is_err());
        // Substituted, a reference's scheme is checked.
        assert!(
            check(
                Format::HttpUrl,
                "{{constants.BASE_URL}}/v1",
                Stage::Resolved
            )
            .is_err()
        );
    }
}
