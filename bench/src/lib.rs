//! Benchmarks of the provider and the validator, each against a baseline measured in the same
//! invocation: Terraform plans with the provider against the same rendering in pure HCL,
//! protocol calls against a bare loopback gRPC round trip, and the validator against checkov.
#![forbid(unsafe_code)]

pub mod breakdown;
pub mod fixtures;
pub mod floor;
pub mod latency;
pub mod plugin;
pub mod report;
pub mod rpc;
pub mod scaling;
pub mod stats;
pub mod terraform;
pub mod throughput;
