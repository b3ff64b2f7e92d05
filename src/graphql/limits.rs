//! Limits on what one request may make the server do, each checked before the work it
//! bounds can grow, and each a setting with a safe default:
//!
//! - the query's **text**, before it is parsed: how many tokens it holds, and how deep
//!   `{`, `[` and `(` nest (the parser recurses once per level of a list or object
//!   value: a few kilobytes of `[[[…` would overflow a worker's stack);
//! - its **variables**: how deep their lists and objects nest;
//! - its parsed **document**, before async-graphql validates it: how many fields and
//!   aliases it selects with every fragment spread expanded. Validation walks a spread
//!   again each time it meets it (`check_recursive_depth` and the complexity and depth
//!   visitors of async-graphql 7.2.1), so four spreads of a fragment that spreads the
//!   next four times cost 4^levels; here each fragment's expansion is sized once and
//!   remembered, a cycle is refused, and a document too big is never validated.
//!
//! Depth and complexity (checked by async-graphql's validation, once these bounds hold)
//! and the WebSocket limits (see `http/websocket.rs`) are settings here too.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Positioned, ServerError, Value, Variables};

/// The limits, from the command line or the environment (`envgate serve --help`).
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct Limits {
    /// Largest number of lexical tokens (names, values, punctuation) in a query's text,
    /// counted before it is parsed.
    #[arg(long, env = "ENVGATE_MAX_QUERY_TOKENS", default_value_t = 10_000)]
    pub max_query_tokens: usize,
    /// How deep braces, brackets and parentheses may nest in a query's text, and lists
    /// and objects in its variables.
    #[arg(long, env = "ENVGATE_MAX_NESTING", default_value_t = 64)]
    pub max_nesting: usize,
    /// Largest number of fields a request selects, counted with every fragment spread
    /// expanded (no fragment definition may expand to more either).
    #[arg(long, env = "ENVGATE_MAX_FIELDS", default_value_t = 2_000)]
    pub max_fields: usize,
    /// Largest number of aliased fields a request selects, counted the same way.
    #[arg(long, env = "ENVGATE_MAX_ALIASES", default_value_t = 100)]
    pub max_aliases: usize,
    /// Deepest a selection may nest (introspection needs about 13).
    #[arg(long, env = "ENVGATE_MAX_DEPTH", default_value_t = 24)]
    pub max_depth: usize,
    /// Largest query complexity: one per field, list fields once per item they can
    /// hold (a page's `first`; 10 for a list without paging).
    #[arg(long, env = "ENVGATE_MAX_COMPLEXITY", default_value_t = 10_000)]
    pub max_complexity: usize,
    /// Operations one WebSocket connection may run at the same time.
    #[arg(long, env = "ENVGATE_MAX_WEBSOCKET_OPERATIONS", default_value_t = 32)]
    pub max_websocket_operations: usize,
    /// Subscriptions one token may hold open at the same time, over all its
    /// connections.
    #[arg(
        long,
        env = "ENVGATE_MAX_SUBSCRIPTIONS_PER_TOKEN",
        default_value_t = 100
    )]
    pub max_subscriptions_per_token: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_query_tokens: 10_000,
            max_nesting: 64,
            max_fields: 2_000,
            max_aliases: 100,
            max_depth: 24,
            max_complexity: 10_000,
            max_websocket_operations: 32,
            max_subscriptions_per_token: 100,
        }
    }
}

/// How deep selections may recurse through fragment spreads: async-graphql's own
/// default, set explicitly so that this module and its check agree.
pub const MAX_RECURSION: usize = 32;

/// What a list without paging counts as against the complexity limit, per item.
pub const UNPAGED_LIST_ITEMS: usize = 10;

/// A refusal: a GraphQL error outside any field, with its `extensions.code`.
pub fn refusal(code: &str, message: impl Into<String>) -> ServerError {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    error
}

impl Limits {
    /// Checks a query's text before it is parsed: its tokens and its nesting.
    pub fn check_text(&self, query: &str) -> Result<(), ServerError> {
        let (tokens, nesting) = scan(query, self.max_query_tokens, self.max_nesting);
        if tokens > self.max_query_tokens {
            return Err(refusal(
                "BAD_REQUEST",
                format!(
                    "The query is too long: it holds more than {} tokens.",
                    self.max_query_tokens
                ),
            ));
        }
        if nesting > self.max_nesting {
            return Err(refusal(
                "BAD_REQUEST",
                format!(
                    "The query nests braces, brackets or parentheses more than {} deep.",
                    self.max_nesting
                ),
            ));
        }
        Ok(())
    }

    /// Checks how deep a request's variables nest.
    pub fn check_variables(&self, variables: &Variables) -> Result<(), ServerError> {
        if variables
            .iter()
            .all(|(_, value)| nests_within(value, self.max_nesting))
        {
            return Ok(());
        }
        Err(refusal(
            "BAD_REQUEST",
            format!(
                "The variables nest lists or objects more than {} deep.",
                self.max_nesting
            ),
        ))
    }

    /// Checks a parsed document before it is validated: fields and aliases with every
    /// fragment spread expanded, each fragment sized once.
    pub fn check_document(&self, document: &ExecutableDocument) -> Result<(), ServerError> {
        let mut sizer = Sizer {
            document,
            sizes: HashMap::with_capacity(document.fragments.len()),
        };
        let mut total = Size::default();
        for (_, operation) in document.operations.iter() {
            total = total.plus(sizer.selection_set(&operation.node.selection_set, 0)?);
        }
        self.check_size(total, "The request")?;
        // Validation walks every fragment definition too, used or not.
        for name in document.fragments.keys() {
            let size = sizer.fragment(name, 0)?;
            self.check_size(size, &format!("The fragment `{name}`"))?;
        }
        Ok(())
    }

    fn check_size(&self, size: Size, what: &str) -> Result<(), ServerError> {
        if size.height > MAX_RECURSION {
            return Err(too_deep());
        }
        if size.fields > self.max_fields {
            return Err(refusal(
                "GRAPHQL_VALIDATION_FAILED",
                format!(
                    "{what} selects more than {} fields once its fragments are expanded; ask for less, or split it.",
                    self.max_fields
                ),
            ));
        }
        if size.aliases > self.max_aliases {
            return Err(refusal(
                "GRAPHQL_VALIDATION_FAILED",
                format!(
                    "{what} uses more than {} aliases once its fragments are expanded.",
                    self.max_aliases
                ),
            ));
        }
        Ok(())
    }
}

/// Counts the tokens of a query's text and the deepest nesting of `{`, `[` and `(`, as
/// GraphQL's lexer would see them (strings, block strings and comments skipped), and
/// stops as soon as either passes its limit.
fn scan(query: &str, max_tokens: usize, max_nesting: usize) -> (usize, usize) {
    let bytes = query.as_bytes();
    let (mut at, mut tokens, mut depth, mut deepest) = (0, 0, 0usize, 0);
    let name_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    while at < bytes.len() {
        let byte = bytes[at];
        at += 1;
        match byte {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => continue,
            b'#' => {
                while at < bytes.len() && !matches!(bytes[at], b'\n' | b'\r') {
                    at += 1;
                }
                continue;
            }
            b'"' => at = string_end(bytes, at),
            b'{' | b'[' | b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            b'.' => {
                while at < bytes.len() && bytes[at] == b'.' {
                    at += 1;
                }
            }
            // Names, and numbers with their fraction and exponent.
            b'-' | b'0'..=b'9' => {
                while at < bytes.len() && (name_byte(bytes[at]) || b"+-.".contains(&bytes[at])) {
                    at += 1;
                }
            }
            b if name_byte(b) => {
                while at < bytes.len() && name_byte(bytes[at]) {
                    at += 1;
                }
            }
            // Other punctuation, and bytes the parser will refuse.
            _ => {}
        }
        tokens += 1;
        if tokens > max_tokens || deepest > max_nesting {
            break;
        }
    }
    (tokens, deepest)
}

/// Where the string that opened just before `at` ends: a block string at its closing
/// `"""` (`\"""` does not close it), a string at its closing quote or its line's end.
fn string_end(bytes: &[u8], at: usize) -> usize {
    if bytes[at..].starts_with(b"\"\"") {
        let mut at = at + 2;
        while at < bytes.len() {
            if bytes[at..].starts_with(b"\\\"\"\"") {
                at += 4;
            } else if bytes[at..].starts_with(b"\"\"\"") {
                return at + 3;
            } else {
                at += 1;
            }
        }
        return at;
    }
    let mut at = at;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            b'\n' | b'\r' => return at,
            _ => at += 1,
        }
    }
    bytes.len()
}

/// Whether `value` nests lists and objects at most `levels` deep.
fn nests_within(value: &Value, levels: usize) -> bool {
    match value {
        Value::List(items) => levels > 0 && items.iter().all(|v| nests_within(v, levels - 1)),
        Value::Object(fields) => levels > 0 && fields.values().all(|v| nests_within(v, levels - 1)),
        _ => true,
    }
}

/// What a selection costs once expanded: its fields, how many of them are aliased, and
/// how many levels of selections, spreads and inline fragments it nests (as
/// async-graphql's recursion check counts them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Size {
    fields: usize,
    aliases: usize,
    height: usize,
}

impl Size {
    /// Two selections side by side. Sizes of expanded fragments multiply quickly: they
    /// saturate rather than wrap.
    fn plus(self, other: Self) -> Self {
        Self {
            fields: self.fields.saturating_add(other.fields),
            aliases: self.aliases.saturating_add(other.aliases),
            height: self.height.max(other.height),
        }
    }

    /// This selection one level further down.
    fn nested(self) -> Self {
        Self {
            height: self.height + 1,
            ..self
        }
    }
}

fn too_deep() -> ServerError {
    refusal(
        "GRAPHQL_VALIDATION_FAILED",
        format!("The recursion depth of the query cannot be greater than `{MAX_RECURSION}`"),
    )
}

/// Sizes selections, remembering each fragment's expanded size: every fragment is
/// walked once however many spreads name it. A walk deeper than [`MAX_RECURSION`] is
/// refused as it goes, so the walk's own recursion stays bounded.
struct Sizer<'a> {
    document: &'a ExecutableDocument,
    /// `None` while the fragment is being sized: meeting it again is a cycle.
    sizes: HashMap<&'a str, Option<Size>>,
}

impl<'a> Sizer<'a> {
    /// The size of the fragment's selection set.
    fn fragment(&mut self, name: &'a str, depth: usize) -> Result<Size, ServerError> {
        match self.sizes.get(name) {
            Some(Some(size)) => return Ok(*size),
            Some(None) => {
                return Err(refusal(
                    "GRAPHQL_VALIDATION_FAILED",
                    format!("Cannot spread fragment `{name}` within itself."),
                ));
            }
            None => {}
        }
        // An unknown fragment is validation's to report; it adds nothing here.
        let Some(fragment) = self.document.fragments.get(name) else {
            return Ok(Size::default());
        };
        self.sizes.insert(name, None);
        let size = self.selection_set(&fragment.node.selection_set, depth)?;
        self.sizes.insert(name, Some(size));
        Ok(size)
    }

    /// The size of a selection set `depth` levels below where the walk began.
    fn selection_set(
        &mut self,
        set: &'a Positioned<SelectionSet>,
        depth: usize,
    ) -> Result<Size, ServerError> {
        if depth > MAX_RECURSION {
            return Err(too_deep());
        }
        let mut size = Size::default();
        for selection in &set.node.items {
            size = size.plus(match &selection.node {
                Selection::Field(field) => {
                    let own = Size {
                        fields: 1,
                        aliases: usize::from(field.node.alias.is_some()),
                        height: 0,
                    };
                    let children = &field.node.selection_set;
                    if children.node.items.is_empty() {
                        own
                    } else {
                        own.plus(self.selection_set(children, depth + 1)?.nested())
                    }
                }
                Selection::FragmentSpread(spread) => self
                    .fragment(spread.node.fragment_name.node.as_str(), depth + 1)?
                    .nested(),
                Selection::InlineFragment(inline) => self
                    .selection_set(&inline.node.selection_set, depth + 1)?
                    .nested(),
            });
        }
        Ok(size)
    }
}

/// Places taken out of a fixed number and given back when their [`Place`] is dropped:
/// the operations running on one WebSocket connection (one key), the subscriptions
/// open under each token (keyed by token).
#[derive(Debug)]
pub struct Places<K: Eq + Hash>(Arc<Mutex<HashMap<K, usize>>>);

impl<K: Eq + Hash> Default for Places<K> {
    fn default() -> Self {
        Self(Arc::default())
    }
}

impl<K: Eq + Hash + Clone> Places<K> {
    /// A place under `key`, unless `limit` of them are taken.
    pub fn take(&self, key: K, limit: usize) -> Option<Place<K>> {
        let mut taken = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let count = taken.entry(key.clone()).or_default();
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(Place {
            places: Arc::clone(&self.0),
            key,
        })
    }

    /// How many places are taken under `key`.
    #[cfg(test)]
    pub fn taken(&self, key: &K) -> usize {
        let taken = self.0.lock().unwrap_or_else(|p| p.into_inner());
        taken.get(key).copied().unwrap_or(0)
    }
}

/// One place taken from [`Places`], given back on drop.
#[derive(Debug)]
pub struct Place<K: Eq + Hash> {
    places: Arc<Mutex<HashMap<K, usize>>>,
    key: K,
}

impl<K: Eq + Hash> Drop for Place<K> {
    fn drop(&mut self) {
        let mut taken = self.places.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = taken.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                taken.remove(&self.key);
            }
        }
    }
}

/// A token, as the subscriptions it holds are counted: the SHA-256 of its text.
pub type TokenKey = [u8; 32];

/// What a WebSocket connection holds in its data for the limits: the places of its
/// operations, and the token it authenticated with.
#[derive(Debug)]
pub struct WebSocketPlaces {
    pub operations: Places<()>,
    pub token: TokenKey,
}

impl WebSocketPlaces {
    /// The places of a connection authenticated with `authorization` (a token, with
    /// or without its `Bearer ` scheme: the token alone is counted, however the scheme
    /// is spelled).
    pub fn new(authorization: &str) -> Self {
        use sha2::Digest as _;
        let authorization = authorization.trim();
        let token = match authorization.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => authorization,
        };
        Self {
            operations: Places::default(),
            token: sha2::Sha256::digest(token.as_bytes()).into(),
        }
    }
}

/// The places an operation over a WebSocket holds while it runs.
#[derive(Debug)]
pub struct OperationPlaces {
    _operation: Place<()>,
    _subscription: Option<Place<TokenKey>>,
}

impl Limits {
    /// Takes the places an operation needs on its connection: one of the connection's
    /// operations, and one of its token's subscriptions when it is one.
    pub fn admit(
        &self,
        connection: &WebSocketPlaces,
        subscriptions: &Places<TokenKey>,
        subscription: bool,
    ) -> Result<OperationPlaces, ServerError> {
        let operation = connection
            .operations
            .take((), self.max_websocket_operations)
            .ok_or_else(|| {
                refusal(
                    "BAD_REQUEST",
                    format!(
                        "This connection already runs {} operations at once: complete one first.",
                        self.max_websocket_operations
                    ),
                )
            })?;
        let subscription = if subscription {
            let place = subscriptions
                .take(connection.token, self.max_subscriptions_per_token)
                .ok_or_else(|| {
                    refusal(
                        "BAD_REQUEST",
                        format!(
                            "This token already holds {} subscriptions open: complete one first.",
                            self.max_subscriptions_per_token
                        ),
                    )
                })?;
            Some(place)
        } else {
            None
        };
        Ok(OperationPlaces {
            _operation: operation,
            _subscription: subscription,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(query).unwrap()
    }

    #[test]
    fn tokens_and_nesting_are_counted_as_the_lexer_sees_them() {
        assert_eq!(scan("{ a(b: 1.5e+3) }", 100, 100), (8, 2));
        assert_eq!(
            scan(
                "query Q($x: [Int!]) { a { ...F } } # { [ ( ignored",
                100,
                100
            ),
            (18, 2)
        );
        // Strings, block strings and their escapes hide what they hold.
        assert_eq!(scan(r#"{ a(s: "{[(\"") }"#, 100, 100), (8, 2));
        assert_eq!(scan(r#"{ a(s: """ {{{ \""" [[[ """) }"#, 100, 100), (8, 2));
        // The scan stops once a limit is passed.
        assert_eq!(scan(&"[".repeat(100_000), 1_000_000, 64), (65, 65));
        assert_eq!(scan(&"a ".repeat(100_000), 10, 64), (11, 0));
    }

    #[test]
    fn deep_values_and_long_texts_are_refused_before_parsing() {
        let limits = Limits::default();
        let deep = format!("{{ a(b: {}1{}) }}", "[".repeat(3000), "]".repeat(3000));
        let error = limits.check_text(&deep).unwrap_err();
        assert!(
            error.message.contains("more than 64 deep"),
            "{}",
            error.message
        );
        let objects = format!("{{ a(b: {}1{}) }}", "{x: ".repeat(70), "}".repeat(70));
        assert!(limits.check_text(&objects).is_err());
        let long = format!("{{ {} }}", "a ".repeat(10_000));
        assert!(
            limits
                .check_text(&long)
                .unwrap_err()
                .message
                .contains("10000 tokens")
        );
        let introspection_sized = format!("{{ a(b: {}1{}) }}", "[".repeat(30), "]".repeat(30));
        assert!(limits.check_text(&introspection_sized).is_ok());
    }

    #[test]
    fn variables_nest_within_the_limit() {
        let limits = Limits::default();
        let mut value = serde_json::json!(1);
        for _ in 0..65 {
            value = serde_json::json!([value]);
        }
        let deep = Variables::from_json(serde_json::json!({ "x": value }));
        assert!(limits.check_variables(&deep).is_err());
        let shallow = Variables::from_json(serde_json::json!({ "x": [[{"a": [1]}]] }));
        assert!(limits.check_variables(&shallow).is_ok());
    }

    /// `fragment Fi on Query { ...F(i+1) ×4 }`, `levels` deep.
    fn fan_out(levels: usize) -> String {
        let mut query = String::from("query { ...F0 }\n");
        for i in 0..levels {
            let next = format!("...F{} ", i + 1);
            query += &format!("fragment F{i} on Query {{ {} }}\n", next.repeat(4));
        }
        query + &format!("fragment F{levels} on Query {{ __typename }}\n")
    }

    #[test]
    fn fragment_fan_out_is_sized_once_per_fragment_and_refused() {
        let limits = Limits::default();
        // 4^5 = 1,024 fields: within the limit.
        assert!(limits.check_document(&parse(&fan_out(5))).is_ok());
        // 4^6 = 4,096 fields; and 4^30 is sized as fast.
        for levels in [6, 30] {
            let error = limits.check_document(&parse(&fan_out(levels))).unwrap_err();
            assert!(error.message.contains("2000 fields"), "{}", error.message);
        }
    }

    #[test]
    fn aliases_cycles_and_deep_chains_are_refused() {
        let limits = Limits::default();
        let aliases: String = (0..101).map(|i| format!("a{i}: __typename ")).collect();
        let error = limits
            .check_document(&parse(&format!("{{ {aliases} }}")))
            .unwrap_err();
        assert!(error.message.contains("100 aliases"), "{}", error.message);
        // A cycle, even in a fragment no operation uses.
        let cycle = "{ __typename } fragment A on Query { ...B } fragment B on Query { ...A }";
        let error = limits.check_document(&parse(cycle)).unwrap_err();
        assert!(error.message.contains("within itself"), "{}", error.message);
        // A chain of fragments deeper than async-graphql's recursion limit.
        let mut chain = String::from("{ ...F0 }");
        for i in 0..40 {
            chain += &format!(" fragment F{i} on Query {{ ...F{} }}", i + 1);
        }
        chain += " fragment F40 on Query { __typename }";
        let error = limits.check_document(&parse(&chain)).unwrap_err();
        assert!(
            error.message.contains("recursion depth"),
            "{}",
            error.message
        );
        // Within it, whatever order the fragments are sized in.
        let mut chain = String::from("{ ...F0 }");
        for i in 0..20 {
            chain += &format!(" fragment F{i} on Query {{ ...F{} }}", i + 1);
        }
        chain += " fragment F20 on Query { __typename }";
        assert!(limits.check_document(&parse(&chain)).is_ok());
        assert_eq!(
            error.extensions.unwrap().get("code"),
            Some(&Value::from("GRAPHQL_VALIDATION_FAILED"))
        );
    }
}

#[cfg(test)]
mod places_tests {
    use super::*;

    #[test]
    fn places_are_given_back_when_dropped() {
        let limits = Limits {
            max_websocket_operations: 2,
            max_subscriptions_per_token: 1,
            ..Limits::default()
        };
        let subscriptions = Places::default();
        let one = WebSocketPlaces::new("Bearer token-a");
        // The same token, its scheme spelled otherwise.
        let other = WebSocketPlaces::new(" bearer  token-a ");
        assert_eq!(one.token, WebSocketPlaces::new("token-a").token);
        let first = limits.admit(&one, &subscriptions, true).unwrap();
        // The token's one subscription is taken, on this connection or another.
        assert!(limits.admit(&other, &subscriptions, true).is_err());
        let query = limits.admit(&one, &subscriptions, false).unwrap();
        let error = limits.admit(&one, &subscriptions, false).unwrap_err();
        assert!(error.message.contains("2 operations"), "{}", error.message);
        drop(first);
        assert_eq!(subscriptions.taken(&one.token), 0);
        assert!(limits.admit(&other, &subscriptions, true).is_ok());
        drop(query);
        assert_eq!(one.operations.taken(&()), 0);
    }
}
