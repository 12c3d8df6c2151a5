//! Terraform's plugin protocol 6, served on tonic and prost.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod proto;
pub mod value;
