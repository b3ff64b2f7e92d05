//! Gives every error an `extensions.code`: the parse and validation failures that
//! async-graphql reports without one, and argument values it could not coerce.

use async_graphql::{Response, ServerError};

/// Sets `code` on an error that has none.
fn with_code(mut error: ServerError, code: &str) -> ServerError {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code);
    }
    error
}

/// Codes the errors of `response` that have none. `parsed`: whether the request's
/// document parsed; when it did not, its errors are parse failures.
pub fn with_codes(mut response: Response, parsed: bool) -> Response {
    response.errors = std::mem::take(&mut response.errors)
        .into_iter()
        .map(|error| {
            // An error at a field is a value the field could not take; one outside any
            // field is a document that does not parse, or names no runnable operation
            // (validation).
            let code = if !error.path.is_empty() {
                "BAD_USER_INPUT"
            } else if parsed {
                "GRAPHQL_VALIDATION_FAILED"
            } else {
                "GRAPHQL_PARSE_FAILED"
            };
            with_code(error, code)
        })
        .collect();
    response
}
