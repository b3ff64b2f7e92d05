//! Lists written straight to JSON. async-graphql builds a tree of values for every
//! response (an `IndexMap` per object, a `String` per scalar), then field order is fixed
//! on it and it is serialized: for a page of data sources with their option values that
//! is most of a builder read's CPU. Over HTTP, a list on the hot path whose selection is
//! plain (see [`selection`]) is written as JSON where it stands instead, and carried in
//! the tree as a [`Value::Binary`]; [`response_json`] splices it into the response as
//! it is. Anything else (an unknown field, a key asked twice, an item that would fail)
//! makes the writer give up, and the list resolves through async-graphql as usual, so
//! answers and errors are the same either way: the integration suite compares every
//! query's answer with its [`Reference`] answer, which writes nothing ahead.
//!
//! No envgate field returns bytes, so a `Value::Binary` in a response is always JSON
//! written here; only a transport that writes responses with [`response_json`] asks
//! for it (by placing [`Splice`] in the request's data), so the WebSocket, which
//! serializes responses itself, never sees one.

use async_graphql::parser::types::{Field, SelectionSet};
use async_graphql::{ContextSelectionSet, Name, Positioned, Response, Value};

use super::Reference;
use super::inline::{self, key};

/// In a request's data: its response is written with [`response_json`], so lists may
/// be written ahead as JSON.
pub struct Splice;

/// Whether the request of `ctx` takes lists written ahead: its transport splices them
/// in, and it does not ask for the [`Reference`] answer (which resolves every list
/// through async-graphql).
pub fn enabled(ctx: &ContextSelectionSet<'_>) -> bool {
    ctx.data_opt::<Splice>().is_some() && !Reference::asked(ctx)
}

/// Writes one item of a list straight to JSON, as its selection asks; `None` when the
/// item needs the general path.
pub type Writer<'a, T> = Box<dyn Fn(&T, &mut Json) -> Option<()> + 'a>;

/// `items` written straight to JSON with the writer `writer` makes for the selection
/// of `ctx`, counted in `/metrics`; `None` when the request does not take lists written
/// ahead, or the selection or an item needs the general path.
pub fn list<'a, T>(
    ctx: &ContextSelectionSet<'a>,
    items: &[T],
    writer: impl FnOnce(&ContextSelectionSet<'a>) -> Option<Writer<'a, T>>,
) -> Option<Value> {
    if !enabled(ctx) {
        return None;
    }
    let write = writer(ctx)?;
    let mut json = Json::with_capacity(items.len() * 512);
    json.list(items, |json, item| write(item, json))?;
    if let Some(app) = ctx.data_opt::<crate::app::AppState>() {
        app.metrics.lists_written.inc();
    }
    Some(json.into_value())
}

/// The fields a plain selection asks of an object of type `type_name`, in the order
/// asked, fragments flattened; `None` when it is not plain: a response key asked more
/// than once (async-graphql merges the occurrences), or a directive left on a field
/// (`@skip` and `@include` are applied before execution).
pub fn selection<'a>(
    ctx: &ContextSelectionSet<'a>,
    type_name: &str,
    set: &'a SelectionSet,
) -> Option<Vec<&'a Positioned<Field>>> {
    let fields = inline::fields(ctx, type_name, set).ok()?;
    let plain = fields.iter().enumerate().all(|(i, field)| {
        field.node.directives.is_empty()
            && fields[..i].iter().all(|earlier| key(earlier) != key(field))
    });
    plain.then_some(fields)
}

/// What a plain selection (see [`selection`]) asks of an object of type `type_name`:
/// each field's response key with what `which` makes of the field; `None` when the
/// selection is not plain or `which` can't write one of its fields.
pub fn compile<'a, F>(
    ctx: &ContextSelectionSet<'a>,
    type_name: &str,
    set: &'a SelectionSet,
    mut which: impl FnMut(&'a Positioned<Field>) -> Option<F>,
) -> Option<Vec<(Name, F)>> {
    selection(ctx, type_name, set)?
        .into_iter()
        .map(|field| Some((key(field).clone(), which(field)?)))
        .collect()
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

    /// An object of `fields`, each value written by `value`; `None` as soon as one
    /// can't be.
    pub fn object<F>(
        &mut self,
        fields: &[(Name, F)],
        mut value: impl FnMut(&mut Self, &F) -> Option<()>,
    ) -> Option<()> {
        self.0.push(b'{');
        for (i, (key, field)) in fields.iter().enumerate() {
            self.key(i, key);
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
        self.str(id.hyphenated().encode_lower(&mut buffer));
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
