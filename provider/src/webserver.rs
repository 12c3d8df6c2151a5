//! The Dagster webserver as the provider block configures it: the block's arguments checked
//! into diagnostics on their attributes, the client shared with the live resources once
//! `configure` has run, and the client's errors turned into diagnostics.
//!
//! The client itself (HTTP, deadlines, retries, redaction, the GraphQL documents) is the
//! `dagster-webserver-client` crate, which the `dagster-concurrency` CLI uses too.

use crate::convert::whole;
use crate::diagnostics::report;
pub use ::webserver::config::{DEFAULT_RETRIES, DEFAULT_TIMEOUT_SECONDS, MAX_RETRIES, URL_ENV};
pub use ::webserver::graphql::InstanceConcurrency;
use ::webserver::{config, Client, Config, ConfigError, SettingNames, WebserverError};
use std::ops::Deref;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;
use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use tfplugin::value::Value;
use validator::model::Setting;
use validator::path::AttrPath;

/// How the client's hints name the provider block's arguments.
const NAMES: SettingNames = SettingNames {
    url: "`webserver_url`",
    headers: "the `headers` of the provider block",
    timeout: "`timeout_seconds` in the provider block",
    sent_from: "where Terraform runs",
};

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
        self.configure_with_env(diags, args, config::url_from_env())
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
    headers: Vec<(String, String)>,
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

/// A header the client refuses, as a diagnostic on `headers`; never shows a header's value.
fn header_error(diags: &mut Diagnostics, problem: &ConfigError) {
    let (summary, detail) = match problem {
        ConfigError::HeaderName(name) => (
            format!("header name {name:?} is not a valid HTTP header name"),
            "Use letters, digits and `-`, e.g. `Authorization` or `X-Forwarded-User`.",
        ),
        // The value may be a secret: name the header, never show the value.
        ConfigError::HeaderValue(name) => (
            format!("the value of header {name:?} is not a valid HTTP header value"),
            "Header values are printable text on one line, without control characters.",
        ),
        other => (other.to_string(), ""),
    };
    attribute_error(diags, "headers", summary, detail.into());
}

fn settings(diags: &mut Diagnostics, args: &WebserverArgs) -> Option<Settings> {
    let timeout = bounded(
        diags,
        &args.timeout_seconds,
        "timeout_seconds",
        DEFAULT_TIMEOUT_SECONDS,
        config::TIMEOUT_SECONDS,
    );
    let retries = bounded(
        diags,
        &args.retries,
        "retries",
        DEFAULT_RETRIES,
        config::RETRIES,
    );
    let mut headers = Vec::new();
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
            match config::header(name, value) {
                Ok(_) => headers.push((name.clone(), value.clone())),
                Err(problem) => {
                    headers_ok = false;
                    header_error(diags, &problem);
                }
            }
        }
    }
    Some(Settings {
        headers: headers_ok.then_some(headers)?,
        timeout: Duration::from_secs(u64::try_from(timeout?).ok()?),
        retries: u32::try_from(retries?).ok()?,
    })
}

fn endpoint_or_report(diags: &mut Diagnostics, url: &str) -> Option<()> {
    match config::endpoint(url) {
        Ok(_) => Some(()),
        Err(problem) => {
            let why = match problem {
                ConfigError::Url { why, .. } => why,
                other => other.to_string(),
            };
            attribute_error(diags, "webserver_url", format!("webserver_url {url:?} is not a usable URL: {why}"), "Use the webserver's base URL, e.g. `http://dagster-dagster-webserver.dagster.svc:80` (or its `/graphql` endpoint).".into());
            None
        }
    }
}

/// The client of the provider block's webserver, with what turns its errors into diagnostics.
/// It dereferences to the [`Client`], whose operations the live resources call.
#[derive(Debug, Clone)]
pub struct WebserverClient(Client);

impl Deref for WebserverClient {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.0
    }
}

impl WebserverClient {
    fn new(diags: &mut Diagnostics, url: &str, args: &WebserverArgs) -> Option<Self> {
        let settings = settings(diags, args);
        endpoint_or_report(diags, url)?;
        let settings = settings?;
        let config = Config {
            url: url.to_owned(),
            headers: settings.headers,
            timeout: settings.timeout,
            retries: settings.retries,
            user_agent: concat!("terraform-provider-dagster/", env!("CARGO_PKG_VERSION")).into(),
        };
        match Client::new(&config) {
            Ok(client) => Some(WebserverClient(client)),
            Err(problems) => {
                for problem in problems {
                    diags.error(
                        "cannot set up the HTTP client for the Dagster webserver",
                        problem.to_string(),
                    );
                }
                None
            }
        }
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
            self.endpoint(),
            error.hint(&NAMES)
        );
        if error.is_transient() && !offline.is_empty() {
            detail = format!("{detail}\n\n{offline}");
        }
        diags.error(
            self.redact(&format!("{action} on {}: {error}", self.endpoint())),
            self.redact(&detail),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use wiremock::matchers::method;
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
    async fn a_refused_request_names_the_provider_arguments_and_hides_the_header() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(|request: &wiremock::Request| {
                let echoed = request
                    .headers
                    .get("authorization")
                    .map(|value| value.to_str().unwrap_or_default().to_owned());
                ResponseTemplate::new(401)
                    .set_body_string(format!("denied: {}", echoed.unwrap_or_default()))
            })
            .mount(&server)
            .await;
        let client = client(&server.uri(), 5, 0);
        let error = client.pool_limit("db").await.expect_err("401");
        let mut diags = Diagnostics::default();
        client.report(&mut diags, "cannot read", &error);
        let shown = format!("{} {}", diags.errors()[0].summary, diags.errors()[0].detail);
        assert!(shown.contains("HTTP 401"), "{shown}");
        assert!(shown.contains("denied: [redacted]"), "{shown}");
        assert!(!shown.contains("Bearer secret"), "{shown}");
        assert!(
            shown.contains("check the `headers` of the provider block"),
            "{shown}"
        );
    }
}
