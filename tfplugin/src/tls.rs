//! AutoMTLS as go-plugin does it: Terraform puts a fresh client certificate in
//! `PLUGIN_CLIENT_CERT` (ECDSA P-521, marked as a CA, for `localhost`) and expects the plugin to
//! announce a certificate of its own in the handshake line. The server here makes a fresh Ed25519
//! certificate per process (Terraform 1.0.3's Go verifies it faster than P-384) and serves only a
//! client presenting exactly the certificate Terraform named: a pin, not a chain check, since
//! that certificate is a CA used as a leaf, which a WebPKI verifier refuses. The crypto provider
//! is ring's with aws-lc-rs's signature verification: aws-lc verifies P-521 signatures (ring does
//! not), and verifying needs no random numbers, whose first use in aws-lc costs ~40 ms per process.

use std::sync::Arc;
use tokio_rustls::rustls::client::danger::HandshakeSignatureValid;
use tokio_rustls::rustls::crypto::{
    aws_lc_rs, ring as ring_provider, verify_tls12_signature, verify_tls13_signature,
    CryptoProvider,
};
use tokio_rustls::rustls::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime,
};
use tokio_rustls::rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use tokio_rustls::rustls::{
    DigitallySignedStruct, DistinguishedName, Error, ServerConfig, SignatureScheme,
};

/// Why TLS could not be set up.
#[derive(Debug)]
pub struct TlsError(pub String);

impl std::fmt::Display for TlsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsError {}

/// A certificate and its private key.
pub struct Certified {
    /// The certificate, DER (announced in the handshake line, base64).
    pub cert_der: Vec<u8>,
    /// Its private key, PKCS#8 DER.
    pub key_der: Vec<u8>,
}

/// A fresh self-signed Ed25519 certificate for `localhost`, shaped as go-plugin's own (a CA, for
/// server and client authentication), so Go's verifier accepts it as its own root.
pub fn server_certificate() -> Result<Certified, TlsError> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
        KeyUsagePurpose, PKCS_ED25519,
    };
    let failed = |e: rcgen::Error| TlsError(format!("cannot make the server certificate: {e}"));
    // The key from ring's generator (see the module doc); signing with Ed25519 is deterministic.
    let pkcs8 = ring::signature::Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
        .map_err(|_| TlsError("cannot make the server key".to_owned()))?;
    let key = KeyPair::from_pkcs8_der_and_sign_algo(
        &PrivatePkcs8KeyDer::from(pkcs8.as_ref()),
        &PKCS_ED25519,
    )
    .map_err(failed)?;
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).map_err(failed)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let cert = params.self_signed(&key).map_err(failed)?;
    Ok(Certified {
        cert_der: cert.der().to_vec(),
        key_der: key.serialize_der(),
    })
}

/// The first certificate of a PEM text (what `PLUGIN_CLIENT_CERT` holds), DER.
pub fn certificate_from_pem(pem: &str) -> Result<Vec<u8>, TlsError> {
    let mut reader = pem.as_bytes();
    let first = rustls_pemfile::certs(&mut reader).next();
    match first {
        Some(Ok(cert)) => Ok(cert.to_vec()),
        Some(Err(e)) => Err(TlsError(format!("PLUGIN_CLIENT_CERT is not PEM: {e}"))),
        None => Err(TlsError(
            "PLUGIN_CLIENT_CERT holds no certificate".to_owned(),
        )),
    }
}

/// The crypto provider of both sides: ring's, verifying signatures with aws-lc-rs.
pub fn crypto() -> Arc<CryptoProvider> {
    Arc::new(CryptoProvider {
        signature_verification_algorithms: aws_lc_rs::default_provider()
            .signature_verification_algorithms,
        ..ring_provider::default_provider()
    })
}

/// A TLS server presenting `server` and serving only a client that presents `client_der`.
pub fn server_config(server: &Certified, client_der: Vec<u8>) -> Result<ServerConfig, TlsError> {
    let provider = crypto();
    let mut config = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError(e.to_string()))?
        .with_client_cert_verifier(Arc::new(Pinned {
            der: client_der,
            provider,
        }))
        .with_single_cert(
            vec![CertificateDer::from(server.cert_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server.key_der.clone())),
        )
        .map_err(|e| TlsError(format!("cannot use the server certificate: {e}")))?;
    // gRPC runs over HTTP/2, which Go's gRPC client requires TLS to negotiate.
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

/// Accepts exactly one peer certificate, and checks the handshake signatures made with it: the
/// server's check of Terraform's client certificate, and a Terraform-like client's check of the
/// certificate a plugin announced (`crate::client`).
#[derive(Debug)]
pub(crate) struct Pinned {
    /// The one certificate accepted, DER.
    pub(crate) der: Vec<u8>,
    /// Verifies the handshake signatures.
    pub(crate) provider: Arc<CryptoProvider>,
}

impl Pinned {
    /// Whether `presented` is the pinned certificate.
    pub(crate) fn check(&self, presented: &CertificateDer<'_>, whose: &str) -> Result<(), Error> {
        if presented.as_ref() == self.der.as_slice() {
            Ok(())
        } else {
            Err(Error::General(format!("not the {whose}")))
        }
    }

    pub(crate) fn tls12(
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

    pub(crate) fn tls13(
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

    pub(crate) fn schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

impl ClientCertVerifier for Pinned {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        // No hints: Go's client then offers its one certificate.
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        self.check(
            end_entity,
            "client certificate Terraform named in PLUGIN_CLIENT_CERT",
        )
        .map(|()| ClientCertVerified::assertion())
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
