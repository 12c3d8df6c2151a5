//! Keeps the harness from rotting: the gRPC client speaks to the release provider the way
//! Terraform does, and the floor server answers. No timing is asserted.

use dagster_bench::floor::FloorServerHandle;
use dagster_bench::plugin::{Plugin, Transport};
use dagster_bench::rpc::{self, Call, Session, RESOURCE_TYPE};
use tfplugin::proto::service::tfplugin6::provider_client::ProviderClient;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_provider_schema_round_trip_over_plaintext_and_mtls() {
    let binary = dagster_e2e::provider_binary();
    for transport in [Transport::Plaintext, Transport::MutualTls] {
        let plugin = Plugin::start(&binary, transport).await.unwrap();
        let schema = rpc::get_provider_schema(&mut ProviderClient::new(plugin.channel.clone()))
            .await
            .unwrap();
        assert!(
            schema.resource_schemas.contains_key(RESOURCE_TYPE),
            "{transport:?}: {:?}",
            schema.resource_schemas.keys()
        );
        assert!(schema.data_source_schemas.contains_key(RESOURCE_TYPE));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_timed_call_succeeds_and_apply_renders_the_seed() {
    let plugin = Plugin::start(&dagster_e2e::provider_binary(), Transport::MutualTls)
        .await
        .unwrap();
    let mut session = Session::open(plugin.channel.clone()).await.unwrap();
    for call in Call::ALL {
        session
            .time(call)
            .await
            .unwrap_or_else(|e| panic!("{}: {e:#}", call.name()));
    }
    let state = session.applied_state().unwrap();
    let set = state["set"].as_array().expect("set is a list");
    assert!(set.iter().any(|entry| {
        entry["name"]
            == "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].key"
            && entry["value"] == "dagster/backfill"
    }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn floor_echoes_with_and_without_nodelay() {
    for transport in [Transport::Plaintext, Transport::MutualTls] {
        for nodelay in [false, true] {
            let mut floor = FloorServerHandle::start(transport, nodelay, 64)
                .await
                .unwrap();
            floor.time().await.unwrap();
        }
    }
}
