//! Facts of the Dagster Helm chart that every layer shares: its run-concurrency keys, how a place in its values is
//! addressed, and where an umbrella chart puts them.

pub mod keys;
pub mod path;
