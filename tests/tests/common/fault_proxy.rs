//! A fault-injecting HTTP proxy on 127.0.0.1 in front of a real `dagster-webserver`
//! (`#[path]`-included by the fault tests): it passes requests through until a rule says
//! otherwise, then resets the connection, cuts the answer off, stalls, or answers with an
//! error status, before or after Dagster has seen the request.
//!
//! Written by hand on tokio rather than with a proxy crate because the faults need the raw
//! socket: a reset (`SO_LINGER` 0), half an answer, a connection held open without a word.
//! It understands just enough HTTP/1.1 for the provider's GraphQL requests: one request with
//! a `Content-Length` body, sent upstream with `Connection: close` and answered by whatever
//! the webserver writes until it closes.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

/// The GraphQL operations the provider sends, told apart by the query text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `setConcurrencyLimit` (create and update of `dagster_pool_limit`).
    SetLimit,
    /// `deleteConcurrencyLimit` (destroy).
    DeleteLimit,
    /// `concurrencyLimit(concurrencyKey:)`: one pool's limit (refresh, import).
    ReadLimit,
    /// `runQueueConfig` and every pool: `data "dagster_instance_concurrency"`.
    ReadInstance,
    /// Anything else.
    Other,
}

impl Operation {
    fn of(body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(body);
        if text.contains("setConcurrencyLimit") {
            Operation::SetLimit
        } else if text.contains("deleteConcurrencyLimit") {
            Operation::DeleteLimit
        } else if text.contains("runQueueConfig") {
            Operation::ReadInstance
        } else if text.contains("concurrencyLimit(") {
            Operation::ReadLimit
        } else {
            Operation::Other
        }
    }
}

/// What the proxy does to a request a rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Resets the connection (RST) before Dagster sees the request.
    ResetBefore,
    /// Lets Dagster apply the request, then resets the connection instead of answering.
    ResetAfter,
    /// Lets Dagster answer, then passes on the head and half the body and closes.
    CutAnswer,
    /// Lets Dagster apply the request, then holds the connection open without a word until
    /// the client gives up.
    Stall,
    /// Answers with this HTTP status and an HTML page, as a proxy or load balancer does;
    /// `forwarded` says whether Dagster saw the request first.
    Status {
        /// The status code.
        code: u16,
        /// Whether the request reached Dagster before the error page was sent.
        forwarded: bool,
    },
}

impl Fault {
    /// Whether Dagster sees the request before the fault strikes.
    pub fn reaches_dagster(self) -> bool {
        match self {
            Fault::ResetBefore => false,
            Fault::ResetAfter | Fault::CutAnswer | Fault::Stall => true,
            Fault::Status { forwarded, .. } => forwarded,
        }
    }
}

/// Injects `fault` into the next `times` requests of `operation`.
#[derive(Debug, Clone)]
struct Rule {
    operation: Operation,
    fault: Fault,
    times: usize,
}

/// One request the proxy saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// What it was.
    pub operation: Operation,
    /// The fault injected, if any.
    pub fault: Option<Fault>,
    /// Whether Dagster received it.
    pub forwarded: bool,
}

#[derive(Debug)]
struct Shared {
    upstream: SocketAddr,
    rules: Vec<Rule>,
    seen: Vec<Seen>,
}

/// The proxy, serving on its own runtime until dropped.
pub struct FaultProxy {
    /// Base URL of the proxy, `http://127.0.0.1:PORT`, for the provider block.
    pub url: String,
    shared: Arc<Mutex<Shared>>,
    runtime: Option<Runtime>,
}

impl FaultProxy {
    /// Starts a proxy in front of the webserver at `upstream_url` (`http://127.0.0.1:PORT`).
    pub fn start(upstream_url: &str) -> Self {
        let upstream: SocketAddr = upstream_url
            .trim_start_matches("http://")
            .parse()
            .expect("upstream is http://IP:PORT");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("proxy runtime");
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("proxy port");
        let url = format!("http://{}", listener.local_addr().expect("proxy address"));
        let shared = Arc::new(Mutex::new(Shared {
            upstream,
            rules: Vec::new(),
            seen: Vec::new(),
        }));
        let accepting = Arc::clone(&shared);
        runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(serve(client, Arc::clone(&accepting)));
            }
        });
        FaultProxy {
            url,
            shared,
            runtime: Some(runtime),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Injects `fault` into the next `times` requests of `operation` (`usize::MAX`: all).
    pub fn inject(&self, operation: Operation, fault: Fault, times: usize) {
        self.lock().rules.push(Rule {
            operation,
            fault,
            times,
        });
    }

    /// Removes every rule: requests pass through again.
    pub fn heal(&self) {
        self.lock().rules.clear();
    }

    /// The requests seen so far, and forgets them.
    pub fn take_seen(&self) -> Vec<Seen> {
        std::mem::take(&mut self.lock().seen)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// One request read from a client: its head lines and its body.
struct Request {
    head: Vec<String>,
    body: Vec<u8>,
}

impl Request {
    /// The request as sent upstream: `Connection: close`, so the answer ends where the
    /// webserver closes.
    fn upstream_bytes(&self) -> Vec<u8> {
        let mut text = String::new();
        for line in self
            .head
            .iter()
            .filter(|line| !line.to_ascii_lowercase().starts_with("connection:"))
        {
            text.push_str(line);
            text.push_str("\r\n");
        }
        text.push_str("Connection: close\r\n\r\n");
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// Reads one request, or `None` when the client closes first.
async fn read_request(client: &mut TcpStream) -> Option<Request> {
    let mut buffer = Vec::new();
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break at;
        }
        let mut chunk = [0u8; 8192];
        let read = client.read(&mut chunk).await.ok().filter(|&n| n > 0)?;
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head: Vec<String> = String::from_utf8_lossy(&buffer[..head_end])
        .split("\r\n")
        .map(str::to_owned)
        .collect();
    let length = head
        .iter()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let body_start = head_end + 4;
    while buffer.len() < body_start + length {
        let mut chunk = [0u8; 8192];
        let read = client.read(&mut chunk).await.ok().filter(|&n| n > 0)?;
        buffer.extend_from_slice(&chunk[..read]);
    }
    let body = buffer[body_start..body_start + length].to_vec();
    Some(Request { head, body })
}

/// Sends `request` to the webserver and returns its whole answer.
async fn forward(upstream: SocketAddr, request: &Request) -> std::io::Result<Vec<u8>> {
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(&request.upstream_bytes()).await?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).await?;
    Ok(answer)
}

/// An error page, as a proxy in front of the webserver writes it.
fn status_page(code: u16) -> Vec<u8> {
    let reason = match code {
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    };
    let body = format!("<html><body><h1>{code} {reason}</h1></body></html>");
    format!(
        "HTTP/1.1 {code} {reason}\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The head and half the body of `answer`.
fn cut(answer: &[u8]) -> &[u8] {
    let body_start = answer
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .map_or(0, |at| at + 4);
    &answer[..body_start + (answer.len() - body_start) / 2]
}

/// Serves one client connection: one request, since every answer closes it.
async fn serve(mut client: TcpStream, shared: Arc<Mutex<Shared>>) {
    let Some(request) = read_request(&mut client).await else {
        return;
    };
    let operation = Operation::of(&request.body);
    let (upstream, fault) = {
        let mut shared = shared.lock().unwrap_or_else(PoisonError::into_inner);
        let fault = shared
            .rules
            .iter_mut()
            .find(|rule| rule.operation == operation && rule.times > 0)
            .map(|rule| {
                rule.times -= 1;
                rule.fault
            });
        shared.seen.push(Seen {
            operation,
            fault,
            forwarded: fault.is_none_or(Fault::reaches_dagster),
        });
        (shared.upstream, fault)
    };
    let answer = if fault.is_none_or(Fault::reaches_dagster) {
        match forward(upstream, &request).await {
            Ok(answer) => answer,
            Err(_) => return,
        }
    } else {
        Vec::new()
    };
    let _ = match fault {
        // Sent upstream with `Connection: close`, so the answer says so too.
        None => client.write_all(&answer).await,
        Some(Fault::ResetBefore | Fault::ResetAfter) => client.set_zero_linger(),
        Some(Fault::CutAnswer) => client.write_all(cut(&answer)).await,
        // Until the client gives up and closes (its timeout).
        Some(Fault::Stall) => client.read(&mut [0u8; 1024]).await.map(drop),
        Some(Fault::Status { code, .. }) => client.write_all(&status_page(code)).await,
    };
}
