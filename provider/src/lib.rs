//! terraform-provider-dagster as a library: the provider, its resources and data sources.
//! The binary (`main.rs`) only serves it; tools such as the docs generator read its schemas.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod concurrency;
mod concurrency_schema;
mod convert;
mod data_source_concurrency;
mod data_source_instance_concurrency;
mod diagnostics;
pub mod logging;
pub mod parent_watch;
mod partial;
mod policy;
pub mod provider;
mod required;
mod resource_concurrency;
mod resource_pool_limit;
mod webserver;

pub use provider::DagsterProvider;
