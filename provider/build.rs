//! Links the provider binary as a position-dependent executable on Linux.
//!
//! Terraform starts the provider three times per plan, and the start is part of every run. A
//! position-independent executable has its ~19,000 relative relocations applied by the dynamic
//! loader at each start, which writes (and so copies) every page of its relocated data: about a
//! quarter of the process's page faults and 0.9 ms of CPU per start, measured with `perf stat`
//! around the provider in real plans (docs/benchmarks.md). Linked with `-no-pie`, the linker
//! resolves them once. The Go toolchain that builds Terraform's other providers also links
//! position-dependent executables on linux/amd64 by default. Code stays position-independent,
//! so only the final link changes.
#![forbid(unsafe_code)]

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bin=terraform-provider-dagster=-no-pie");
    }
}
