//! Item 2: the latency of each protocol call against the running provider, next to the floor
//! (a bare echo round trip on the same stack), over plaintext and over mTLS as Terraform uses.

use crate::floor::FloorServerHandle;
use crate::plugin::{Plugin, Transport};
use crate::rpc::{Call, Session};
use crate::stats::{ms, Samples};
use anyhow::Result;
use std::path::Path;

/// The timings of one transport: each call, and the floor with the server's TCP_NODELAY off
/// (as tf-provider serves) and on.
pub struct TransportLatency {
    /// Which transport.
    pub transport: Transport,
    /// Per call, in `Call::ALL` order.
    pub calls: Vec<(Call, Samples)>,
    /// Echo round trips against a server without TCP_NODELAY.
    pub floor_without_nodelay: Samples,
    /// Echo round trips against a server with TCP_NODELAY.
    pub floor_with_nodelay: Samples,
    /// From starting the provider process to reading its handshake line.
    pub startup: Samples,
}

/// Measures `rounds` rounds; each round makes every call once and one echo against each floor,
/// so that the provider and its floors see the same machine load.
pub async fn measure(
    binary: &Path,
    transport: Transport,
    rounds: usize,
) -> Result<TransportLatency> {
    let plugin = Plugin::start(binary, transport).await?;
    let mut startup = Samples::default();
    startup.push(plugin.handshake);
    for _ in 0..STARTS {
        startup.push(Plugin::start(binary, transport).await?.handshake);
    }
    let mut session = Session::open(plugin.channel.clone()).await?;
    let mut without = FloorServerHandle::start(transport, false, FLOOR_PAYLOAD_BYTES).await?;
    let mut with = FloorServerHandle::start(transport, true, FLOOR_PAYLOAD_BYTES).await?;
    let mut calls: Vec<(Call, Samples)> =
        Call::ALL.iter().map(|&c| (c, Samples::default())).collect();
    let mut floor_without_nodelay = Samples::default();
    let mut floor_with_nodelay = Samples::default();
    for _ in 0..rounds {
        for (call, samples) in &mut calls {
            samples.push(session.time(*call).await?);
        }
        // Each floor echo follows an untimed one on the same connection, so that it is timed
        // back to back as Terraform's calls are: after an idle spell Linux acknowledges at once
        // (it leaves delayed-ACK mode), which would hide what Nagle's algorithm costs.
        without.time().await?;
        floor_without_nodelay.push(without.time().await?);
        with.time().await?;
        floor_with_nodelay.push(with.time().await?);
    }
    Ok(TransportLatency {
        transport,
        calls,
        floor_without_nodelay,
        floor_with_nodelay,
        startup,
    })
}

/// Table rows: `what | p50 | p99 | min | max | p50 / floor`.
pub fn rows(latency: &TransportLatency) -> Vec<[String; 6]> {
    let floor = latency.floor_with_nodelay.median().as_secs_f64();
    let row = |what: String, s: &Samples| {
        [
            what,
            ms(s.median()),
            ms(s.percentile(99.0)),
            ms(s.min()),
            ms(s.max()),
            format!("{:.1}×", s.median().as_secs_f64() / floor),
        ]
    };
    let label = latency.transport.label();
    let mut rows: Vec<[String; 6]> = latency
        .calls
        .iter()
        .map(|(call, s)| row(format!("{} ({label})", call.name()), s))
        .collect();
    rows.push(row(
        format!("floor echo, server without TCP_NODELAY ({label})"),
        &latency.floor_without_nodelay,
    ));
    rows.push(row(
        format!("floor echo, server with TCP_NODELAY ({label})"),
        &latency.floor_with_nodelay,
    ));
    rows.push(row(
        format!("provider process start to handshake line ({label})"),
        &latency.startup,
    ));
    rows
}

/// Further provider starts timed to the handshake line, besides the session's own.
const STARTS: usize = 20;

/// The floor's echo payload: about the size of the seed resource's planned state, the largest
/// message of a plan after the schema.
const FLOOR_PAYLOAD_BYTES: usize = 2048;
