//! Certificates and TLS for the mTLS variants: a self-signed certificate per side, as
//! go-plugin's AutoMTLS makes them, a server configuration like tf-provider's, and a client that
//! pins the server's certificate the way go-plugin does.

use anyhow::{Context, Result};
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::crypto::{
    verify_tls12_signature, verify_tls13_signature, CryptoProvider,
};
use tokio_rustls::rustls::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime,
};
use tokio_rustls::rustls::{ClientConfig, DigitallySignedStruct, Error, SignatureScheme};
use tokio_rustls::TlsConnector;
use tonic::transport::{Certificate, Channel, Endpoint, Identity, ServerTlsConfig};

/// A self-signed certificate for `localhost` and its private key.
pub struct Certified {
    /// The certificate, PEM.
    pub cert_pem: String,
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
    /// Its private key, PEM.
    pub key_pem: String,
    /// Its private key, PKCS#8 DER.
    pub key_der: Vec<u8>,
}

/// A new self-signed certificate for `localhost`.
pub fn self_signed() -> Result<Certified> {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])?;
    Ok(Certified {
        cert_pem: certified.cert.pem(),
        cert_der: certified.cert.der().to_vec(),
        key_pem: certified.key_pair.serialize_pem(),
        key_der: certified.key_pair.serialize_der(),
    })
}

/// The server side as tf-provider configures it: its own identity, the client's certificate as
/// the only trusted root, client authentication optional.
pub fn server_config(server: &Certified, client: &Certified) -> ServerTlsConfig {
    ServerTlsConfig::new()
        .identity(Identity::from_pem(&server.cert_pem, &server.key_pem))
        .client_ca_root(Certificate::from_pem(&client.cert_pem))
        .client_auth_optional(true)
}

/// Accepts exactly one certificate, and checks the handshake signatures with it.
#[derive(Debug)]
struct Pinned {
    server_der: Vec<u8>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        if end_entity.as_ref() == self.server_der.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(Error::General(
                "not the certificate the plugin announced".to_owned(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A TLS channel to `address` that accepts only `server_der` and presents `client`, with
/// TCP_NODELAY set (as Go sets it on every connection, so on Terraform's side).
pub async fn connect(address: &str, server_der: &[u8], client: &Certified) -> Result<Channel> {
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Pinned {
            server_der: server_der.to_vec(),
            provider,
        }))
        .with_client_auth_cert(
            vec![CertificateDer::from(client.cert_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(client.key_der.clone())),
        )?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = TlsConnector::from(Arc::new(config));
    let target = address.to_owned();
    let channel = Endpoint::from_shared(format!("http://{address}"))?
        .connect_with_connector(tower::service_fn(move |_| {
            let connector = connector.clone();
            let target = target.clone();
            async move {
                let tcp = TcpStream::connect(&target).await?;
                tcp.set_nodelay(true)?;
                let name = ServerName::try_from("localhost")
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
                let tls = connector.connect(name, tcp).await?;
                Ok::<_, std::io::Error>(TokioIo::new(tls))
            }
        }))
        .await
        .context("mTLS connection")?;
    Ok(channel)
}
