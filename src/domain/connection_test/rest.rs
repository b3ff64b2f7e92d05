//! REST APIs: a GET of the base URL with the configured headers and bearer token, sent
//! to the checked address. Any HTTP answer below 500 is a success; redirects are
//! followed only on the same host and port.

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Url, redirect};
use serde_json::{Map, Value};

use super::egress::{self, Allow};
use super::tls::{self, Mode};
use super::{Failure, Outcome, TIMEOUT, text};

/// Redirects followed at most, on the same host and port.
const MAX_REDIRECTS: usize = 5;

pub(super) async fn test(options: &Map<String, Value>, allow: &Allow) -> Outcome {
    let invalid = || Failure::Failed("The base URL is not a valid http(s) URL.".into());
    let url = Url::parse(text(options, "url")).map_err(|_| invalid())?;
    let (Some(host), Some(port), "http" | "https") =
        (url.host_str(), url.port_or_known_default(), url.scheme())
    else {
        return Err(invalid());
    };
    let host = host.to_owned();
    let address = egress::resolve(allow, &host, port).await?;
    let origin = url.origin().ascii_serialization();
    let same_origin = {
        let host = host.clone();
        redirect::Policy::custom(move |attempt| {
            let url = attempt.url();
            if url.host_str() == Some(host.as_str())
                && url.port_or_known_default() == Some(port)
                && attempt.previous().len() <= MAX_REDIRECTS
            {
                attempt.follow()
            } else {
                attempt.stop()
            }
        })
    };
    let client = reqwest::Client::builder()
        .no_proxy()
        .http1_only()
        .redirect(same_origin)
        // The checked address, never a second lookup (an address host needs none).
        .resolve(&host, address)
        .tls_backend_preconfigured(tls::client_config(Mode::VerifyFull { ca_pem: None })?)
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| Failure::Failed(format!("The HTTP client could not be set up: {e}")))?;
    let response = client
        .get(url)
        .headers(headers(options)?)
        .send()
        .await
        .map_err(|e| {
            tls::failure_in(&e).unwrap_or_else(|| {
                if e.is_connect() || e.is_timeout() {
                    Failure::Unreachable
                } else {
                    Failure::Failed(format!("The request failed: {}", e.without_url()))
                }
            })
        })?;
    let status = response.status();
    let answer = format!("{origin} answered HTTP {status}.");
    if status.is_server_error() {
        Err(Failure::Failed(answer))
    } else {
        Ok(answer)
    }
}

/// The configured headers, and `Authorization: Bearer` with the token when there is one.
fn headers(options: &Map<String, Value>) -> Result<HeaderMap, Failure> {
    let mut headers = HeaderMap::new();
    let configured = options.get("headers").and_then(Value::as_object);
    for (name, value) in configured.into_iter().flatten() {
        let header = HeaderName::try_from(name.as_str())
            .ok()
            .zip(value.as_str().and_then(|v| HeaderValue::try_from(v).ok()));
        let Some((name, value)) = header else {
            return Err(Failure::Failed(format!(
                "Header {name} is not a valid HTTP header."
            )));
        };
        headers.insert(name, value);
    }
    let token = text(options, "bearer_token");
    if !token.is_empty() {
        let mut value = HeaderValue::try_from(format!("Bearer {token}"))
            .map_err(|_| Failure::Failed("The bearer token is not valid in a header.".into()))?;
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
    }
    Ok(headers)
}
