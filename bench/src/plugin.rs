//! Starts a provider binary the way Terraform does (go-plugin's handshake: magic cookie, protocol
//! versions, optional client certificate) and opens a gRPC channel to the address it announces.

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};
use tfplugin::client::{mutual_tls, plaintext, terraform_client_certificate, Announced};
use tfplugin::plugin::MAGIC_COOKIE;
use tonic::transport::Channel;

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
    /// From starting the process to reading its handshake line.
    pub handshake: Duration,
}

impl Plugin {
    /// Starts `binary` with the handshake environment and connects to it.
    pub async fn start(binary: &Path, transport: Transport) -> Result<Self> {
        let client = match transport {
            Transport::Plaintext => None,
            Transport::MutualTls => Some(terraform_client_certificate()?),
        };
        let mut command = Command::new(binary);
        command
            .env(MAGIC_COOKIE.0, MAGIC_COOKIE.1)
            .env("PLUGIN_PROTOCOL_VERSIONS", "6")
            .env_remove("PLUGIN_CLIENT_CERT")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some((_, pem)) = &client {
            command.env("PLUGIN_CLIENT_CERT", pem);
        }
        let start = Instant::now();
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let mut stdout = BufReader::new(child.stdout.take().context("plugin stdout")?);
        let mut line = String::new();
        let read = tokio::task::block_in_place(|| stdout.read_line(&mut line));
        let started = start.elapsed();
        if read? == 0 {
            let _ = child.kill();
            let _ = child.wait();
            bail!("{} exited before its handshake", binary.display());
        }
        let handshake = Announced::parse(&line).map_err(anyhow::Error::msg)?;
        let channel = match (&client, &handshake.server_cert_der) {
            (None, _) => plaintext(&handshake.address)
                .await
                .context("plaintext connection"),
            (Some((client, _)), Some(server_der)) => {
                mutual_tls(&handshake.address, server_der, Some(client))
                    .await
                    .map_err(|e| anyhow::anyhow!("mTLS connection: {e}"))
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
            handshake: started,
        })
    }

    /// The plugin's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
