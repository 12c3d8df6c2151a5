//! The floor of the latency benchmark: a trivial tonic echo server in this process, on loopback,
//! reached by the same client stack. Its TCP_NODELAY setting is a parameter so that the cost of
//! serving without it (as tf-provider does) is measured apart from everything else.

use crate::plugin::{plaintext, Transport};
use crate::tls;
use anyhow::Result;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Channel, Server};

mod proto {
    tonic::include_proto!("floor");
}

use proto::floor_client::FloorClient;
use proto::floor_server::{Floor, FloorServer};
use proto::Payload;

struct Echo;

#[tonic::async_trait]
impl Floor for Echo {
    async fn echo(
        &self,
        request: tonic::Request<Payload>,
    ) -> Result<tonic::Response<Payload>, tonic::Status> {
        Ok(tonic::Response::new(request.into_inner()))
    }
}

/// One floor server and a client connected to it; the server stops when this is dropped.
pub struct FloorServerHandle {
    client: FloorClient<Channel>,
    payload: Vec<u8>,
    _stop: oneshot::Sender<()>,
}

impl FloorServerHandle {
    /// Serves the echo on an ephemeral loopback port, with or without TCP_NODELAY on accepted
    /// connections, and connects a client (which always sets TCP_NODELAY, as Go does).
    pub async fn start(
        transport: Transport,
        server_nodelay: bool,
        payload_len: usize,
    ) -> Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?.to_string();
        let incoming = TcpIncoming::from_listener(listener, server_nodelay, None)
            .map_err(|e| anyhow::anyhow!("listener: {e}"))?;
        let (stop, stopped) = oneshot::channel::<()>();
        let certificates = match transport {
            Transport::Plaintext => None,
            Transport::MutualTls => Some((tls::self_signed()?, tls::self_signed()?)),
        };
        let mut builder = match &certificates {
            None => Server::builder(),
            Some((server, client)) => {
                Server::builder().tls_config(tls::server_config(server, client))?
            }
        };
        let serve = builder
            .add_service(FloorServer::new(Echo))
            .serve_with_incoming_shutdown(incoming, async {
                let _ = stopped.await;
            });
        tokio::spawn(serve);
        let channel = match &certificates {
            None => plaintext(&address).await?,
            Some((server, client)) => tls::connect(&address, &server.cert_der, client).await?,
        };
        Ok(FloorServerHandle {
            client: FloorClient::new(channel),
            payload: vec![0x5a; payload_len],
            _stop: stop,
        })
    }

    /// One echo round trip.
    pub async fn time(&mut self) -> Result<Duration> {
        let start = Instant::now();
        self.client
            .echo(Payload {
                data: self.payload.clone(),
            })
            .await?;
        Ok(start.elapsed())
    }
}
