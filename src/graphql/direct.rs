//! Lists written straight to JSON. async-graphql builds a tree of values for every
//! response (an `IndexMap` per object, a `String` per scalar), then field order is fixed
//! on it and it is serialized: for a page of data sources with their option values that
//! is most of a builder read's CPU. Over HTTP, a list whose items' types declare every
//! field asked in their field tables ([`InlineFields`]) is written as JSON where it
//! stands instead, as the request's plan says it is asked, and carried in the tree as
//! a [`Value::Binary`]; [`response_json`] splices it into the response as it is.
//! Anything else (a field that waits, an item that would fail) makes the writer give
//! up, and the list resolves through async-graphql as usual, so
//! answers and errors are the same either way: the integration suite compares every
//! query's answer with its [`Reference`] answer, which writes nothing ahead.
//!
//! No envgate field returns bytes, so a `Value::Binary` in a response is always JSON
//! written here; only a transport that writes responses with [`response_json`] asks
//! for it (by placing [`Splice`] in the request's data), so the WebSocket, which
//! serializes responses itself, never sees one.

use async_graphql::{ContextSelectionSet, Response, Value};

use super::Reference;
use super::inline::InlineFields;
use super::plan::{self, Selection};

/// In a request's data: its response is written with [`response_json`], so lists may
/// be written ahead as JSON.
pub struct Splice;

/// Whether the request of `ctx` takes lists written ahead: its transport splices them
/// in, and it does not ask for the [`Reference`] answer (which resolves every list
/// through async-graphql).
pub fn enabled(ctx: &ContextSelectionSet<'_>) -> bool {
    ctx.data_opt::<Splice>().is_some() && !Reference::asked(ctx)
}

/// Writes one value straight to JSON, as its selection asks; `None` when the value
/// needs the general path.
pub type Writer<'a, T> = Box<dyn Fn(&T, &mut Json) -> Option<()> + 'a>;

/// `items` written straight to JSON as the request's plan says the list at `ctx` is
/// asked, counted in `/metrics`; `None` when the request does not take lists written
/// ahead, or the selection or an item needs the general path.
pub fn list<T: InlineFields>(ctx: &ContextSelectionSet<'_>, items: &[T]) -> Option<Value> {
    if !enabled(ctx) {
        return None;
    }
    let write = writer::<T>(ctx, &plan::here(ctx)?.selection)?;
    let mut json = Json::with_capacity(items.len() * 512);
    json.list(items, |json, item| write(item, json))?;
    if let Some(app) = ctx.data_opt::<crate::app::AppState>() {
        app.metrics.lists_written.inc();
    }
    Some(json.into_value())
}

/// How one field of a `T` is written.
enum Write<'a, T> {
    TypeName,
    /// From the type's field table.
    Plain(fn(&T, &mut Json)),
    /// By the type's [`InlineFields::nested`].
    Nested(Writer<'a, T>),
}

/// How to write a `T` asked `selection` (under `ctx`), from its field table and its
/// [`InlineFields::nested`] writers; `None` when a field it asks can't be written.
/// Keys asked more than once are written once, with what their occurrences ask
/// merged, as async-graphql merges them.
pub fn writer<'a, T: InlineFields>(
    ctx: &ContextSelectionSet<'a>,
    selection: &'a Selection<'a>,
) -> Option<Writer<'a, T>> {
    let type_name = T::type_name();
    if !selection.is_for(&type_name) {
        return None;
    }
    let variables = &ctx.query_env.variables;
    let fields = selection
        .running(variables)
        .map(|planned| {
            let name = planned.name.as_str();
            let write = match T::PLAIN.iter().find(|plain| plain.name == name) {
                _ if name == "__typename" => Write::TypeName,
                Some(plain) => Write::Plain(plain.write),
                None => Write::Nested(T::nested(ctx, planned)?),
            };
            Some((Key::new(planned.key), write))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Box::new(move |item, json| {
        json.object(&fields, |json, write| {
            match write {
                Write::TypeName => json.str(&type_name),
                Write::Plain(write) => write(item, json),
                Write::Nested(write) => return write(item, json),
            }
            Some(())
        })
    }))
}

/// A key of an object, written once as `"key":` (escaped) for every object it is
/// written in.
pub struct Key(Box<[u8]>);

impl Key {
    pub fn new(key: &str) -> Self {
        let mut json = Json::with_capacity(key.len() + 3);
        json.str(key);
        json.0.push(b':');
        Self(json.0.into_boxed_slice())
    }
}

/// JSON being written for a part of a response.
pub struct Json(Vec<u8>);

impl Json {
    pub fn with_capacity(bytes: usize) -> Self {
        Self(Vec::with_capacity(bytes))
    }

    /// Punctuation, as it is.
    pub fn raw(&mut self, text: &str) {
        self.0.extend_from_slice(text.as_bytes());
    }

    /// `"key":`, after a comma unless it is the object's first.
    pub fn key(&mut self, index: usize, key: &str) {
        if index > 0 {
            self.0.push(b',');
        }
        self.str(key);
        self.0.push(b':');
    }

    /// An object of `fields`, each value written by `value` after its key; `None` as
    /// soon as one can't be.
    pub fn object<F>(
        &mut self,
        fields: &[(Key, F)],
        mut value: impl FnMut(&mut Self, &F) -> Option<()>,
    ) -> Option<()> {
        self.0.push(b'{');
        for (i, (key, field)) in fields.iter().enumerate() {
            if i > 0 {
                self.0.push(b',');
            }
            self.0.extend_from_slice(&key.0);
            value(self, field)?;
        }
        self.0.push(b'}');
        Some(())
    }

    /// A list of `items`, each written by `item`; `None` as soon as one can't be.
    pub fn list<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut item: impl FnMut(&mut Self, T) -> Option<()>,
    ) -> Option<()> {
        self.0.push(b'[');
        for (i, value) in items.into_iter().enumerate() {
            if i > 0 {
                self.0.push(b',');
            }
            item(self, value)?;
        }
        self.0.push(b']');
        Some(())
    }

    /// A string, or null.
    pub fn opt_str(&mut self, text: Option<&str>) {
        match text {
            Some(text) => self.str(text),
            None => self.raw("null"),
        }
    }

    /// A string, escaped.
    pub fn str(&mut self, text: &str) {
        // Writing into a Vec does not fail.
        let _ = serde_json::to_writer(&mut self.0, text);
    }

    /// A boolean.
    pub fn bool(&mut self, value: bool) {
        self.raw(if value { "true" } else { "false" });
    }

    /// An integer.
    pub fn int(&mut self, value: i32) {
        let _ = serde_json::to_writer(&mut self.0, &value);
    }

    /// A UUID as a string (an `ID`), as `Uuid::to_string` spells it.
    pub fn uuid(&mut self, id: &uuid::Uuid) {
        let mut buffer = uuid::Uuid::encode_buffer();
        // Hex digits and hyphens: nothing to escape.
        self.0.push(b'"');
        self.raw(id.hyphenated().encode_lower(&mut buffer));
        self.0.push(b'"');
    }

    /// A time, as the `DateTime` scalar answers it.
    pub fn time(&mut self, at: &chrono::DateTime<chrono::Utc>) {
        self.value(&async_graphql::ScalarType::to_value(at));
    }

    /// A time, or null.
    pub fn opt_time(&mut self, at: Option<&chrono::DateTime<chrono::Utc>>) {
        match at {
            Some(at) => self.time(at),
            None => self.raw("null"),
        }
    }

    /// A JSON value as it is.
    pub fn json(&mut self, value: &serde_json::Value) {
        let _ = serde_json::to_writer(&mut self.0, value);
    }

    /// An async-graphql value, as async-graphql serializes it.
    pub fn value(&mut self, value: &Value) {
        match value {
            Value::Null => self.raw("null"),
            Value::Number(number) => {
                let _ = serde_json::to_writer(&mut self.0, number);
            }
            Value::String(text) => self.str(text),
            Value::Boolean(b) => self.bool(*b),
            Value::Enum(name) => self.str(name),
            Value::Binary(written) => self.0.extend_from_slice(written),
            Value::List(items) => {
                self.list(items, |json, item| {
                    json.value(item);
                    Some(())
                });
            }
            Value::Object(map) => {
                self.0.push(b'{');
                for (i, (key, value)) in map.iter().enumerate() {
                    self.key(i, key);
                    self.value(value);
                }
                self.0.push(b'}');
            }
        }
    }

    /// The JSON, to be carried in a response's tree.
    pub fn into_value(self) -> Value {
        Value::Binary(self.0.into())
    }

    /// The JSON written, in an allocation of its own size: for JSON kept long (the
    /// buffer grew by doubling, and a kept answer would otherwise hold up to twice its
    /// size).
    pub fn into_kept_bytes(self) -> bytes::Bytes {
        let mut written = self.0;
        written.shrink_to_fit();
        written.into()
    }
}

/// A response as JSON, lists written ahead spliced in: what `serde_json` makes of a
/// [`Response`] (`data`, then `extensions` and `errors` when there are any).
pub fn response_json(response: &Response) -> serde_json::Result<Vec<u8>> {
    let mut json = Json::with_capacity(4096);
    json.raw("{");
    json.key(0, "data");
    json.value(&response.data);
    if !response.extensions.is_empty() {
        json.key(1, "extensions");
        serde_json::to_writer(&mut json.0, &response.extensions)?;
    }
    if !response.errors.is_empty() {
        json.key(1, "errors");
        serde_json::to_writer(&mut json.0, &response.errors)?;
    }
    json.raw("}");
    Ok(json.0)
}
