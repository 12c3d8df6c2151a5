//! Why a request failed, and what to check, in the words of the caller's own settings.

use reqwest::StatusCode;
use std::fmt;
use std::time::Duration;

/// How the caller names what a hint points at: the Terraform provider's attributes or the
/// CLI's flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingNames {
    /// The URL setting, e.g. `` `webserver_url` ``.
    pub url: &'static str,
    /// The headers setting, e.g. ``the `headers` of the provider block``.
    pub headers: &'static str,
    /// The timeout setting, e.g. `` `--timeout` ``.
    pub timeout: &'static str,
    /// Where requests are sent from, e.g. `where Terraform runs`.
    pub sent_from: &'static str,
}

/// Why a request failed. Never holds a secret: the client redacts every text it keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebserverError {
    /// No connection could be made (refused, DNS, TLS).
    Unreachable(String),
    /// The connection broke after the request was sent, before the whole answer came (a
    /// reset, an answer cut off): the request may or may not have been applied.
    Interrupted(String),
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
    /// A mutation that failed so that Dagster may have applied it (this error), and whose
    /// outcome could not be read back either.
    Unconfirmed(Box<WebserverError>),
}

impl WebserverError {
    /// Worth another attempt: the next one may succeed (the server unreachable, the
    /// connection broken, no answer in time, a proxy's 502/503/504).
    pub fn is_transient(&self) -> bool {
        match self {
            WebserverError::Unreachable(_)
            | WebserverError::Interrupted(_)
            | WebserverError::TimedOut(_) => true,
            WebserverError::Status(status, _) => matches!(status.as_u16(), 502..=504),
            _ => false,
        }
    }

    /// The request may have reached Dagster and been applied though it failed: the answer,
    /// not the request, may be what was lost (a broken connection, no answer in time, a
    /// proxy's 502/503/504, which a proxy may send after forwarding the request).
    pub(crate) fn may_have_been_applied(&self) -> bool {
        self.is_transient() && !matches!(self, WebserverError::Unreachable(_))
    }

    /// What the user should check, naming the caller's settings.
    pub fn hint(&self, names: &SettingNames) -> String {
        let SettingNames {
            url,
            headers,
            timeout,
            sent_from,
        } = names;
        match self {
            WebserverError::Unreachable(_) => format!("Check that the webserver is running and that the URL (host, port, scheme) is reachable from {sent_from}, e.g. through `kubectl port-forward` or the cluster network."),
            WebserverError::Interrupted(_) => "The webserver, or a proxy in front of it, closed the connection in the middle of a request: check that the webserver is running and healthy (its logs, its restarts), then try again.".into(),
            WebserverError::TimedOut(_) => format!("Check that the URL points at the Dagster webserver and that it is healthy; raise {timeout} for a slow instance."),
            WebserverError::Status(status, _) => match status.as_u16() {
                401 | 403 => format!("The server refused the credentials: check {headers} (e.g. the Authorization header an auth proxy expects)."),
                // A Dagster webserver answers a POST anywhere but its GraphQL endpoint with 405.
                404 | 405 => format!("Nothing answers GraphQL at this path: {url} should be the webserver's base URL, e.g. `http://dagster-dagster-webserver.dagster.svc:80`, with its `--path-prefix` if it has one; `/graphql` is appended."),
                400 => "The webserver could not run the query: check that it runs a Dagster version with pool limits (1.13.x is tested).".into(),
                500 => "The webserver failed while answering: check its logs (for example its instance storage, or a limit outside 0..1000).".into(),
                502..=504 => "A proxy in front of the webserver answered: the webserver behind it is down, starting or too slow. Check that it is running, then try again.".into(),
                _ => format!("The server does not look like a Dagster webserver: check that {url} points at the Dagster webserver (the chart's `dagster-dagster-webserver` service) and not at another service."),
            },
            WebserverError::GraphQl(_) => "Check that the webserver runs a Dagster version with pool limits (1.13.x is tested) and is not started with `--read-only`.".into(),
            WebserverError::Refused => "The webserver did not apply the change: check that it is not started with `--read-only` and that its instance storage is writable.".into(),
            WebserverError::Unexpected(_) => format!("Check that {url} points at the Dagster webserver and not at another service."),
            WebserverError::Unconfirmed(_) => "Dagster may have applied the change before the answer was lost, and what was recorded before is kept. Setting or deleting a pool's limit is safe to repeat: once the webserver answers again, apply again; it reads the limit back from Dagster first.".into(),
        }
    }
}

impl fmt::Display for WebserverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebserverError::Unreachable(why) => write!(f, "cannot connect: {why}"),
            WebserverError::Interrupted(why) => {
                write!(f, "the connection broke before the whole answer came: {why}")
            }
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
            WebserverError::Unconfirmed(error) => write!(
                f,
                "{error}; reading the limit back failed too, so whether Dagster applied the change is unknown"
            ),
        }
    }
}

impl std::error::Error for WebserverError {}
