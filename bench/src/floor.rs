//! The floor of the latency benchmark: a trivial tonic echo server in this process, on loopback,
//! reached by the same client stack, served through the same accept loop and TLS as the
//! provider (`tfplugin`). Its TCP_NODELAY setting is a parameter so that the cost of serving
//! without it (as tf-provider did) is measured apart from everything else.

use crate::plugin::Transport;
use anyhow::Result;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tfplugin::client::{mutual_tls, plaintext, terraform_client_certificate};
use tfplugin::plugin::accept;
use tfplugin::tls::{server_certificate, server_config};
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;
use tonic::transport::{Channel, Server};

/// The echoed message.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Payload {
    /// Opaque bytes.
    #[prost(bytes = "vec", tag = "1")]
    pub data: Vec<u8>,
}

mod service {
    include!(concat!(env!("OUT_DIR"), "/floor.Floor.rs"));
}

use service::floor_client::FloorClient;
use service::floor_server::{Floor, FloorServer};

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
        let certificates = match transport {
            Transport::Plaintext => None,
            Transport::MutualTls => {
                Some((server_certificate()?, terraform_client_certificate()?.0))
            }
        };
        let acceptor = match &certificates {
            None => None,
            Some((server, client)) => Some(TlsAcceptor::from(Arc::new(server_config(
                server,
                client.cert_der.clone(),
            )?))),
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let serve = Server::builder()
            .add_service(FloorServer::new(Echo))
            .serve_with_incoming_shutdown(accept(listener, acceptor, server_nodelay), async {
                let _ = stopped.await;
            });
        tokio::spawn(serve);
        let channel = match &certificates {
            None => plaintext(&address).await?,
            Some((server, client)) => mutual_tls(&address, &server.cert_der, Some(client))
                .await
                .map_err(|e| anyhow::anyhow!("floor mTLS connection: {e}"))?,
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
