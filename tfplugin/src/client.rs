//! The Terraform side of the handshake, for tests and benchmarks: a client certificate shaped
//! like the one Terraform makes, and a gRPC channel that pins the plugin's announced server
//! certificate and presents the client certificate, as go-plugin does.

use crate::tls::{Certified, Pinned, TlsError};
use base64::Engine;
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::crypto::aws_lc_rs;
use tokio_rustls::rustls::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime,
};
use tokio_rustls::rustls::{ClientConfig, DigitallySignedStruct, Error, SignatureScheme};
use tokio_rustls::TlsConnector;
use tonic::transport::{Channel, Endpoint};

/// A client certificate as Terraform makes one for AutoMTLS: ECDSA P-521, marked as a CA, for
/// `localhost`. Returns it with its PEM (what goes in `PLUGIN_CLIENT_CERT`).
pub fn terraform_client_certificate() -> Result<(Certified, String), TlsError> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
        KeyUsagePurpose,
    };
    let failed = |e: rcgen::Error| TlsError(format!("cannot make the client certificate: {e}"));
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).map_err(failed)?;
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).map_err(failed)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "HashiCorp");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ClientAuth,
        ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let cert = params.self_signed(&key).map_err(failed)?;
    let pem = cert.pem();
    Ok((
        Certified {
            cert_der: cert.der().to_vec(),
            key_der: key.serialize_der(),
        },
        pem,
    ))
}

/// The parts of a plugin's handshake line a client needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announced {
    /// `host:port`.
    pub address: String,
    /// The server certificate, DER, when the plugin serves TLS.
    pub server_cert_der: Option<Vec<u8>>,
}

impl Announced {
    /// Parses `1|6|tcp|ADDRESS|grpc|CERT`.
    pub fn parse(line: &str) -> Result<Self, String> {
        let fields: Vec<&str> = line.trim_end().split('|').collect();
        match fields.as_slice() {
            ["1", "6", "tcp", address, "grpc", rest @ ..] => {
                let cert = rest.first().copied().unwrap_or_default();
                let server_cert_der = if cert.is_empty() {
                    None
                } else {
                    Some(
                        base64::engine::general_purpose::STANDARD_NO_PAD
                            .decode(cert)
                            .map_err(|e| format!("bad certificate in the handshake: {e}"))?,
                    )
                };
                Ok(Announced {
                    address: (*address).to_owned(),
                    server_cert_der,
                })
            }
            _ => Err(format!("unexpected plugin handshake {line:?}")),
        }
    }
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
        self.check(end_entity, "certificate the plugin announced")
            .map(|()| ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.tls12(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes()
    }
}

/// A channel to a plaintext plugin at `address`, with TCP_NODELAY as Go sets it.
pub async fn plaintext(address: &str) -> Result<Channel, tonic::transport::Error> {
    Endpoint::from_shared(format!("http://{address}"))?
        .tcp_nodelay(true)
        .connect()
        .await
}

/// A TLS channel to `address` that accepts only `server_der` and presents `client` (none when
/// `None`), with TCP_NODELAY set.
pub async fn mutual_tls(
    address: &str,
    server_der: &[u8],
    client: Option<&Certified>,
) -> Result<Channel, Box<dyn std::error::Error + Send + Sync>> {
    // aws-lc-rs throughout: it signs with Terraform's P-521 key, which ring cannot.
    let provider = Arc::new(aws_lc_rs::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Pinned {
            der: server_der.to_vec(),
            provider,
        }));
    let mut config = match client {
        Some(client) => builder.with_client_auth_cert(
            vec![CertificateDer::from(client.cert_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(client.key_der.clone())),
        )?,
        None => builder.with_no_client_auth(),
    };
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
        .await?;
    Ok(channel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plaintext_and_tls_handshakes() {
        let plain = Announced::parse("1|6|tcp|127.0.0.1:1234|grpc|\n").unwrap();
        assert_eq!(plain.address, "127.0.0.1:1234");
        assert_eq!(plain.server_cert_der, None);
        let tls = Announced::parse("1|6|tcp|127.0.0.1:1|grpc|AQID").unwrap();
        assert_eq!(tls.server_cert_der, Some(vec![1, 2, 3]));
        assert!(Announced::parse("1|5|unix|/tmp/x|grpc|").is_err());
    }
}
