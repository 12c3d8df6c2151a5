//! Terraform's plugin protocol 6, served on tonic and prost.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod client;
pub mod diagnostics;
pub mod plugin;
pub mod proto;
pub mod provider;
pub mod schema;
pub mod server;
pub mod tls;
pub mod value;
