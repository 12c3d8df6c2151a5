//! The HTTP transport of GraphQL operations: one endpoint, a deadline on every request, retries
//! of transient failures only, and redaction of every text kept from an answer.

use crate::config::{endpoint, header_map, Config, ConfigError};
use crate::error::WebserverError;
use crate::redact::Secrets;
use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

/// Longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(4);
/// Characters of a body an error keeps.
const EXCERPT_CHARS: usize = 200;

/// A client of one webserver's GraphQL endpoint.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    endpoint: Url,
    /// The endpoint as messages show it: without a password.
    shown_endpoint: String,
    secrets: Secrets,
    timeout: Duration,
    retries: u32,
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

/// The innermost cause of an error, e.g. `Connection refused (os error 111)`: reqwest's own
/// message only repeats the URL the caller already names.
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
    match line.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line,
    }
}

impl Client {
    /// A client of `config`'s webserver; every problem of the configuration when it has any.
    /// Nothing is sent yet.
    pub fn new(config: &Config) -> Result<Self, Vec<ConfigError>> {
        let endpoint = endpoint(&config.url);
        let headers = header_map(config);
        let (endpoint, headers) = match (endpoint, headers) {
            (Ok(endpoint), Ok(headers)) => (endpoint, headers),
            (endpoint, headers) => {
                let mut problems: Vec<ConfigError> = endpoint.err().into_iter().collect();
                problems.extend(headers.err().into_iter().flatten());
                return Err(problems);
            }
        };
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .build()
            .map_err(|error| vec![ConfigError::Http(root_cause(&error))])?;
        let mut shown = endpoint.clone();
        if shown.password().is_some() {
            // Cannot fail: the URL has a password, so it has a host.
            let _ = shown.set_password(Some("redacted"));
        }
        let secrets = Secrets::new(config.headers.iter().map(|(_, value)| value));
        Ok(Client {
            http,
            secrets: secrets.with_credentials_of(&endpoint),
            shown_endpoint: shown.to_string(),
            endpoint,
            timeout: config.timeout,
            retries: config.retries,
        })
    }

    /// The GraphQL endpoint requests go to, as messages show it (without a password).
    pub fn endpoint(&self) -> &str {
        &self.shown_endpoint
    }

    /// `text` (say, part of a server's answer) with every header value and password replaced.
    pub fn redact(&self, text: &str) -> String {
        self.secrets.redact(text)
    }

    /// Sends one GraphQL operation, retrying transient failures, and decodes its `data`; the
    /// error never holds a secret, whatever the server echoed.
    pub async fn execute<T: DeserializeOwned>(
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
        serde_json::from_value(data)
            .map_err(|error| WebserverError::Unexpected(self.redact(&error.to_string())))
    }

    /// One request; every text the error keeps is redacted.
    async fn attempt(&self, body: &serde_json::Value) -> Result<serde_json::Value, WebserverError> {
        let failed = |error: reqwest::Error| {
            if error.is_timeout() {
                WebserverError::TimedOut(self.timeout)
            } else if error.is_connect() {
                WebserverError::Unreachable(self.redact(&root_cause(&error)))
            } else {
                WebserverError::Interrupted(self.redact(&root_cause(&error)))
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
        let text = self.redact(&response.text().await.map_err(failed)?);
        let parsed = serde_json::from_str::<GraphQlResponse>(&text);
        let messages = |reply: GraphQlResponse| reply.errors.into_iter().map(|error| error.message);
        if status != StatusCode::OK {
            let shown = match parsed {
                Ok(reply) if !reply.errors.is_empty() => {
                    messages(reply).collect::<Vec<_>>().join("; ")
                }
                _ => excerpt(&text),
            };
            return Err(WebserverError::Status(status, shown));
        }
        let reply = parsed.map_err(|_| {
            WebserverError::Unexpected(format!("not a GraphQL reply: {}", excerpt(&text)))
        })?;
        if !reply.errors.is_empty() {
            return Err(WebserverError::GraphQl(messages(reply).collect()));
        }
        reply
            .data
            .ok_or_else(|| WebserverError::Unexpected("a GraphQL reply without data".into()))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::error::SettingNames;
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const NAMES: SettingNames = SettingNames {
        url: "`url`",
        headers: "`headers`",
        timeout: "`timeout`",
        sent_from: "here",
    };

    /// A client of `url` sending `Authorization: Bearer secret`.
    pub(crate) fn client(url: &str, timeout_seconds: u64, retries: u32) -> Client {
        client_with(
            url,
            timeout_seconds,
            retries,
            vec![("Authorization".into(), "Bearer secret".into())],
        )
    }

    fn client_with(
        url: &str,
        timeout_seconds: u64,
        retries: u32,
        headers: Vec<(String, String)>,
    ) -> Client {
        Client::new(&Config {
            url: url.into(),
            headers,
            timeout: Duration::from_secs(timeout_seconds),
            retries,
            user_agent: "test".into(),
        })
        .expect("a valid configuration")
    }

    /// `{ ok }` against whatever the server answers.
    async fn ask(client: &Client) -> Result<serde_json::Value, WebserverError> {
        client.execute("query { ok }", json!({})).await
    }

    #[tokio::test]
    async fn gateway_errors_are_retried_up_to_the_limit_and_500_is_not() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(503).set_body_string("upstream down"))
            .expect(3)
            .mount(&server)
            .await;
        let error = ask(&client(&server.uri(), 5, 2)).await;
        assert!(matches!(error, Err(WebserverError::Status(status, _)) if status == 503));
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(500).set_body_json(
                json!({"data": null, "errors": [{"message": "Boolean cannot represent"}]}),
            ))
            .expect(1)
            .mount(&server)
            .await;
        let error = ask(&client(&server.uri(), 5, 3)).await.expect_err("500");
        assert_eq!(
            error.to_string(),
            "HTTP 500 Internal Server Error: Boolean cannot represent"
        );
    }

    #[tokio::test]
    async fn a_connection_reset_mid_request_is_interrupted_not_unreachable() {
        use tokio::io::AsyncReadExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("listener");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let _ = stream.read(&mut [0u8; 4096]).await;
                let _ = stream.set_zero_linger();
            }
        });
        let error = ask(&client(&url, 5, 1)).await.expect_err("reset");
        assert!(matches!(error, WebserverError::Interrupted(_)), "{error:?}");
        assert!(
            error.to_string().starts_with("the connection broke"),
            "{error}"
        );
        assert!(error.hint(&NAMES).contains("closed the connection"));
    }

    #[tokio::test]
    async fn a_silent_server_times_out() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
            .mount(&server)
            .await;
        let error = ask(&client(&server.uri(), 1, 0)).await;
        assert_eq!(error, Err(WebserverError::TimedOut(Duration::from_secs(1))));
    }

    #[tokio::test]
    async fn a_closed_port_is_unreachable() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("free port")
            .port();
        let error = ask(&client(&format!("http://127.0.0.1:{port}"), 5, 1))
            .await
            .expect_err("closed port");
        assert!(matches!(error, WebserverError::Unreachable(_)), "{error:?}");
        assert!(error.hint(&NAMES).contains("running"));
        assert!(error.hint(&NAMES).contains("reachable from here"));
    }

    #[tokio::test]
    async fn each_wrong_server_gets_a_hint_that_fits() {
        let server = MockServer::start().await;
        for (status, hint) in [
            (405, "`url` should be the webserver's base URL"),
            (404, "`url` should be the webserver's base URL"),
            (501, "does not look like a Dagster webserver"),
            (302, "does not look like a Dagster webserver"),
            (400, "Dagster version"),
            (500, "failed while answering"),
            (401, "check `headers`"),
        ] {
            server.reset().await;
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(status))
                .mount(&server)
                .await;
            let error = ask(&client(&server.uri(), 5, 0)).await;
            let Err(error @ WebserverError::Status(..)) = error else {
                panic!("{status}: {error:?}");
            };
            let shown = error.hint(&NAMES);
            assert!(shown.contains(hint), "{status}: {shown}");
            assert!(!shown.contains("0..1000") || status == 500, "{status}");
        }
    }

    #[tokio::test]
    async fn another_service_is_unexpected() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_string("<html>login</html>"))
            .mount(&server)
            .await;
        let error = ask(&client(&server.uri(), 5, 0)).await;
        assert!(
            matches!(error, Err(WebserverError::Unexpected(_))),
            "{error:?}"
        );
    }

    /// An auth proxy that refuses every request and echoes the request's credentials in its
    /// page, or (`straddle`) only the token, placed across the characters an error keeps.
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

    /// The error of a request to a proxy that echoes, with `headers`, and its endpoint.
    async fn echoed(straddle: bool, password: bool, headers: Vec<(String, String)>) -> String {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(EchoingProxy { straddle })
            .mount(&server)
            .await;
        let mut url = server.uri();
        if password {
            url = url.replace("http://", "http://user:hunter2pass@");
        }
        let client = client_with(&url, 5, 0, headers);
        let error = ask(&client).await.expect_err("401");
        assert!(matches!(error, WebserverError::Status(status, _) if status == 401));
        format!("{} {error}", client.endpoint())
    }

    #[tokio::test]
    async fn header_values_echoed_back_never_reach_an_error() {
        let token = "s3cr3t-token-1234";
        let headers = vec![
            ("Authorization".to_owned(), format!("Bearer {token}")),
            ("X-Api-Key".to_owned(), "key-5678-abcd".to_owned()),
        ];
        let shown = echoed(false, false, headers.clone()).await;
        assert!(
            shown.contains("authorization: [redacted]; x-api-key: [redacted]"),
            "{shown}"
        );
        // Only the token, cut off where the error stops keeping the body.
        let cut = echoed(true, false, headers).await;
        assert!(cut.contains("(token [re"), "{cut}");
        // A password in the URL: reqwest sends it as Basic credentials, which are echoed too.
        let with_password = echoed(false, true, Vec::new()).await;
        assert!(
            with_password.contains("http://user:redacted@127.0.0.1"),
            "{with_password}"
        );
        assert!(
            with_password.contains("authorization: Basic [redacted]"),
            "{with_password}"
        );
        for secret in [token, "s3cr3", "key-5678-abcd", "hunter2pass"] {
            for text in [&shown, &cut, &with_password] {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
        }
    }
}
