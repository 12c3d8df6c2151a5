//! The domain of terraform-provider-dagster: Dagster run-concurrency settings, how they render
//! into the Dagster Helm chart's values, and the rules that reject bad limits.
//!
//! Pure and shared: the Terraform provider and the `dagster-concurrency` CLI both translate
//! their input into a [`model::ConcurrencyConfig`] and run [`rules::check`]; the provider then
//! has the rules [`rules::accept`] it and [`render::render`]s what they accepted.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod chart;
pub mod drift;
pub mod input;
pub mod migrate;
pub mod model;
pub mod path;
pub mod policy;
pub mod position;
pub mod render;
pub mod rules;
#[cfg(test)]
mod testing;
pub mod tree;
pub mod version;
