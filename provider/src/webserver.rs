//! The Dagster webserver's GraphQL API: the provider block's connection settings, shared with the
//! live resources once `configure` has run, and the few queries and mutations they send.
//!
//! Every request has a deadline (`timeout_seconds`), and only failures that may pass (the
//! server unreachable or timing out, a proxy's 502/503/504) are retried, `retries` times.

use crate::convert::whole;
use crate::diagnostics::report;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::value::Value;
use validator::model::Setting;
use validator::path::AttrPath;

/// Environment variable read when the provider block has no `webserver_url`.
pub const URL_ENV: &str = "DAGSTER_WEBSERVER_URL";
/// Seconds one request may take when `timeout_seconds` is not set.
pub const DEFAULT_TIMEOUT_SECONDS: i64 = 30;
/// Retries of a failed request when `retries` is not set.
pub const DEFAULT_RETRIES: i64 = 2;
/// Most retries accepted, so a misconfigured run still ends soon.
pub const MAX_RETRIES: i64 = 10;
/// Longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(4);

const SET_LIMIT: &str = "mutation($key: String!, $limit: Int!) { setConcurrencyLimit(concurrencyKey: $key, limit: $limit) }";
const DELETE_LIMIT: &str =
    "mutation($key: String!) { deleteConcurrencyLimit(concurrencyKey: $key) }";
const ONE_LIMIT: &str = "query($key: String!) { instance { concurrencyLimit(concurrencyKey: $key) { concurrencyKey limit usingDefaultLimit } } }";
const INSTANCE_CONCURRENCY: &str = "query { instance { runQueueConfig { maxConcurrentRuns tagConcurrencyLimitsYaml } poolConfig { poolGranularity defaultPoolLimit opGranularityRunBuffer } concurrencyLimits { concurrencyKey limit usingDefaultLimit } } }";

/// The provider block's webserver arguments, as Terraform sends them.
#[derive(Debug, Clone, Default)]
pub struct WebserverArgs {
    /// `webserver_url` (a string).
    pub url: Value,
    /// `headers` (a map of strings); a value may be `null` (an error) or unknown (the header
    /// is not sent yet).
    pub headers: Value,
    /// `timeout_seconds` (a number).
    pub timeout_seconds: Value,
    /// `retries` (a number).
    pub retries: Value,
}

/// Where the live resources stand with the webserver after `configure`.
#[derive(Debug, Default)]
enum Connection {
    /// No URL in the provider block nor in the environment (or `configure` never ran).
    #[default]
    Missing,
    /// The URL depends on a value known only after apply.
    UnknownUrl,
    /// Ready to send requests.
    Ready(WebserverClient),
}

/// The webserver connection, filled by the provider's `configure` and read by the live
/// resources (`dagster_pool_limit`, `data.dagster_instance_concurrency`).
#[derive(Debug, Clone, Default)]
pub struct SharedWebserver(Arc<RwLock<Connection>>);

impl SharedWebserver {
    /// Checks the arguments and, when valid, makes the client; an absent URL is not an error
    /// here (the rendering resources need none), only when a live resource asks for it.
    pub fn configure(&self, diags: &mut Diagnostics, args: &WebserverArgs) -> Option<()> {
        self.configure_with_env(diags, args, std::env::var(URL_ENV).ok())
    }

    /// [`Self::configure`] with the value of [`URL_ENV`] given.
    fn configure_with_env(
        &self,
        diags: &mut Diagnostics,
        args: &WebserverArgs,
        env_url: Option<String>,
    ) -> Option<()> {
        let connection = match args.url.clone() {
            Value::Unknown => Connection::UnknownUrl,
            Value::String(url) if !url.trim().is_empty() => {
                Connection::Ready(WebserverClient::new(diags, &url, args)?)
            }
            _ => match env_url {
                Some(url) if !url.trim().is_empty() => {
                    Connection::Ready(WebserverClient::new(diags, &url, args)?)
                }
                _ => {
                    // Still check the other arguments, so mistakes show before they matter.
                    settings(diags, args)?;
                    Connection::Missing
                }
            },
        };
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = connection;
        Some(())
    }

    /// The client for `user` (e.g. `dagster_pool_limit "warehouse"`), or an error saying what
    /// to configure.
    pub fn client(&self, diags: &mut Diagnostics, user: &str) -> Option<WebserverClient> {
        match &*self.0.read().unwrap_or_else(PoisonError::into_inner) {
            Connection::Ready(client) => return Some(client.clone()),
            Connection::Missing => diags.error(
                format!("{user} needs the Dagster webserver URL"),
                format!("Set `webserver_url` in the `provider \"dagster\"` block, e.g. `\"http://dagster-dagster-webserver.dagster.svc:80\"`, or the {URL_ENV} environment variable. Only the live resources (`dagster_pool_limit`, `dagster_instance_concurrency`) need it; `dagster_concurrency` does not."),
            ),
            Connection::UnknownUrl => diags.error(
                format!("{user} needs the Dagster webserver URL, which is not known yet"),
                "`webserver_url` depends on a value known only after apply. Apply what it depends on first (`terraform apply -target=...`), or set it from a known value.",
            ),
        }
        None
    }
}

/// Checks the provider block's webserver arguments without connecting (provider validate).
pub fn validate(diags: &mut Diagnostics, args: &WebserverArgs) {
    settings(diags, args);
    if let Value::String(url) = &args.url {
        if !url.trim().is_empty() {
            endpoint_or_report(diags, url);
        }
    }
}

/// Headers, timeout and retries, checked.
struct Settings {
    headers: HeaderMap,
    secrets: Secrets,
    timeout: Duration,
    retries: u32,
}

fn attribute_error(
    diags: &mut Diagnostics,
    attribute: &'static str,
    summary: String,
    detail: String,
) {
    diags.push(Diagnostic::error(summary, detail).at(AttributePath::attribute(attribute)));
}

/// A whole-number argument within `range`; `None` (with a diagnostic) otherwise.
fn bounded(
    diags: &mut Diagnostics,
    value: &Value,
    name: &'static str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Option<i64> {
    let mut findings = Vec::new();
    let number = match whole(value, AttrPath::attr(name), &mut findings) {
        Setting::Known(number) => number,
        Setting::Unset | Setting::Unknown if findings.is_empty() => default,
        _ => {
            report(diags, &findings);
            return None;
        }
    };
    if range.contains(&number) {
        return Some(number);
    }
    attribute_error(
        diags,
        name,
        format!(
            "{name} = {number} is outside {}..{}",
            range.start(),
            range.end()
        ),
        format!(
            "Use a whole number from {} to {}.",
            range.start(),
            range.end()
        ),
    );
    None
}

fn settings(diags: &mut Diagnostics, args: &WebserverArgs) -> Option<Settings> {
    let timeout = bounded(
        diags,
        &args.timeout_seconds,
        "timeout_seconds",
        DEFAULT_TIMEOUT_SECONDS,
        1..=3600,
    );
    let retries = bounded(
        diags,
        &args.retries,
        "retries",
        DEFAULT_RETRIES,
        0..=MAX_RETRIES,
    );
    let mut headers = HeaderMap::new();
    let user_agent = concat!("terraform-provider-dagster/", env!("CARGO_PKG_VERSION"));
    headers.insert(USER_AGENT, HeaderValue::from_static(user_agent));
    let mut headers_ok = true;
    if let Value::Map(given) = &args.headers {
        for (name, value) in given {
            let value = match value {
                Value::String(value) => value,
                Value::Null => {
                    headers_ok = false;
                    attribute_error(
                        diags,
                        "headers",
                        format!("the value of header {name:?} is null"),
                        format!("Set `headers[{name:?}]` to the header's value, or leave the header out of `headers`; a header has no null value."),
                    );
                    continue;
                }
                // Unknown: the header is sent once a later call knows it.
                _ => continue,
            };
            let parsed = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            );
            match parsed {
                (Ok(name), Ok(mut value)) => {
                    value.set_sensitive(true);
                    headers.insert(name, value);
                }
                (Err(_), _) => {
                    headers_ok = false;
                    attribute_error(
                        diags,
                        "headers",
                        format!("header name {name:?} is not a valid HTTP header name"),
                        "Use letters, digits and `-`, e.g. `Authorization` or `X-Forwarded-User`."
                            .into(),
                    );
                }
                (_, Err(_)) => {
                    headers_ok = false;
                    // The value may be a secret: name the header, never show the value.
                    attribute_error(
                        diags,
                        "headers",
                        format!("the value of header {name:?} is not a valid HTTP header value"),
                        "Header values are printable text on one line, without control characters."
                            .into(),
                    );
                }
            }
        }
    }
    let secrets = match &args.headers {
        Value::Map(given) => Secrets::new(given.values().filter_map(|value| match value {
            Value::String(value) => Some(value),
            _ => None,
        })),
        _ => Secrets::default(),
    };
    Some(Settings {
        headers: headers_ok.then_some(headers)?,
        secrets,
        timeout: Duration::from_secs(u64::try_from(timeout?).ok()?),
        retries: u32::try_from(retries?).ok()?,
    })
}

/// The GraphQL endpoint of a webserver URL: `/graphql` is appended unless already there, so a
/// base URL, one with the webserver's `--path-prefix`, or the endpoint itself all work. A
/// trailing `/` goes: the webserver answers a POST to `/graphql/` with 405.
fn endpoint(url: &str) -> Result<Url, String> {
    let mut parsed = Url::parse(url.trim()).map_err(|error| error.to_string())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("scheme {:?} is not http or https", parsed.scheme()));
    }
    let base = parsed.path().trim_end_matches('/').to_owned();
    if base.ends_with("/graphql") {
        parsed.set_path(&base);
    } else {
        parsed.set_path(&format!("{base}/graphql"));
    }
    Ok(parsed)
}

fn endpoint_or_report(diags: &mut Diagnostics, url: &str) -> Option<Url> {
    match endpoint(url) {
        Ok(endpoint) => Some(endpoint),
        Err(why) => {
            attribute_error(diags, "webserver_url", format!("webserver_url {url:?} is not a usable URL: {why}"), "Use the webserver's base URL, e.g. `http://dagster-dagster-webserver.dagster.svc:80` (or its `/graphql` endpoint).".into());
            None
        }
    }
}

/// What the provider sends that must never appear in a diagnostic: the `headers` values and a
/// password in `webserver_url`, even when a server echoes them back (an auth proxy's 401 page
/// that repeats the request's `Authorization` header, say).
#[derive(Clone, Default)]
struct Secrets(Arc<[String]>);

impl Secrets {
    /// Parts of a value this long or longer are secrets on their own (the token of
    /// `Bearer TOKEN`, echoed without its scheme); shorter parts are words such as `Bearer`.
    const SHORTEST_PART: usize = 8;
    /// What replaces a secret.
    const MARK: &'static str = "[redacted]";

    fn new<'a>(values: impl IntoIterator<Item = &'a String>) -> Self {
        let mut secrets: Vec<String> = Vec::new();
        for value in values {
            let whole = value.trim();
            secrets.extend((!whole.is_empty()).then(|| whole.to_owned()));
            secrets.extend(
                whole
                    .split_whitespace()
                    .filter(|part| part.len() >= Self::SHORTEST_PART)
                    .map(str::to_owned),
            );
        }
        // Longest first, so a value goes whole before its parts are looked for.
        secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        secrets.dedup();
        Secrets(secrets.into())
    }

    /// These secrets and the credentials of `url`: its password, and the `Basic` token
    /// reqwest sends for its user and password.
    fn with_credentials_of(&self, url: &Url) -> Self {
        use base64::Engine;
        let mut all: Vec<String> = self.0.to_vec();
        if let Some(password) = url.password() {
            all.push(password.to_owned());
            let pair = format!("{}:{password}", url.username());
            all.push(base64::engine::general_purpose::STANDARD.encode(pair));
        }
        Secrets::new(all.iter())
    }

    /// `text` with every secret replaced by [`Self::MARK`].
    fn redact(&self, text: &str) -> String {
        self.0.iter().fold(text.to_owned(), |text, secret| {
            text.replace(secret.as_str(), Self::MARK)
        })
    }

    fn redact_error(&self, error: WebserverError) -> WebserverError {
        let redact_all = |texts: Vec<String>| texts.iter().map(|text| self.redact(text)).collect();
        match error {
            WebserverError::Unreachable(why) => WebserverError::Unreachable(self.redact(&why)),
            WebserverError::Status(status, body) => {
                WebserverError::Status(status, self.redact(&body))
            }
            WebserverError::GraphQl(messages) => WebserverError::GraphQl(redact_all(messages)),
            WebserverError::Unexpected(why) => WebserverError::Unexpected(self.redact(&why)),
            other @ (WebserverError::TimedOut(_) | WebserverError::Refused) => other,
        }
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secrets({} redacted)", self.0.len())
    }
}

/// A client of one webserver's GraphQL endpoint.
#[derive(Debug, Clone)]
pub struct WebserverClient {
    http: reqwest::Client,
    endpoint: Url,
    /// The endpoint as diagnostics show it: without a password.
    shown_endpoint: String,
    secrets: Secrets,
    timeout: Duration,
    retries: u32,
}

/// One pool's limit as the instance reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolLimitRow {
    /// The pool (concurrency key).
    pub concurrency_key: String,
    /// Its limit; `None` when it has none and no default applies.
    pub limit: Option<i64>,
    /// Whether the limit is the instance's default rather than the pool's own.
    pub using_default_limit: bool,
}

/// `runQueueConfig`: the run limits the instance enforces (absent without a queued run
/// coordinator).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunQueueConfig {
    /// Runs in progress at once (`-1` unlimited).
    pub max_concurrent_runs: i64,
    /// The tag limits as YAML text, as Dagster dumps them.
    pub tag_concurrency_limits_yaml: Option<String>,
}

/// `poolConfig`: pool settings in force; `None` fields are unset (Dagster's defaults apply).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolConfig {
    /// `run` or `op`.
    pub pool_granularity: Option<String>,
    /// Limit of pools without one of their own.
    pub default_pool_limit: Option<i64>,
    /// Extra runs that may start while waiting for slots, with op granularity.
    pub op_granularity_run_buffer: Option<i64>,
}

/// What the instance enforces, in one query.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceConcurrency {
    /// Run limits.
    pub run_queue_config: Option<RunQueueConfig>,
    /// Pool settings.
    pub pool_config: Option<PoolConfig>,
    /// Every pool the instance knows, with its limit.
    pub concurrency_limits: Vec<PoolLimitRow>,
}

#[derive(Deserialize)]
struct InstanceData<T> {
    instance: T,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OneLimit {
    concurrency_limit: PoolLimitRow,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SetLimitData {
    set_concurrency_limit: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeleteLimitData {
    delete_concurrency_limit: bool,
}

#[derive(Deserialize)]
struct GraphQlResponse {
    data: Option<serde_json::Value>,
    #[serde(default)]
    errors: Vec<GraphQlError>,
}

#[derive(Deserialize)]
struct GraphQlError {
    message: String,
}

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebserverError {
    /// No connection could be made (refused, DNS, TLS).
    Unreachable(String),
    /// No complete answer within the timeout.
    TimedOut(Duration),
    /// An HTTP status other than 200, with the GraphQL messages or the start of the body.
    Status(StatusCode, String),
    /// The GraphQL layer reported errors.
    GraphQl(Vec<String>),
    /// A mutation answered `false`.
    Refused,
    /// An answer that is not the GraphQL reply expected (wrong URL, another service).
    Unexpected(String),
}

impl WebserverError {
    /// Worth another attempt: the next one may succeed.
    fn is_transient(&self) -> bool {
        match self {
            WebserverError::Unreachable(_) | WebserverError::TimedOut(_) => true,
            WebserverError::Status(status, _) => matches!(status.as_u16(), 502..=504),
            _ => false,
        }
    }

    /// What the user should check.
    pub fn hint(&self) -> &'static str {
        match self {
            WebserverError::Unreachable(_) => "Check that the webserver is running and that the URL (host, port, scheme) is reachable from where Terraform runs, e.g. through `kubectl port-forward` or the cluster network.",
            WebserverError::TimedOut(_) => "Check that the URL points at the Dagster webserver and that it is healthy; raise `timeout_seconds` in the provider block for a slow instance.",
            WebserverError::Status(status, _) => match status.as_u16() {
                401 | 403 => "The server refused the credentials: check the `headers` of the provider block (e.g. the Authorization header an auth proxy expects).",
                // A Dagster webserver answers a POST anywhere but its GraphQL endpoint with 405.
                404 | 405 => "Nothing answers GraphQL at this path: `webserver_url` should be the webserver's base URL, e.g. `http://dagster-dagster-webserver.dagster.svc:80`, with its `--path-prefix` if it has one; the provider appends `/graphql`.",
                400 => "The webserver could not run the provider's query: check that it runs a Dagster version with pool limits (1.13.x is tested).",
                500 => "The webserver failed while answering: check its logs (for example its instance storage, or a limit outside 0..1000).",
                502..=504 => "A proxy in front of the webserver answered: the webserver behind it is down, starting or too slow. Check that it is running, then try again.",
                _ => "The server does not look like a Dagster webserver: check that `webserver_url` points at the Dagster webserver (the chart's `dagster-dagster-webserver` service) and not at another service.",
            },
            WebserverError::GraphQl(_) => "Check that the webserver runs a Dagster version with pool limits (1.13.x is tested) and is not started with `--read-only`.",
            WebserverError::Refused => "The webserver did not apply the change: check that it is not started with `--read-only` and that its instance storage is writable.",
            WebserverError::Unexpected(_) => "Check that `webserver_url` points at the Dagster webserver and not at another service.",
        }
    }
}

impl fmt::Display for WebserverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebserverError::Unreachable(why) => write!(f, "cannot connect: {why}"),
            WebserverError::TimedOut(timeout) => {
                write!(f, "no answer within {} s", timeout.as_secs())
            }
            WebserverError::Status(status, body) if body.is_empty() => write!(f, "HTTP {status}"),
            WebserverError::Status(status, body) => write!(f, "HTTP {status}: {body}"),
            WebserverError::GraphQl(messages) => {
                write!(f, "GraphQL errors: {}", messages.join("; "))
            }
            WebserverError::Refused => f.write_str("the webserver answered false"),
            WebserverError::Unexpected(why) => write!(f, "unexpected answer: {why}"),
        }
    }
}

/// The innermost cause of an error, e.g. `Connection refused (os error 111)`: reqwest's own
/// message only repeats the URL the diagnostic already names.
fn root_cause(error: &dyn std::error::Error) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

/// The start of a body, on one line, for an error message.
fn excerpt(body: &str) -> String {
    let line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(200) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line,
    }
}

impl WebserverClient {
    fn new(diags: &mut Diagnostics, url: &str, args: &WebserverArgs) -> Option<Self> {
        let settings = settings(diags, args);
        let endpoint = endpoint_or_report(diags, url)?;
        let settings = settings?;
        let built = reqwest::Client::builder()
            .default_headers(settings.headers)
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .build();
        let mut shown = endpoint.clone();
        if shown.password().is_some() {
            // Cannot fail: the URL has a password, so it has a host.
            let _ = shown.set_password(Some("redacted"));
        }
        match built {
            Ok(http) => Some(WebserverClient {
                http,
                secrets: settings.secrets.with_credentials_of(&endpoint),
                shown_endpoint: shown.to_string(),
                endpoint,
                timeout: settings.timeout,
                retries: settings.retries,
            }),
            Err(error) => {
                diags.error(
                    "cannot set up the HTTP client for the Dagster webserver",
                    root_cause(&error),
                );
                None
            }
        }
    }

    /// The GraphQL endpoint requests go to, as diagnostics show it (without a password).
    pub fn endpoint(&self) -> &str {
        &self.shown_endpoint
    }

    /// `text` (say, part of a server's answer) with every header value and password replaced.
    pub fn redact(&self, text: &str) -> String {
        self.secrets.redact(text)
    }

    /// Sets `pool`'s own limit (`setConcurrencyLimit`).
    pub async fn set_pool_limit(&self, pool: &str, limit: i64) -> Result<(), WebserverError> {
        let data: SetLimitData = self
            .execute(SET_LIMIT, json!({"key": pool, "limit": limit}))
            .await?;
        data.set_concurrency_limit
            .then_some(())
            .ok_or(WebserverError::Refused)
    }

    /// Removes `pool`'s own limit, so the default applies again (`deleteConcurrencyLimit`).
    pub async fn delete_pool_limit(&self, pool: &str) -> Result<(), WebserverError> {
        let data: DeleteLimitData = self.execute(DELETE_LIMIT, json!({"key": pool})).await?;
        data.delete_concurrency_limit
            .then_some(())
            .ok_or(WebserverError::Refused)
    }

    /// `pool`'s own limit, or `None` when it has none (the default limit applies).
    pub async fn pool_limit(&self, pool: &str) -> Result<Option<i64>, WebserverError> {
        let data: InstanceData<OneLimit> = self.execute(ONE_LIMIT, json!({"key": pool})).await?;
        let row = data.instance.concurrency_limit;
        Ok(if row.using_default_limit {
            None
        } else {
            row.limit
        })
    }

    /// Run limits, pool settings and every pool's limit the instance enforces.
    pub async fn instance_concurrency(&self) -> Result<InstanceConcurrency, WebserverError> {
        let data: InstanceData<InstanceConcurrency> =
            self.execute(INSTANCE_CONCURRENCY, json!({})).await?;
        Ok(data.instance)
    }

    /// Sends one GraphQL operation, retrying transient failures, and decodes its `data`; the
    /// error never holds a secret, whatever the server echoed.
    async fn execute<T: DeserializeOwned>(
        &self,
        query: &str,
        variables: serde_json::Value,
    ) -> Result<T, WebserverError> {
        self.execute_unredacted(query, variables)
            .await
            .map_err(|error| self.secrets.redact_error(error))
    }

    async fn execute_unredacted<T: DeserializeOwned>(
        &self,
        query: &str,
        variables: serde_json::Value,
    ) -> Result<T, WebserverError> {
        let body = json!({"query": query, "variables": variables});
        let mut attempt = 0;
        let data = loop {
            match self.attempt(&body).await {
                Err(error) if error.is_transient() && attempt < self.retries => {
                    let backoff = Duration::from_millis(250 << attempt.min(8)).min(MAX_BACKOFF);
                    tokio::time::sleep(backoff).await;
                    attempt += 1;
                }
                outcome => break outcome?,
            }
        };
        serde_json::from_value(data).map_err(|error| WebserverError::Unexpected(error.to_string()))
    }

    async fn attempt(&self, body: &serde_json::Value) -> Result<serde_json::Value, WebserverError> {
        let failed = |error: reqwest::Error| {
            if error.is_timeout() {
                WebserverError::TimedOut(self.timeout)
            } else {
                WebserverError::Unreachable(root_cause(&error))
            }
        };
        let response = self
            .http
            .post(self.endpoint.clone())
            .json(body)
            .send()
            .await
            .map_err(failed)?;
        let status = response.status();
        // Redacted before any excerpt is cut, which could leave a secret's start behind.
        let text = self.secrets.redact(&response.text().await.map_err(failed)?);
        let parsed = serde_json::from_str::<GraphQlResponse>(&text);
        if status != StatusCode::OK {
            let shown = match parsed {
                Ok(reply) if !reply.errors.is_empty() => reply
                    .errors
                    .into_iter()
                    .map(|error| error.message)
                    .collect::<Vec<_>>()
                    .join("; "),
                _ => excerpt(&text),
            };
            return Err(WebserverError::Status(status, shown));
        }
        let reply = parsed.map_err(|_| {
            WebserverError::Unexpected(format!("not a GraphQL reply: {}", excerpt(&text)))
        })?;
        if !reply.errors.is_empty() {
            return Err(WebserverError::GraphQl(
                reply
                    .errors
                    .into_iter()
                    .map(|error| error.message)
                    .collect(),
            ));
        }
        reply
            .data
            .ok_or_else(|| WebserverError::Unexpected("a GraphQL reply without data".into()))
    }

    /// Reports a failed request as an error naming the endpoint, what was attempted, and what
    /// to check.
    pub fn report(&self, diags: &mut Diagnostics, action: &str, error: &WebserverError) {
        self.report_read(diags, action, error, "");
    }

    /// [`Self::report`] for a read during plan: when the webserver cannot be reached, the
    /// detail ends with `offline`, how to plan without it (e.g. in CI).
    pub fn report_read(
        &self,
        diags: &mut Diagnostics,
        action: &str,
        error: &WebserverError,
        offline: &str,
    ) {
        let mut detail = format!(
            "Dagster webserver GraphQL endpoint: {}\n{}",
            self.shown_endpoint,
            error.hint()
        );
        if error.is_transient() && !offline.is_empty() {
            detail = format!("{detail}\n\n{offline}");
        }
        diags.error(
            self.redact(&format!("{action} on {}: {error}", self.shown_endpoint)),
            self.redact(&detail),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use wiremock::matchers::{body_partial_json, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn args(url: &str, timeout_seconds: i64, retries: i64) -> WebserverArgs {
        WebserverArgs {
            url: Value::from(url),
            headers: known_headers(BTreeMap::from([(
                "Authorization".to_owned(),
                "Bearer secret".to_owned(),
            )])),
            timeout_seconds: Value::from(timeout_seconds),
            retries: Value::from(retries),
        }
    }

    fn known_headers(headers: BTreeMap<String, String>) -> Value {
        Value::Map(
            headers
                .into_iter()
                .map(|(name, value)| (name, Value::from(value)))
                .collect(),
        )
    }

    fn client(url: &str, timeout_seconds: i64, retries: i64) -> WebserverClient {
        let shared = SharedWebserver::default();
        let mut diags = Diagnostics::default();
        shared.configure(&mut diags, &args(url, timeout_seconds, retries));
        assert!(diags.errors().is_empty(), "{:?}", diags.errors());
        shared.client(&mut diags, "test").expect("configured")
    }

    /// A client of a local port nothing listens on.
    fn closed_port_client(retries: i64) -> WebserverClient {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("free port")
            .port();
        client(&format!("http://127.0.0.1:{port}"), 5, retries)
    }

    #[test]
    fn endpoints() {
        for (given, expected) in [
            ("http://dagster:80", "http://dagster/graphql"),
            ("http://127.0.0.1:3000/", "http://127.0.0.1:3000/graphql"),
            (
                "https://x.example/dagster",
                "https://x.example/dagster/graphql",
            ),
            ("http://x:3000/graphql", "http://x:3000/graphql"),
            ("http://x:3000/graphql/", "http://x:3000/graphql"),
            ("http://x:3000/p/graphql//", "http://x:3000/p/graphql"),
        ] {
            assert_eq!(endpoint(given).map(String::from), Ok(expected.to_owned()));
        }
        assert!(endpoint("dagster:3000").is_err());
        assert!(endpoint("ftp://dagster").is_err());
    }

    #[test]
    fn bad_arguments_are_attribute_errors_and_header_values_stay_secret() {
        let mut bad = args("http://x", 0, 11);
        bad.headers = Value::Map(BTreeMap::from([
            ("Bad Name".to_owned(), Value::from("v".to_owned())),
            (
                "X-Token".to_owned(),
                Value::from("line\nbreak-secret".to_owned()),
            ),
            ("X-Null".to_owned(), Value::Null),
            ("X-Later".to_owned(), Value::Unknown),
        ]));
        let mut diags = Diagnostics::default();
        validate(&mut diags, &bad);
        let summaries: Vec<String> = diags
            .errors()
            .iter()
            .map(|d| d.summary.to_string())
            .collect();
        assert_eq!(summaries.len(), 5, "{summaries:?}");
        assert!(summaries.contains(&"the value of header \"X-Null\" is null".to_owned()));
        assert!(summaries.iter().all(|s| !s.contains("secret")));
        let mut diags = Diagnostics::default();
        validate(&mut diags, &args("localhost:3000", 5, 1));
        assert_eq!(diags.errors().len(), 1);
    }

    #[test]
    fn a_missing_url_is_reported_only_when_a_live_resource_asks() {
        let shared = SharedWebserver::default();
        let mut diags = Diagnostics::default();
        let unknown = WebserverArgs {
            url: Value::Unknown,
            ..Default::default()
        };
        shared.configure(&mut diags, &unknown);
        assert!(diags.errors().is_empty());
        assert!(shared.client(&mut diags, "dagster_pool_limit").is_none());
        assert!(diags.errors()[0].summary.contains("not known yet"));
    }

    #[test]
    fn the_environment_supplies_a_missing_url() {
        let shared = SharedWebserver::default();
        let mut diags = Diagnostics::default();
        let env_url = Some("http://from-env:3000".to_owned());
        shared.configure_with_env(&mut diags, &WebserverArgs::default(), env_url.clone());
        let client = shared
            .client(&mut diags, "test")
            .expect("from the environment");
        assert_eq!(client.endpoint(), "http://from-env:3000/graphql");
        shared.configure_with_env(&mut diags, &args("http://given:80", 5, 0), env_url);
        let client = shared.client(&mut diags, "test").expect("given");
        assert_eq!(client.endpoint(), "http://given/graphql");
        shared.configure_with_env(&mut diags, &WebserverArgs::default(), Some(" ".into()));
        assert!(diags.errors().is_empty());
        assert!(shared.client(&mut diags, "dagster_pool_limit").is_none());
        assert!(diags.errors()[0].detail.contains(URL_ENV));
    }

    #[tokio::test]
    async fn sets_and_reads_with_the_configured_headers() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/graphql"))
            .and(wiremock::matchers::header("authorization", "Bearer secret"))
            .and(body_partial_json(
                json!({"variables": {"key": "db", "limit": 4}}),
            ))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"data": {"setConcurrencyLimit": true}})),
            )
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(body_partial_json(json!({"variables": {"key": "db"}})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"instance": {
                "concurrencyLimit": {"concurrencyKey": "db", "limit": 4, "usingDefaultLimit": false}
            }}})))
            .mount(&server)
            .await;
        let client = client(&server.uri(), 5, 0);
        assert_eq!(client.set_pool_limit("db", 4).await, Ok(()));
        assert_eq!(client.pool_limit("db").await, Ok(Some(4)));
    }

    #[tokio::test]
    async fn a_pool_on_the_default_limit_has_no_limit_of_its_own() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"instance": {
                "concurrencyLimit": {"concurrencyKey": "db", "limit": 7, "usingDefaultLimit": true}
            }}})))
            .mount(&server)
            .await;
        assert_eq!(client(&server.uri(), 5, 0).pool_limit("db").await, Ok(None));
    }

    #[tokio::test]
    async fn http_500_and_graphql_errors_are_not_retried() {
        let server = MockServer::start().await;
        Mock::given(body_partial_json(json!({"variables": {"key": "a"}})))
            .respond_with(ResponseTemplate::new(500).set_body_json(
                json!({"data": null, "errors": [{"message": "Boolean cannot represent"}]}),
            ))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(body_partial_json(json!({"variables": {"key": "b"}})))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"errors": [{"message": "Cannot query field"}]})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let client = client(&server.uri(), 5, 3);
        let error = client.set_pool_limit("a", 1).await.expect_err("500");
        assert_eq!(
            error.to_string(),
            "HTTP 500 Internal Server Error: Boolean cannot represent"
        );
        let error = client.delete_pool_limit("b").await.expect_err("graphql");
        assert_eq!(
            error,
            WebserverError::GraphQl(vec!["Cannot query field".into()])
        );
    }

    #[tokio::test]
    async fn gateway_errors_are_retried_up_to_the_limit() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(503).set_body_string("upstream down"))
            .expect(3)
            .mount(&server)
            .await;
        let error = client(&server.uri(), 5, 2).delete_pool_limit("a").await;
        assert!(matches!(error, Err(WebserverError::Status(status, _)) if status == 503));
    }

    #[tokio::test]
    async fn a_silent_server_times_out() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
            .mount(&server)
            .await;
        let error = client(&server.uri(), 1, 0).pool_limit("a").await;
        assert_eq!(error, Err(WebserverError::TimedOut(Duration::from_secs(1))));
    }

    #[tokio::test]
    async fn a_closed_port_is_unreachable() {
        let client = closed_port_client(1);
        let error = client.pool_limit("a").await.expect_err("closed port");
        assert!(matches!(error, WebserverError::Unreachable(_)), "{error:?}");
        assert!(error.hint().contains("running"));
    }

    /// An auth proxy that refuses every request and echoes the request's credentials in its
    /// page, or (`straddle`) only the token, placed across the 200 characters a diagnostic
    /// shows of a body.
    struct EchoingProxy {
        straddle: bool,
    }

    impl wiremock::Respond for EchoingProxy {
        fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
            let header = |name: &str| {
                request
                    .headers
                    .get(name)
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_default()
                    .to_owned()
            };
            let authorization = header("authorization");
            let body = if self.straddle {
                let token = authorization.trim_start_matches("Bearer ");
                format!("<html>{} (token {token})</html>", "x".repeat(181))
            } else {
                format!(
                    "<html>denied: authorization: {authorization}; x-api-key: {}</html>",
                    header("x-api-key")
                )
            };
            ResponseTemplate::new(401).set_body_string(body)
        }
    }

    /// The diagnostic of a request to `url` with `headers`, when the server answers 401.
    async fn echoed_diagnostic(url: String, headers: BTreeMap<String, String>) -> String {
        let mut given = args(&url, 5, 0);
        given.headers = known_headers(headers);
        let shared = SharedWebserver::default();
        let mut diags = Diagnostics::default();
        shared.configure(&mut diags, &given);
        let client = shared.client(&mut diags, "test").expect("configured");
        let error = client.pool_limit("db").await.expect_err("401");
        assert!(matches!(error, WebserverError::Status(status, _) if status == 401));
        client.report_read(&mut diags, "cannot read", &error, "");
        assert!(diags.errors()[0].detail.contains("credentials"));
        format!("{} {}", diags.errors()[0].summary, diags.errors()[0].detail)
    }

    async fn echoing_proxy(straddle: bool) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(EchoingProxy { straddle })
            .mount(&server)
            .await;
        server
    }

    #[tokio::test]
    async fn header_values_echoed_back_never_reach_a_diagnostic() {
        let token = "s3cr3t-token-1234";
        let headers = BTreeMap::from([
            ("Authorization".to_owned(), format!("Bearer {token}")),
            ("X-Api-Key".to_owned(), "key-5678-abcd".to_owned()),
        ]);
        let server = echoing_proxy(false).await;
        let shown = echoed_diagnostic(server.uri(), headers.clone()).await;
        assert!(
            shown.contains("authorization: [redacted]; x-api-key: [redacted]"),
            "{shown}"
        );
        // Only the token, cut off where the diagnostic stops showing the body.
        let server = echoing_proxy(true).await;
        let shown = echoed_diagnostic(server.uri(), headers).await;
        assert!(shown.contains("(token [re"), "{shown}");
        // A password in the URL: reqwest sends it as Basic credentials, which are echoed too.
        let server = echoing_proxy(false).await;
        let url = server.uri().replace("http://", "http://user:hunter2pass@");
        let with_password = echoed_diagnostic(url, BTreeMap::new()).await;
        assert!(
            with_password.contains("http://user:redacted@127.0.0.1"),
            "{with_password}"
        );
        assert!(
            with_password.contains("authorization: Basic [redacted]"),
            "{with_password}"
        );
        for secret in [token, "s3cr3", "key-5678-abcd", "hunter2pass"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
            assert!(
                !with_password.contains(secret),
                "{secret} in {with_password}"
            );
        }
    }

    #[test]
    fn redaction_takes_whole_values_and_long_parts() {
        let secrets = Secrets::new(&[" Bearer abcdefgh12 ".to_owned(), "short".to_owned()]);
        assert_eq!(
            secrets.redact("Bearer abcdefgh12 | abcdefgh12 | short | Bearer"),
            "[redacted] | [redacted] | [redacted] | Bearer"
        );
    }

    #[tokio::test]
    async fn each_wrong_server_gets_a_hint_that_fits() {
        let server = MockServer::start().await;
        for (status, hint) in [
            (405, "should be the webserver's base URL"),
            (404, "should be the webserver's base URL"),
            (501, "does not look like a Dagster webserver"),
            (302, "does not look like a Dagster webserver"),
            (400, "Dagster version"),
            (500, "failed while answering"),
        ] {
            server.reset().await;
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(status))
                .mount(&server)
                .await;
            let error = client(&server.uri(), 5, 0).pool_limit("a").await;
            let Err(error @ WebserverError::Status(..)) = error else {
                panic!("{status}: {error:?}");
            };
            assert!(error.hint().contains(hint), "{status}: {}", error.hint());
            assert!(
                !error.hint().contains("0..1000") || status == 500,
                "{status}"
            );
        }
    }

    #[tokio::test]
    async fn a_refresh_that_cannot_reach_the_webserver_says_how_to_plan_without_it() {
        let client = closed_port_client(0);
        let error = client.pool_limit("a").await.expect_err("closed port");
        let mut diags = Diagnostics::default();
        client.report_read(
            &mut diags,
            "cannot read",
            &error,
            "Plan with -refresh=false.",
        );
        client.report_read(
            &mut diags,
            "cannot read",
            &WebserverError::Refused,
            "Plan with -refresh=false.",
        );
        assert!(diags.errors()[0]
            .detail
            .contains("\n\nPlan with -refresh=false."));
        assert!(!diags.errors()[1].detail.contains("-refresh=false"));
    }

    #[tokio::test]
    async fn another_service_is_unexpected() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_string("<html>login</html>"))
            .mount(&server)
            .await;
        let error = client(&server.uri(), 5, 0).pool_limit("a").await;
        assert!(
            matches!(error, Err(WebserverError::Unexpected(_))),
            "{error:?}"
        );
    }
}
