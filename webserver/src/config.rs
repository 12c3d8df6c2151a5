//! What to connect to and how: the webserver's URL (turned into its GraphQL endpoint), extra
//! HTTP headers, the deadline of one request and the retries of a failed one.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use reqwest::Url;
use std::fmt;
use std::ops::RangeInclusive;
use std::time::Duration;

/// Environment variable that gives the webserver URL when none is configured.
pub const URL_ENV: &str = "DAGSTER_WEBSERVER_URL";
/// The URL in [`URL_ENV`], when it is set and not blank.
pub fn url_from_env() -> Option<String> {
    std::env::var(URL_ENV)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// Seconds one request may take when no timeout is configured.
pub const DEFAULT_TIMEOUT_SECONDS: i64 = 30;
/// Seconds a timeout may be set to.
pub const TIMEOUT_SECONDS: RangeInclusive<i64> = 1..=3600;
/// Retries of a failed request when none are configured.
pub const DEFAULT_RETRIES: i64 = 2;
/// Most retries accepted, so a misconfigured run still ends soon.
pub const MAX_RETRIES: i64 = 10;
/// Retries a configuration may ask for.
pub const RETRIES: RangeInclusive<i64> = 0..=MAX_RETRIES;

/// How to reach one webserver.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// The webserver's base URL (a `--path-prefix` included) or its `/graphql` endpoint.
    pub url: String,
    /// Extra headers sent with every request, e.g. an `Authorization` an auth proxy expects;
    /// their values are secrets.
    pub headers: Vec<(String, String)>,
    /// The deadline of one request, connecting included.
    pub timeout: Duration,
    /// Further attempts after a transient failure.
    pub retries: u32,
    /// The `User-Agent` header, e.g. `dagster-concurrency/0.1.0`.
    pub user_agent: String,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values are secrets: only their names are shown.
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Config")
            .field("url", &self.url)
            .field("headers", &names)
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

/// A configuration the client cannot use. Never holds a header's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The URL does not parse, or is not http(s).
    Url {
        /// The URL as given.
        url: String,
        /// Why, lowercase.
        why: String,
    },
    /// A header name HTTP does not allow.
    HeaderName(String),
    /// The value of this header is not valid HTTP (a line break, a control character).
    HeaderValue(String),
    /// The HTTP client could not be set up (no TLS roots, say).
    Http(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Url { url, why } => {
                write!(f, "webserver url {url:?} is not a usable url: {why}")
            }
            ConfigError::HeaderName(name) => {
                write!(f, "header name {name:?} is not a valid http header name")
            }
            ConfigError::HeaderValue(name) => {
                write!(
                    f,
                    "the value of header {name:?} is not a valid http header value"
                )
            }
            ConfigError::Http(why) => write!(f, "cannot set up the http client: {why}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The GraphQL endpoint of a webserver URL: `/graphql` is appended unless already there, so a
/// base URL, one with the webserver's `--path-prefix`, or the endpoint itself all work. A
/// trailing `/` goes: the webserver answers a POST to `/graphql/` with 405.
pub fn endpoint(url: &str) -> Result<Url, ConfigError> {
    let invalid = |why: String| ConfigError::Url {
        url: url.to_owned(),
        why,
    };
    let mut parsed = Url::parse(url.trim()).map_err(|error| invalid(error.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "scheme {:?} is not http or https",
            parsed.scheme()
        )));
    }
    let base = parsed.path().trim_end_matches('/').to_owned();
    if base.ends_with("/graphql") {
        parsed.set_path(&base);
    } else {
        parsed.set_path(&format!("{base}/graphql"));
    }
    Ok(parsed)
}

/// Checks one header; the value is marked sensitive (kept out of reqwest's debug output).
pub fn header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), ConfigError> {
    let parsed_name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| ConfigError::HeaderName(name.to_owned()))?;
    let mut parsed_value =
        HeaderValue::from_str(value).map_err(|_| ConfigError::HeaderValue(name.to_owned()))?;
    parsed_value.set_sensitive(true);
    Ok((parsed_name, parsed_value))
}

/// Every header of `config` and its user agent, or every header that is not valid HTTP.
pub(crate) fn header_map(config: &Config) -> Result<HeaderMap, Vec<ConfigError>> {
    let mut headers = HeaderMap::new();
    let mut problems = Vec::new();
    if let Ok(agent) = HeaderValue::from_str(&config.user_agent) {
        headers.insert(USER_AGENT, agent);
    }
    for (name, value) in &config.headers {
        match header(name, value) {
            Ok((name, value)) => {
                headers.insert(name, value);
            }
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        Ok(headers)
    } else {
        Err(problems)
    }
}

impl Config {
    /// Every problem of this configuration, none when a client can be made from it.
    pub fn problems(&self) -> Vec<ConfigError> {
        let mut problems = endpoint(&self.url).err().into_iter().collect::<Vec<_>>();
        problems.extend(header_map(self).err().into_iter().flatten());
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            endpoint("ftp://dagster").map_err(|e| e.to_string()),
            Err("webserver url \"ftp://dagster\" is not a usable url: scheme \"ftp\" is not http or https".to_owned())
        );
    }

    #[test]
    fn every_problem_is_listed_and_no_header_value_is_shown() {
        let config = Config {
            url: "localhost:3000".into(),
            headers: vec![
                ("Bad Name".into(), "v".into()),
                ("X-Token".into(), "line\nbreak-secret".into()),
                ("X-Fine".into(), "fine".into()),
            ],
            timeout: Duration::from_secs(1),
            retries: 0,
            user_agent: "test".into(),
        };
        let problems = config.problems();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!(problems[1], ConfigError::HeaderName("Bad Name".into()));
        let shown = format!("{problems:?} {config:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }
}
