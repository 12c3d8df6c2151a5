//! Facts of the Dagster Helm chart that every layer shares: how a place in its values is
//! addressed, and where an umbrella chart puts them.

pub mod path;
