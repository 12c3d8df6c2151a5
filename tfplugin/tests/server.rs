//! The server end to end in this process: a small provider served on loopback with AutoMTLS,
//! called through tonic as Terraform calls it.

#[path = "../toy/provider.rs"]
mod toy;

use serde_json::json;
use tfplugin::client::{mutual_tls, terraform_client_certificate, Announced};
use tfplugin::plugin::{Handshake, Listening};
use tfplugin::proto::service::plugin::g_r_p_c_controller_client::GRPCControllerClient;
use tfplugin::proto::service::tfplugin6::provider_client::ProviderClient;
use tfplugin::proto::tfplugin6::{self as pb, DynamicValue};
use tfplugin::provider::DataSource;
use tfplugin::server::ProviderService;
use tfplugin::value::{from_msgpack, to_msgpack, Type, Value};
use tonic::transport::Channel;
use toy::{thing_block, Echo, Toy};

/// A served toy provider (mTLS pinned to a Terraform-shaped client certificate) and a client.
struct Served {
    client: ProviderClient<Channel>,
    announced: Announced,
    client_cert: tfplugin::tls::Certified,
    server: tokio::task::JoinHandle<()>,
}

async fn serve() -> Served {
    let (client_cert, pem) = terraform_client_certificate().unwrap();
    let listening = Listening::bind(&Handshake {
        client_cert_pem: Some(pem),
    })
    .await
    .unwrap();
    let announced = Announced::parse(&listening.handshake_line).unwrap();
    let server = tokio::spawn(async move {
        listening.serve(ProviderService::new(Toy)).await.unwrap();
    });
    let channel = mutual_tls(
        &announced.address,
        announced.server_cert_der.as_deref().unwrap(),
        Some(&client_cert),
    )
    .await
    .unwrap();
    Served {
        client: ProviderClient::new(channel),
        announced,
        client_cert,
        server,
    }
}

fn thing_type() -> Type {
    thing_block().value_type()
}

fn msgpack(value: &Value) -> Option<DynamicValue> {
    Some(DynamicValue {
        msgpack: to_msgpack(value, &thing_type()).unwrap(),
        json: vec![],
    })
}

fn thing(name: &str, size: Value, boom: bool) -> Value {
    Value::object([
        ("name", Value::from(name)),
        ("size", size),
        ("boom", Value::from(boom)),
        ("id", Value::Null),
    ])
}

async fn plan(
    client: &mut ProviderClient<Channel>,
    prior: &Value,
    config: &Value,
) -> pb::plan_resource_change::Response {
    client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "toy_thing".to_owned(),
            prior_state: msgpack(prior),
            proposed_new_state: msgpack(config),
            config: msgpack(config),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
}

fn errors(diagnostics: &[pb::Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.severity == pb::Severity::Error as i32)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terraform_shaped_client_certificate_is_served() {
    let mut served = serve().await;
    let schema = served
        .client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(schema.resource_schemas.contains_key("toy_thing"));
    let capabilities = schema.server_capabilities.unwrap();
    assert!(capabilities.plan_destroy && capabilities.get_provider_schema_optional);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_without_the_pinned_certificate_is_refused() {
    let served = serve().await;
    let server_der = served.announced.server_cert_der.clone().unwrap();
    let (other, _) = terraform_client_certificate().unwrap();
    for client in [None, Some(&other)] {
        let refused = match mutual_tls(&served.announced.address, &server_der, client).await {
            Err(_) => true,
            Ok(channel) => ProviderClient::new(channel)
                .get_provider_schema(pb::get_provider_schema::Request {})
                .await
                .is_err(),
        };
        assert!(
            refused,
            "served a client presenting {:?}",
            client.map(|_| "another certificate")
        );
    }
    // The pinned certificate still works after the refusals.
    let channel = mutual_tls(
        &served.announced.address,
        &server_der,
        Some(&served.client_cert),
    )
    .await
    .unwrap();
    ProviderClient::new(channel)
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_fills_defaults_and_flags_replacement() {
    let mut served = serve().await;
    let created = plan(
        &mut served.client,
        &Value::Null,
        &thing("a", Value::Null, false),
    )
    .await;
    assert!(errors(&created.diagnostics).is_empty());
    let planned = from_msgpack(&created.planned_state.unwrap().msgpack, &thing_type()).unwrap();
    assert_eq!(planned.get("size"), &Value::from(3));
    assert_eq!(planned.get("id"), &Value::from("thing-a"));
    assert!(created.requires_replace.is_empty());

    let renamed = plan(
        &mut served.client,
        &planned,
        &thing("b", Value::from(3), false),
    )
    .await;
    assert_eq!(renamed.requires_replace.len(), 1);

    let destroyed = plan(&mut served.client, &planned, &Value::Null).await;
    let destroyed = from_msgpack(&destroyed.planned_state.unwrap().msgpack, &thing_type()).unwrap();
    assert_eq!(destroyed, Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_becomes_a_diagnostic_and_the_server_keeps_serving() {
    let mut served = serve().await;
    let boom = plan(
        &mut served.client,
        &Value::Null,
        &thing("a", Value::Null, true),
    )
    .await;
    let errors = errors(&boom.diagnostics);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("PlanResourceChange") && errors[0].contains("boom"));
    let fine = plan(
        &mut served.client,
        &Value::Null,
        &thing("a", Value::Null, false),
    )
    .await;
    assert!(fine.planned_state.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsupported_calls_and_unknown_types_answer_with_error_diagnostics() {
    let mut served = serve().await;
    let moved = served
        .client
        .move_resource_state(pb::move_resource_state::Request::default())
        .await
        .unwrap()
        .into_inner();
    assert!(errors(&moved.diagnostics)[0].contains("MoveResourceState is not supported"));
    let unknown = served
        .client
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: "toy_nothing".to_owned(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(errors(&unknown.diagnostics)[0].contains("unknown resource type \"toy_nothing\""));
    let garbage = served
        .client
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: "toy_thing".to_owned(),
            config: Some(DynamicValue {
                msgpack: vec![0xc1, 0xff],
                json: vec![],
            }),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(errors(&garbage.diagnostics)[0].contains("could not read a value"));
}

async fn upgrade(
    client: &mut ProviderClient<Channel>,
    version: i64,
    state: serde_json::Value,
) -> pb::upgrade_resource_state::Response {
    client
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: "toy_thing".to_owned(),
            version,
            raw_state: Some(pb::RawState {
                json: state.to_string().into_bytes(),
                flatmap: Default::default(),
            }),
        })
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_holding_a_removed_attribute_is_upgraded() {
    let mut served = serve().await;
    let old = json!({"name": "a", "size": 3, "boom": null, "id": "thing-a", "legacy": "x"});
    let upgraded = upgrade(&mut served.client, 0, old.clone()).await;
    assert!(errors(&upgraded.diagnostics).is_empty());
    let state = from_msgpack(&upgraded.upgraded_state.unwrap().msgpack, &thing_type()).unwrap();
    assert_eq!(state.get("id"), &Value::from("thing-a"));

    // The same attribute in state of the current version has no upgrade: an error, not a guess.
    let unexpected = upgrade(&mut served.client, 1, old.clone()).await;
    assert!(errors(&unexpected.diagnostics)[0].contains("\"legacy\""));
    let newer = upgrade(&mut served.client, 2, old).await;
    assert!(errors(&newer.diagnostics)[0].contains("newer version"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_sources_read_with_the_declared_defaults() {
    let mut served = serve().await;
    let t = Echo.schema().block.value_type();
    for (prefix, output) in [(Value::Null, "hi"), (Value::from("> "), "> hi")] {
        let config = Value::object([("input", Value::from("hi")), ("prefix", prefix)]);
        let read = served
            .client
            .read_data_source(pb::read_data_source::Request {
                type_name: "toy_echo".to_owned(),
                config: Some(DynamicValue {
                    msgpack: to_msgpack(&config, &t).unwrap(),
                    json: vec![],
                }),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        // A null `prefix` reads as its declared default.
        assert!(
            errors(&read.diagnostics).is_empty(),
            "{:?}",
            read.diagnostics
        );
        let state = from_msgpack(&read.state.unwrap().msgpack, &t).unwrap();
        assert_eq!(state.get("output"), &Value::from(output));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_the_server() {
    let served = serve().await;
    let channel = mutual_tls(
        &served.announced.address,
        served.announced.server_cert_der.as_deref().unwrap(),
        Some(&served.client_cert),
    )
    .await
    .unwrap();
    GRPCControllerClient::new(channel)
        .shutdown(tfplugin::proto::plugin::Empty {})
        .await
        .unwrap();
    // `serve` returns by itself (a hung server would hang the test, not pass it).
    served.server.await.unwrap();
}
