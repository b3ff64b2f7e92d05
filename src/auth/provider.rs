//! An identity provider's signing keys: read from `ENVGATE_JWKS_FILE`, fetched from
//! `ENVGATE_JWKS_URL`, or found through `ENVGATE_OIDC_ISSUER`'s discovery document;
//! refreshed in the background on their cache lifetime, fetched again (at most once per
//! [`Timing::refetch_interval`]) when a token names a key the set does not hold, and
//! kept while the provider can't be reached. A fetch is bounded in time and size, and a
//! request waits for one at most [`Timing::fetch_timeout`].

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use jsonwebtoken::{Header, Validation};
use prometheus_client::metrics::counter::Counter;
use reqwest::Url;
use reqwest::header::{ACCEPT, CACHE_CONTROL};
use serde_json::{Map, Value};

use super::claims::ClaimMapping;
use super::jwks::{KeySet, Lookup};
use super::{Session, invalid, refusal, validation};
use crate::error::{AppError, AppResult};
use crate::tls::Check;

/// The largest discovery or JWKS document read.
const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// Where the keys come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// `ENVGATE_JWKS_FILE`.
    File(PathBuf),
    /// `ENVGATE_JWKS_URL`.
    Url(Url),
    /// `ENVGATE_OIDC_ISSUER`: the JWKS named by its discovery document.
    Discovery(String),
}

impl Source {
    /// `ENVGATE_JWKS_URL`, checked: `https://`, or `http://` on a loopback host.
    pub fn url(url: &str) -> anyhow::Result<Self> {
        Ok(Self::Url(web_address(url).context("ENVGATE_JWKS_URL")?))
    }

    /// `ENVGATE_OIDC_ISSUER`, checked as a URL is.
    pub fn discovery(issuer: &str) -> anyhow::Result<Self> {
        web_address(issuer).context("ENVGATE_OIDC_ISSUER")?;
        Ok(Self::Discovery(issuer.to_owned()))
    }

    /// The `iss` an OIDC provider's tokens carry, when the source says.
    pub fn issuer(&self) -> Option<&str> {
        match self {
            Self::Discovery(issuer) => Some(issuer),
            _ => None,
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(path) => write!(f, "{}", path.display()),
            Self::Url(url) => write!(f, "{url}"),
            Self::Discovery(issuer) => write!(f, "{issuer} (OIDC discovery)"),
        }
    }
}

/// A URL the keys may come from: `https://`, or `http://` on a loopback host (for
/// development and tests).
fn web_address(text: &str) -> anyhow::Result<Url> {
    let url = Url::parse(text).context("not a URL")?;
    let loopback = url.host_str().is_some_and(|host| {
        host.eq_ignore_ascii_case("localhost")
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    });
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => bail!(
            "{url} must be an https:// URL (http:// is accepted on localhost, 127.0.0.1 and [::1] only)"
        ),
    }
}

/// How often keys are fetched, and how long a fetch may take.
#[derive(Debug, Clone)]
pub struct Timing {
    /// Between two refreshes when the provider gives no cache lifetime.
    pub default_lifetime: Duration,
    /// The shortest and longest cache lifetime honoured.
    pub min_lifetime: Duration,
    pub max_lifetime: Duration,
    /// The least time between two fetches for an unknown `kid`, and between two tries
    /// while the provider fails.
    pub refetch_interval: Duration,
    /// The bound on one fetch (discovery and keys together).
    pub fetch_timeout: Duration,
}

impl Timing {
    /// The wait before a failed refresh is tried again.
    fn retry(&self) -> Duration {
        self.refetch_interval.max(self.min_lifetime)
    }
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            default_lifetime: Duration::from_secs(600),
            min_lifetime: Duration::from_secs(30),
            max_lifetime: Duration::from_secs(24 * 3600),
            refetch_interval: Duration::from_secs(30),
            fetch_timeout: Duration::from_secs(5),
        }
    }
}

/// The certificates the provider's HTTPS is checked against: the public web roots, and
/// those of `ca_file` (`ENVGATE_JWKS_CA_FILE`, PEM) when it is given. A file that can't
/// be read or holds no valid certificate is refused, naming the setting.
pub fn roots(ca_file: Option<&std::path::Path>) -> anyhow::Result<rustls::RootCertStore> {
    let mut roots = crate::tls::web_roots();
    if let Some(path) = ca_file {
        let pem = std::fs::read(path)
            .with_context(|| format!("ENVGATE_JWKS_CA_FILE: reading {}", path.display()))?;
        let extra = crate::tls::pem_roots(&pem).with_context(|| {
            format!(
                "ENVGATE_JWKS_CA_FILE: {} holds no valid PEM certificate",
                path.display()
            )
        })?;
        roots.roots.extend(extra.roots);
    }
    Ok(roots)
}

/// The identity provider's current key set, and how it is kept fresh.
pub struct IdentityProvider {
    source: Source,
    client: reqwest::Client,
    timing: Timing,
    keys: RwLock<Arc<KeySet>>,
    /// Bumped whenever `keys` is replaced.
    generation: AtomicU64,
    /// When the last fetch started.
    last_fetch: Mutex<Option<Instant>>,
    /// One fetch at a time.
    fetching: tokio::sync::Mutex<()>,
    /// Fetches that brought a usable set, and fetches that failed.
    fetched: Counter,
    failed: Counter,
}

impl std::fmt::Debug for IdentityProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityProvider")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl IdentityProvider {
    /// Loads the keys and keeps them fresh in the background, reaching the provider over
    /// HTTPS with `roots` ([`roots`]). A file that can't be read fails here; a provider
    /// that can't be reached is logged and tried again (its tokens are refused until it
    /// answers).
    pub async fn start(
        source: Source,
        timing: Timing,
        roots: rustls::RootCertStore,
    ) -> anyhow::Result<Arc<Self>> {
        let tls = crate::tls::client_config(Check::ChainAndName, roots)?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timing.fetch_timeout)
            .timeout(timing.fetch_timeout)
            .build()
            .context("building the identity provider's HTTP client")?;
        let provider = Arc::new(Self {
            source,
            client,
            keys: RwLock::default(),
            generation: AtomicU64::new(0),
            last_fetch: Mutex::default(),
            fetching: tokio::sync::Mutex::new(()),
            fetched: Counter::default(),
            failed: Counter::default(),
            timing,
        });
        let next = match provider.refresh().await {
            Ok(lifetime) => {
                tracing::info!(
                    source = %provider.source,
                    keys = provider.current().len(),
                    "identity provider keys loaded"
                );
                lifetime
            }
            Err(error) if matches!(provider.source, Source::File(_)) => {
                bail!("ENVGATE_JWKS_FILE {}: {error}", provider.source)
            }
            Err(error) => {
                tracing::error!(
                    source = %provider.source,
                    %error,
                    "the identity provider's keys could not be fetched: its tokens are refused until they are (trying again)"
                );
                provider.timing.retry()
            }
        };
        tokio::spawn(keep_fresh(Arc::downgrade(&provider), next));
        Ok(provider)
    }

    /// How many keys the current set holds, and how many fetches succeeded and failed
    /// so far (for `/metrics`).
    pub fn stats(&self) -> (usize, u64, u64) {
        (self.current().len(), self.fetched.get(), self.failed.get())
    }

    fn current(&self) -> Arc<KeySet> {
        self.keys.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Fetches the set and makes it current; returns how long it may be kept. On failure
    /// the current set stays.
    async fn refresh(&self) -> Result<Duration, String> {
        let refreshed = self.replace_keys().await;
        match &refreshed {
            Ok(_) => self.fetched.inc(),
            Err(_) => self.failed.inc(),
        };
        refreshed
    }

    async fn replace_keys(&self) -> Result<Duration, String> {
        *self.last_fetch.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        let (set, lifetime) = tokio::time::timeout(self.timing.fetch_timeout, self.fetch())
            .await
            .map_err(|_| {
                format!(
                    "no answer within {}",
                    humantime::format_duration(self.timing.fetch_timeout)
                )
            })??;
        if set.is_empty() {
            return Err("the key set holds no key envgate can verify tokens with".into());
        }
        *self.keys.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(set);
        self.generation.fetch_add(1, Ordering::Release);
        Ok(lifetime)
    }

    /// The key set and its cache lifetime, from the source.
    async fn fetch(&self) -> Result<(KeySet, Duration), String> {
        let jwks_url = match &self.source {
            Source::File(path) => {
                let bytes = read_file(path).await?;
                return Ok((KeySet::parse(&bytes)?, self.timing.default_lifetime));
            }
            Source::Url(url) => url.clone(),
            Source::Discovery(issuer) => self.discover(issuer).await?,
        };
        let (bytes, max_age) = self.get(&jwks_url).await?;
        let lifetime = max_age.map_or(self.timing.default_lifetime, |age| {
            age.clamp(self.timing.min_lifetime, self.timing.max_lifetime)
        });
        Ok((KeySet::parse(&bytes)?, lifetime))
    }

    /// The `jwks_uri` of `issuer`'s discovery document, whose `issuer` must be `issuer`.
    async fn discover(&self, issuer: &str) -> Result<Url, String> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let url = Url::parse(&url).map_err(|e| format!("{url}: {e}"))?;
        let (bytes, _) = self.get(&url).await?;
        #[derive(serde::Deserialize)]
        struct Discovery {
            issuer: String,
            jwks_uri: String,
        }
        let document: Discovery = serde_json::from_slice(&bytes).map_err(|e| {
            format!("{url} is not an OpenID discovery document (`issuer`, `jwks_uri`): {e}")
        })?;
        if document.issuer != issuer {
            return Err(format!(
                "{url} names the issuer {:?}, not {issuer:?} as ENVGATE_OIDC_ISSUER says",
                document.issuer
            ));
        }
        web_address(&document.jwks_uri).map_err(|e| format!("its jwks_uri: {e:#}"))
    }

    /// GETs `url`: its body (at most [`MAX_DOCUMENT_BYTES`]) and `Cache-Control: max-age`.
    async fn get(&self, url: &Url) -> Result<(Vec<u8>, Option<Duration>), String> {
        let mut response = self
            .client
            .get(url.clone())
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| format!("{url}: {}", e.without_url()))?;
        if !response.status().is_success() {
            return Err(format!("{url} answered HTTP {}", response.status()));
        }
        let max_age = response
            .headers()
            .get(CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.split(',')
                    .find_map(|d| d.trim().strip_prefix("max-age=")?.parse().ok())
            })
            .map(Duration::from_secs);
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("{url}: {}", e.without_url()))?
        {
            if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                return Err(format!(
                    "{url} answered more than {MAX_DOCUMENT_BYTES} bytes"
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((body, max_age))
    }

    /// Fetches the set again for a token naming a key it does not hold, unless a fetch
    /// started less than [`Timing::refetch_interval`] ago; `seen` is the generation the
    /// caller looked at. Returns whether the set may have changed. Waiting for a fetch
    /// under way and fetching take at most [`Timing::fetch_timeout`] together.
    async fn refetch(&self, seen: u64) -> bool {
        let refetched = async {
            let _turn = self.fetching.lock().await;
            if self.generation.load(Ordering::Acquire) != seen {
                return true;
            }
            let recent = self
                .last_fetch
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_some_and(|at| at.elapsed() < self.timing.refetch_interval);
            if recent {
                return false;
            }
            match self.refresh().await {
                Ok(_) => true,
                Err(error) => {
                    tracing::warn!(source = %self.source, %error, "fetching the identity provider's keys failed: the last good set is kept");
                    false
                }
            }
        };
        tokio::time::timeout(self.timing.fetch_timeout, refetched)
            .await
            .unwrap_or(false)
    }
}

async fn read_file(path: &std::path::Path) -> Result<Vec<u8>, String> {
    let metadata = tokio::fs::metadata(path)
        .await
        .map_err(|e| format!("reading it: {e}"))?;
    if metadata.len() > MAX_DOCUMENT_BYTES as u64 {
        return Err(format!("it is larger than {MAX_DOCUMENT_BYTES} bytes"));
    }
    tokio::fs::read(path)
        .await
        .map_err(|e| format!("reading it: {e}"))
}

/// Refreshes the keys of `provider` on their cache lifetime, and more often while the
/// provider fails, until the provider is dropped.
async fn keep_fresh(provider: Weak<IdentityProvider>, mut wait: Duration) {
    loop {
        tokio::time::sleep(wait).await;
        let Some(provider) = provider.upgrade() else {
            return;
        };
        let _turn = provider.fetching.lock().await;
        wait = match provider.refresh().await {
            Ok(lifetime) => lifetime,
            Err(error) => {
                tracing::warn!(source = %provider.source, %error, "refreshing the identity provider's keys failed: the last good set is kept");
                provider.timing.retry()
            }
        };
    }
}

/// Verifies tokens with an identity provider's keys, and maps their claims.
#[derive(Debug)]
pub struct ProviderTokens {
    keys: Arc<IdentityProvider>,
    /// Issuer and audience checks; the algorithm is set per key.
    validation: Validation,
    mapping: ClaimMapping,
}

impl ProviderTokens {
    /// `issuer` defaults to the OIDC issuer of a discovery source.
    pub fn new(
        keys: Arc<IdentityProvider>,
        issuer: Option<String>,
        audience: Option<String>,
        mapping: ClaimMapping,
    ) -> Self {
        let issuer = issuer.or_else(|| keys.source.issuer().map(str::to_owned));
        Self {
            validation: validation(issuer.as_deref(), audience.as_deref(), &[]),
            keys,
            mapping,
        }
    }

    /// The provider whose keys verify the tokens.
    pub fn keys(&self) -> &IdentityProvider {
        &self.keys
    }

    /// The session of `token` (whose header is `header`), or UNAUTHENTICATED.
    pub(super) async fn verify(&self, token: &str, header: &Header) -> AppResult<Session> {
        let kid = header.kid.as_deref();
        let seen = self.keys.generation.load(Ordering::Acquire);
        let mut set = self.keys.current();
        if matches!(set.find(kid), Lookup::Unknown) && self.keys.refetch(seen).await {
            set = self.keys.current();
        }
        let key = match set.find(kid) {
            Lookup::Found(key) => key,
            Lookup::KidRequired => {
                return Err(invalid(
                    "Its header names no key (`kid`), and the identity provider has several.",
                ));
            }
            Lookup::Unknown if set.is_empty() => {
                return Err(AppError::Unauthenticated(
                    "The identity provider's keys are not available: the token can't be verified now."
                        .into(),
                ));
            }
            Lookup::Unknown => {
                return Err(invalid(
                    "Its key (`kid`) is not one of the identity provider's keys.",
                ));
            }
        };
        if !key.algorithms.contains(&header.alg) {
            return Err(invalid(&format!(
                "It is signed with {:?}, which its key is not for.",
                header.alg
            )));
        }
        let mut validation = self.validation.clone();
        validation.algorithms = vec![header.alg];
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key.decoding, &validation)
            .map_err(|e| refusal(&e))?
            .claims;
        self.mapping.session(&claims)
    }
}
