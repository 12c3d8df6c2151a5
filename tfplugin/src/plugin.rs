//! Serving a provider the way Terraform starts plugins (go-plugin's handshake):
//!
//! - Terraform sets the magic cookie `TF_PLUGIN_MAGIC_COOKIE`, the protocol versions it speaks in
//!   `PLUGIN_PROTOCOL_VERSIONS` (comma-separated) and, for AutoMTLS, its client certificate in
//!   `PLUGIN_CLIENT_CERT`;
//! - the plugin listens on loopback TCP and prints one line on stdout,
//!   `1|6|tcp|127.0.0.1:PORT|grpc|CERT` (core protocol 1, app protocol 6, the certificate as
//!   unpadded base64 DER, empty without TLS);
//! - Terraform connects with TCP_NODELAY (Go sets it on every connection), so the server sets it
//!   on every accepted connection too: without it each response waits for the peer's delayed
//!   acknowledgement, tens of milliseconds per call;
//! - it stops the plugin with `plugin.GRPCController/Shutdown`, which exits at once.
//!
//! `-debug` serves without Terraform and prints the `TF_REATTACH_PROVIDERS` value that attaches
//! Terraform to it, as Terraform's own SDKs do.

use crate::proto::plugin::{ConnInfo, Empty, StdioData};
use crate::proto::service::plugin::{
    g_r_p_c_broker_server::{GRPCBroker, GRPCBrokerServer},
    g_r_p_c_controller_server::{GRPCController, GRPCControllerServer},
    g_r_p_c_stdio_server::{GRPCStdio, GRPCStdioServer},
};
use crate::provider::Provider;
use crate::server::ProviderService;
use crate::tls::{self, TlsError};
use base64::Engine;
use std::io::Write;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Notify};
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::server::Connected;
use tonic::{Request, Response, Status, Streaming};

/// go-plugin's magic cookie for Terraform providers (a protocol constant).
pub const MAGIC_COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);

/// The plugin protocol version served.
pub const PROTOCOL_VERSION: u32 = 6;

/// How long in-flight calls may finish after `Shutdown` before the server stops anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(200);

/// Why the plugin could not serve.
#[derive(Debug)]
pub enum ServeError {
    /// Started without Terraform's magic cookie: by a person, not by Terraform.
    NotStartedByTerraform,
    /// Terraform speaks no protocol version this plugin serves.
    UnsupportedProtocol(String),
    /// The listener or the handshake line failed.
    Io(std::io::Error),
    /// TLS could not be set up.
    Tls(TlsError),
    /// The gRPC server failed.
    Transport(tonic::transport::Error),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::NotStartedByTerraform => {
                write!(f, "not started by terraform (no plugin handshake cookie)")
            }
            ServeError::UnsupportedProtocol(offered) => write!(
                f,
                "terraform offers plugin protocol versions {offered:?}, this provider serves {PROTOCOL_VERSION}: use Terraform 1.0 or later"
            ),
            ServeError::Io(e) => write!(f, "cannot serve: {e}"),
            ServeError::Tls(e) => write!(f, "cannot set up tls: {e}"),
            ServeError::Transport(e) => write!(f, "grpc server failed: {e}"),
        }
    }
}

impl std::error::Error for ServeError {}

impl From<std::io::Error> for ServeError {
    fn from(e: std::io::Error) -> Self {
        ServeError::Io(e)
    }
}

/// What Terraform put in the environment for the handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// `PLUGIN_CLIENT_CERT`, PEM, when Terraform asks for AutoMTLS.
    pub client_cert_pem: Option<String>,
}

impl Handshake {
    /// Reads and checks the handshake variables through `var`.
    pub fn read(var: impl Fn(&str) -> Option<String>) -> Result<Self, ServeError> {
        if var(MAGIC_COOKIE.0).as_deref() != Some(MAGIC_COOKIE.1) {
            return Err(ServeError::NotStartedByTerraform);
        }
        if let Some(offered) = var("PLUGIN_PROTOCOL_VERSIONS") {
            let served = PROTOCOL_VERSION.to_string();
            if !offered.split(',').any(|v| v.trim() == served) {
                return Err(ServeError::UnsupportedProtocol(offered));
            }
        }
        Ok(Handshake {
            client_cert_pem: var("PLUGIN_CLIENT_CERT").filter(|pem| !pem.trim().is_empty()),
        })
    }

    /// Reads the handshake variables of this process.
    pub fn from_env() -> Result<Self, ServeError> {
        Handshake::read(|name| std::env::var(name).ok())
    }
}

/// An accepted connection: plain TCP, or TLS over it.
pub enum Connection {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

impl Connected for Connection {
    type ConnectInfo = ();

    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for Connection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Connection::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Connection::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_flush(cx),
            Connection::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Connection::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Accepts connections on `listener`, sets TCP_NODELAY on each (`nodelay` is false only in
/// benchmarks that measure what it saves), and completes the TLS handshake (off the accept loop,
/// so a slow or refused client holds up no other) when `tls` is set: the incoming stream of a
/// tonic server.
pub fn accept(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    nodelay: bool,
) -> ReceiverStream<std::io::Result<Connection>> {
    let (sender, receiver) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let (tcp, _) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            };
            if let Err(e) = tcp.set_nodelay(nodelay) {
                tracing::warn!(error = %e, "cannot set TCP_NODELAY");
            }
            let sender = sender.clone();
            match &tls {
                None => {
                    if sender.send(Ok(Connection::Plain(tcp))).await.is_err() {
                        return;
                    }
                }
                Some(acceptor) => {
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        match acceptor.accept(tcp).await {
                            Ok(stream) => {
                                let _ = sender.send(Ok(Connection::Tls(Box::new(stream)))).await;
                            }
                            Err(e) => tracing::warn!(error = %e, "refused a TLS client"),
                        }
                    });
                }
            }
        }
    });
    ReceiverStream::new(receiver)
}

/// `plugin.GRPCController`: `Shutdown` stops the server.
struct Controller(Arc<Notify>);

#[tonic::async_trait]
impl GRPCController for Controller {
    async fn shutdown(&self, _: Request<Empty>) -> Result<Response<Empty>, Status> {
        self.0.notify_one();
        Ok(Response::new(Empty {}))
    }
}

/// `plugin.GRPCStdio`: the plugin writes its logs straight to stderr, which Terraform reads, so
/// the stream stays open and carries nothing.
struct Stdio;

#[tonic::async_trait]
impl GRPCStdio for Stdio {
    type StreamStdioStream = tokio_stream::Pending<Result<StdioData, Status>>;

    async fn stream_stdio(
        &self,
        _: Request<Empty>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(tokio_stream::pending()))
    }
}

/// `plugin.GRPCBroker`: a provider brokers no further connections; the stream stays open.
struct Broker;

#[tonic::async_trait]
impl GRPCBroker for Broker {
    type StartStreamStream = tokio_stream::Pending<Result<ConnInfo, Status>>;

    async fn start_stream(
        &self,
        _: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        Ok(Response::new(tokio_stream::pending()))
    }
}

/// A bound listener and what to announce for it.
pub struct Listening {
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    /// The handshake line to print (without its newline).
    pub handshake_line: String,
    /// `127.0.0.1:PORT`.
    pub address: String,
}

impl Listening {
    /// Binds loopback TCP and, with a client certificate, makes the server certificate.
    pub async fn bind(handshake: &Handshake) -> Result<Self, ServeError> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?.to_string();
        let (tls, cert) = match &handshake.client_cert_pem {
            None => (None, String::new()),
            Some(pem) => {
                let client_der = tls::certificate_from_pem(pem).map_err(ServeError::Tls)?;
                let server = tls::server_certificate().map_err(ServeError::Tls)?;
                let config = tls::server_config(&server, client_der).map_err(ServeError::Tls)?;
                (
                    Some(TlsAcceptor::from(Arc::new(config))),
                    base64::engine::general_purpose::STANDARD_NO_PAD.encode(&server.cert_der),
                )
            }
        };
        Ok(Listening {
            listener,
            tls,
            handshake_line: format!("1|{PROTOCOL_VERSION}|tcp|{address}|grpc|{cert}"),
            address,
        })
    }

    /// Serves `service` until `Shutdown` is called.
    pub async fn serve(self, service: ProviderService) -> Result<(), ServeError> {
        let stop = Arc::new(Notify::new());
        let incoming = accept(self.listener, self.tls, true);
        let stopped = stop.clone();
        let server = tonic::transport::Server::builder()
            .add_service(service.into_server())
            .add_service(GRPCControllerServer::new(Controller(stop.clone())))
            .add_service(GRPCStdioServer::new(Stdio))
            .add_service(GRPCBrokerServer::new(Broker))
            .serve_with_incoming_shutdown(incoming, async move { stopped.notified().await });
        let mut server = tokio::spawn(server);
        tokio::select! {
            finished = &mut server => return finished
                .map_err(|e| ServeError::Io(std::io::Error::other(e)))?
                .map_err(ServeError::Transport),
            () = stop.notified() => {
                // The notification was taken here: hand it on to the server's own shutdown.
                stop.notify_one();
            }
        }
        // Let the Shutdown response reach Terraform, then stop whatever still runs.
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, server).await;
        Ok(())
    }
}

/// Serves `provider` to the Terraform that started this process: reads the handshake
/// variables, prints the handshake line and serves until Terraform calls `Shutdown`.
pub async fn serve(provider: impl Provider) -> Result<(), ServeError> {
    let handshake = Handshake::from_env()?;
    let service = ProviderService::new(provider);
    let listening = Listening::bind(&handshake).await?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", listening.handshake_line)?;
    stdout.flush()?;
    drop(stdout);
    listening.serve(service).await
}

/// The `TF_REATTACH_PROVIDERS` value that attaches Terraform to a provider at `address` served
/// by this process as `source` (e.g. `registry.terraform.io/dagster-oss/dagster`).
pub fn reattach_value(source: &str, address: &str) -> String {
    serde_json::json!({
        source: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": std::process::id(),
            "Test": true,
            "Addr": {"Network": "tcp", "String": address}
        }
    })
    .to_string()
}

/// Serves `provider` for a debugger, without Terraform: plaintext on loopback, printing the
/// `TF_REATTACH_PROVIDERS` value that makes Terraform use this process instead of starting one.
pub async fn serve_debug(provider: impl Provider, source: &str) -> Result<(), ServeError> {
    let service = ProviderService::new(provider);
    let listening = Listening::bind(&Handshake {
        client_cert_pem: None,
    })
    .await?;
    println!(
        "Provider started. To attach Terraform, set TF_REATTACH_PROVIDERS in the environment of terraform:\n\n\tTF_REATTACH_PROVIDERS='{}'\n",
        reattach_value(source, &listening.address)
    );
    listening.serve(service).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn the_handshake_needs_the_cookie_and_protocol_6() {
        assert!(matches!(
            Handshake::read(env(&[])),
            Err(ServeError::NotStartedByTerraform)
        ));
        let cookie = MAGIC_COOKIE;
        assert!(matches!(
            Handshake::read(env(&[cookie, ("PLUGIN_PROTOCOL_VERSIONS", "5")])),
            Err(ServeError::UnsupportedProtocol(_))
        ));
        let handshake =
            Handshake::read(env(&[cookie, ("PLUGIN_PROTOCOL_VERSIONS", "5,6")])).unwrap();
        assert_eq!(handshake.client_cert_pem, None);
    }

    #[test]
    fn the_reattach_value_names_the_address() {
        let value: serde_json::Value =
            serde_json::from_str(&reattach_value("example.com/a/b", "127.0.0.1:9")).unwrap();
        assert_eq!(value["example.com/a/b"]["Addr"]["String"], "127.0.0.1:9");
        assert_eq!(value["example.com/a/b"]["ProtocolVersion"], 6);
    }
}
