//! A client of the Dagster webserver's GraphQL API: the run-queue limits, pool settings and pool
//! limits a running Dagster instance enforces, and the mutations that set a pool's limit.
//!
//! It knows Dagster, not its callers: the Terraform provider and the `dagster-concurrency` CLI
//! each name their own settings (see [`error::SettingNames`]) and format errors their own way.
//!
//! - [`config`]: what to connect to and how (URL, headers, timeout, retries);
//! - [`client`]: the HTTP transport (deadlines, retries of transient failures, redaction);
//! - [`redact`]: the secrets an answer must never carry into a message;
//! - [`error`]: why a request failed, and what to check;
//! - [`graphql`]: the GraphQL documents, their typed answers and the operations.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod client;
pub mod config;
pub mod error;
pub mod graphql;
pub mod redact;

pub use client::Client;
pub use config::{Config, ConfigError, URL_ENV};
pub use error::{SettingNames, WebserverError};
