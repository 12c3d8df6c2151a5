//! Starts a provider binary the way Terraform does (go-plugin's handshake: magic cookie, protocol
//! versions, optional client certificate) and opens a gRPC channel to the address it announces.

use crate::tls;
use anyhow::{bail, Context, Result};
use base64::Engine;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use tonic::transport::{Channel, Endpoint};

/// go-plugin's magic cookie for Terraform providers (a protocol constant).
const MAGIC_COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);

/// How the channel to the plugin is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// No `PLUGIN_CLIENT_CERT`: the plugin serves plaintext gRPC.
    Plaintext,
    /// A client certificate in `PLUGIN_CLIENT_CERT`, as Terraform always sends (AutoMTLS): the
    /// plugin serves TLS with a certificate it announces in the handshake.
    MutualTls,
}

impl Transport {
    /// Short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Transport::Plaintext => "plaintext",
            Transport::MutualTls => "mTLS",
        }
    }
}

/// A running plugin process; killed when dropped.
pub struct Plugin {
    child: Child,
    // Held open so the plugin never writes into a closed pipe.
    _stdout: BufReader<ChildStdout>,
    /// The channel to the plugin's gRPC server.
    pub channel: Channel,
}

impl Plugin {
    /// Starts `binary` with the handshake environment and connects to it.
    pub async fn start(binary: &Path, transport: Transport) -> Result<Self> {
        let client = match transport {
            Transport::Plaintext => None,
            Transport::MutualTls => Some(tls::self_signed()?),
        };
        let mut command = Command::new(binary);
        command
            .env(MAGIC_COOKIE.0, MAGIC_COOKIE.1)
            .env("PLUGIN_PROTOCOL_VERSIONS", "6")
            .env_remove("PLUGIN_CLIENT_CERT")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(client) = &client {
            command.env("PLUGIN_CLIENT_CERT", &client.cert_pem);
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let mut stdout = BufReader::new(child.stdout.take().context("plugin stdout")?);
        let mut line = String::new();
        let read = tokio::task::block_in_place(|| stdout.read_line(&mut line));
        if read? == 0 {
            let _ = child.kill();
            let _ = child.wait();
            bail!("{} exited before its handshake", binary.display());
        }
        let handshake = Handshake::parse(&line)?;
        let channel = match (&client, &handshake.server_cert_der) {
            (None, _) => plaintext(&handshake.address).await,
            (Some(client), Some(server_der)) => {
                tls::connect(&handshake.address, server_der, client).await
            }
            (Some(_), None) => Err(anyhow::anyhow!(
                "the plugin announced no certificate over mTLS"
            )),
        };
        let channel = match channel {
            Ok(channel) => channel,
            Err(error) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(error);
            }
        };
        Ok(Plugin {
            child,
            _stdout: stdout,
            channel,
        })
    }

    /// The plugin's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// A plaintext channel to `address`. Go's net package sets TCP_NODELAY on every connection, so
/// Terraform's side of the channel has it: so does ours (tonic's default, stated here because the
/// benchmark depends on it).
pub async fn plaintext(address: &str) -> Result<Channel> {
    Ok(Endpoint::from_shared(format!("http://{address}"))?
        .tcp_nodelay(true)
        .connect()
        .await?)
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// go-plugin's handshake line: `CORE|APP|NETWORK|ADDRESS|PROTOCOL|CERT`.
#[derive(Debug, PartialEq, Eq)]
pub struct Handshake {
    /// `host:port` for network `tcp`.
    pub address: String,
    /// The server certificate (DER), present when the plugin serves TLS.
    pub server_cert_der: Option<Vec<u8>>,
}

impl Handshake {
    /// Parses the line a plugin prints on stdout.
    pub fn parse(line: &str) -> Result<Self> {
        let fields: Vec<&str> = line.trim_end().split('|').collect();
        match fields.as_slice() {
            ["1", "6", "tcp", address, "grpc", rest @ ..] => {
                let cert = rest.first().copied().unwrap_or_default();
                let server_cert_der = if cert.is_empty() {
                    None
                } else {
                    Some(base64::engine::general_purpose::STANDARD_NO_PAD.decode(cert)?)
                };
                Ok(Handshake {
                    address: (*address).to_owned(),
                    server_cert_der,
                })
            }
            _ => bail!("unexpected plugin handshake {line:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plaintext_and_tls_handshakes() {
        let plain = Handshake::parse("1|6|tcp|127.0.0.1:1234|grpc|\n").unwrap();
        assert_eq!(plain.address, "127.0.0.1:1234");
        assert_eq!(plain.server_cert_der, None);
        let tls = Handshake::parse("1|6|tcp|127.0.0.1:1|grpc|AQID").unwrap();
        assert_eq!(tls.server_cert_der, Some(vec![1, 2, 3]));
        assert!(Handshake::parse("1|5|unix|/tmp/x|grpc|").is_err());
    }
}
