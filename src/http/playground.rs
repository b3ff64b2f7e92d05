//! The GraphiQL playground, served entirely by envgate: self-hosted installs often sit
//! behind a firewall, so the page and every asset it loads (GraphiQL's browser build,
//! React's production builds, the favicon) come from this binary and no request
//! leaves the machine. The page opens with the demo token when the server runs with a
//! development JWT secret.
//!
//! The vendored builds live in `assets/playground/vendor/` (refreshed by
//! `assets/playground/refresh.sh`, versions and licenses recorded beside them), stored
//! gzip-compressed to keep the binary lean and embedded with `include_bytes!` so the
//! binary is self-contained and the Rust build never runs npm.

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::Digest as _;

use super::HttpState;

/// Where the assets are served: `/playground/{fingerprint}/{file}`.
const ASSET_PREFIX: &str = "/playground";

/// Assets never change under their URL (the URL holds a digest of the content), so
/// browsers and proxies may keep them for a year without asking again.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// What the page may load: its own origin only (WebSocket included: `'self'` covers
/// ws(s) to the same host), plus the `data:` fonts and images GraphiQL's stylesheet
/// inlines. Sent in a `<meta>` element so that the page holds it whichever route
/// serves it (`/`, or `/graphql` for a browser). Inline styles are allowed because
/// GraphiQL's components set `style` attributes; inline scripts are not.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'";

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// One file the page loads.
struct Asset {
    /// The name in the URL, after the fingerprint.
    file: &'static str,
    content_type: &'static str,
    /// Whether `bytes` are gzip-compressed (the vendored builds) or plain (envgate's
    /// own few hundred bytes, not worth compressing).
    gzipped: bool,
    bytes: &'static [u8],
}

/// A vendored build, stored as `assets/playground/vendor/{file}.gz`.
macro_rules! vendored {
    ($file:literal, $content_type:expr) => {
        Asset {
            file: $file,
            content_type: $content_type,
            gzipped: true,
            bytes: include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/assets/playground/vendor/",
                $file,
                ".gz"
            )),
        }
    };
}

/// One of envgate's own files, `assets/playground/{file}`.
macro_rules! own {
    ($file:literal, $content_type:expr) => {
        Asset {
            file: $file,
            content_type: $content_type,
            gzipped: false,
            bytes: include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/assets/playground/",
                $file
            )),
        }
    };
}

/// Every asset, in the order the page loads the scripts among them (React before
/// ReactDOM before GraphiQL before the start-up script that uses all three).
const ASSETS: &[Asset] = &[
    own!("favicon.svg", SVG),
    vendored!("graphiql.min.css", CSS),
    own!("playground.css", CSS),
    vendored!("react.production.min.js", JAVASCRIPT),
    vendored!("react-dom.production.min.js", JAVASCRIPT),
    vendored!("graphiql.min.js", JAVASCRIPT),
    own!("playground.js", JAVASCRIPT),
];

/// Each asset's fingerprint: the first 16 hex digits of the SHA-256 of its bytes as
/// embedded, computed once. A new build of a file gets a new URL, which is what makes
/// the immutable caching safe.
fn fingerprints() -> &'static [String] {
    static FINGERPRINTS: OnceLock<Vec<String>> = OnceLock::new();
    FINGERPRINTS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|asset| hex::encode(&sha2::Sha256::digest(asset.bytes)[..8]))
            .collect()
    })
}

/// The URL path of an asset, fingerprint included.
fn url_of(file: &str) -> String {
    let index = ASSETS
        .iter()
        .position(|asset| asset.file == file)
        .expect("the page names only embedded assets");
    format!("{ASSET_PREFIX}/{}/{file}", fingerprints()[index])
}

/// The GraphiQL page, talking to `/graphql` over HTTP and WebSocket. It holds the
/// demo token, so no cache may keep it; in development it answers only requests
/// addressed to this machine by name (see [`is_local_host`]).
pub async fn page(State(state): State<Arc<HttpState>>, headers: HeaderMap) -> Response {
    if state.app.settings.local_playground_only && !is_local_host(&headers) {
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "In development the playground answers only at localhost, 127.0.0.1 or [::1]: \
             open it by one of those names (or run with --production).",
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        render(&state),
    )
        .into_response()
}

/// Whether the request's `Host` names this machine: `localhost`, `127.0.0.1` or
/// `[::1]`, with any port. A page of another site whose name an attacker rebinds to
/// 127.0.0.1 still sends its own name, so it never gets the page (nor the demo token
/// in it). A request without `Host` comes from no browser and is let through.
fn is_local_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST) else {
        return true;
    };
    let Ok(host) = host.to_str() else {
        return false;
    };
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    name.eq_ignore_ascii_case("localhost") || name == "127.0.0.1" || name == "::1"
}

/// The page's HTML. Its settings (endpoints, and the demo token's header) sit in a
/// JSON block that `playground.js` reads, so the page needs no inline script.
pub fn render(state: &HttpState) -> String {
    let headers = match &state.app.settings.demo_token {
        Some(token) => json!({ "Authorization": format!("Bearer {token}") }),
        None => json!({}),
    };
    let config = json!({
        "endpoint": "/graphql",
        "subscriptionEndpoint": "/graphql",
        "headers": headers,
    });
    // `<` escaped, so no value can close the script element or open a comment.
    let config = config.to_string().replace('<', "\\u003c");
    let stylesheets: String = ASSETS
        .iter()
        .filter(|asset| asset.content_type == CSS)
        .map(|asset| {
            format!(
                "\n    <link rel=\"stylesheet\" href=\"{}\">",
                url_of(asset.file)
            )
        })
        .collect();
    let scripts: String = ASSETS
        .iter()
        .filter(|asset| asset.content_type == JAVASCRIPT)
        .map(|asset| format!("\n    <script src=\"{}\"></script>", url_of(asset.file)))
        .collect();
    let favicon = url_of("favicon.svg");
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">
    <meta name="robots" content="noindex">
    <meta name="referrer" content="no-referrer">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>envgate</title>
    <link rel="icon" type="image/svg+xml" href="{favicon}">{stylesheets}
    <script id="envgate-playground-config" type="application/json">{config}</script>
  </head>
  <body>
    <div id="graphiql">Loading...</div>{scripts}
  </body>
</html>
"#
    )
}

/// `GET /playground/{fingerprint}/{file}`: an embedded asset, cacheable forever. The
/// vendored builds go out as stored, gzip-compressed, to every client that accepts
/// gzip (every browser does); decompressing them for the others would take a crate
/// for a case no browser has, so those get 406 Not Acceptable. An old fingerprint is
/// 404: its content is gone, and serving the new one under it would poison caches.
pub async fn asset(
    Path((fingerprint, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let found = ASSETS
        .iter()
        .zip(fingerprints())
        .find(|(asset, print)| asset.file == file && **print == fingerprint);
    let Some((asset, _)) = found else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "No such playground asset.\n",
        )
            .into_response();
    };
    if asset.gzipped && !accepts_gzip(&headers) {
        return (
            StatusCode::NOT_ACCEPTABLE,
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::VARY, "accept-encoding"),
            ],
            "This asset is stored gzip-compressed: send Accept-Encoding: gzip.\n",
        )
            .into_response();
    }
    let mut response = Response::new(Body::from(asset.bytes));
    let response_headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name, value| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(response_headers, header::CONTENT_TYPE, asset.content_type);
    set(response_headers, header::CACHE_CONTROL, IMMUTABLE);
    set(response_headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(
        response_headers,
        header::HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    if asset.gzipped {
        set(response_headers, header::CONTENT_ENCODING, "gzip");
        set(response_headers, header::VARY, "accept-encoding");
    }
    response
}

/// Whether the request's `Accept-Encoding` admits gzip (RFC 9110, section 12.5.3):
/// no such header admits any coding; otherwise `gzip` (or `x-gzip`), else `*`, with a
/// non-zero weight.
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut values = headers.get_all(header::ACCEPT_ENCODING).iter().peekable();
    if values.peek().is_none() {
        return true;
    }
    let (mut gzip, mut any) = (None, None);
    for item in values
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
    {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or_default().trim();
        let weight = parts
            .filter_map(|p| {
                let (name, value) = p.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("q")
                    .then(|| value.trim().parse::<f32>().unwrap_or(0.0))
            })
            .next()
            .unwrap_or(1.0);
        if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            gzip = Some(weight > 0.0);
        } else if coding == "*" {
            any = Some(weight > 0.0);
        }
    }
    gzip.or(any).unwrap_or(false)
}
