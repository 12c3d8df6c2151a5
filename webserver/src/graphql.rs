//! The GraphQL documents this client sends, their typed answers, and the operations on a
//! [`Client`]. The field names are those of Dagster 1.13's schema.

use crate::client::Client;
use crate::error::WebserverError;
use serde::Deserialize;
use serde_json::json;

const SET_LIMIT: &str = "mutation($key: String!, $limit: Int!) { setConcurrencyLimit(concurrencyKey: $key, limit: $limit) }";
const DELETE_LIMIT: &str =
    "mutation($key: String!) { deleteConcurrencyLimit(concurrencyKey: $key) }";
const ONE_LIMIT: &str = "query($key: String!) { instance { concurrencyLimit(concurrencyKey: $key) { concurrencyKey limit usingDefaultLimit } } }";
const INSTANCE_CONCURRENCY: &str = "query { instance { runQueueConfig { maxConcurrentRuns tagConcurrencyLimitsYaml } poolConfig { poolGranularity defaultPoolLimit opGranularityRunBuffer } concurrencyLimits { concurrencyKey limit usingDefaultLimit } } }";

/// One pool's limit as the instance reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolLimitRow {
    /// The pool (concurrency key).
    pub concurrency_key: String,
    /// Its limit; `None` when it has none and no default applies.
    pub limit: Option<i64>,
    /// Whether the limit is the instance's default rather than the pool's own.
    pub using_default_limit: bool,
}

/// `runQueueConfig`: the run limits the instance enforces (absent without a queued run
/// coordinator).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunQueueConfig {
    /// Runs in progress at once (`-1` unlimited).
    pub max_concurrent_runs: i64,
    /// The tag limits as YAML text, as Dagster dumps them (PyYAML's `yaml.dump`); `None` when
    /// there are none. The validator reads it (`validator::input::deployed_tags`): this crate
    /// only carries Dagster's text.
    pub tag_concurrency_limits_yaml: Option<String>,
}

/// `poolConfig`: pool settings in force; `None` fields are unset (Dagster's defaults apply).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolConfig {
    /// `run` or `op`.
    pub pool_granularity: Option<String>,
    /// Limit of pools without one of their own.
    pub default_pool_limit: Option<i64>,
    /// Extra runs that may start while waiting for slots, with op granularity.
    pub op_granularity_run_buffer: Option<i64>,
}

/// What the instance enforces, in one query.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceConcurrency {
    /// Run limits.
    pub run_queue_config: Option<RunQueueConfig>,
    /// Pool settings.
    pub pool_config: Option<PoolConfig>,
    /// Every pool the instance knows, with its limit.
    pub concurrency_limits: Vec<PoolLimitRow>,
}

#[derive(Deserialize)]
struct InstanceData<T> {
    instance: T,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OneLimit {
    concurrency_limit: PoolLimitRow,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SetLimitData {
    set_concurrency_limit: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeleteLimitData {
    delete_concurrency_limit: bool,
}

impl Client {
    /// Sets `pool`'s own limit (`setConcurrencyLimit`).
    pub async fn set_pool_limit(&self, pool: &str, limit: i64) -> Result<(), WebserverError> {
        let variables = json!({"key": pool, "limit": limit});
        self.mutate(
            SET_LIMIT,
            variables,
            pool,
            Some(limit),
            |data: SetLimitData| data.set_concurrency_limit,
        )
        .await
    }

    /// Removes `pool`'s own limit, so the default applies again (`deleteConcurrencyLimit`).
    pub async fn delete_pool_limit(&self, pool: &str) -> Result<(), WebserverError> {
        let variables = json!({"key": pool});
        self.mutate(
            DELETE_LIMIT,
            variables,
            pool,
            None,
            |data: DeleteLimitData| data.delete_concurrency_limit,
        )
        .await
    }

    /// Sends a mutation that leaves `pool` with `wanted` (its own limit, or none); `accepted`
    /// reads the webserver's yes or no from the answer. A failure that may have been applied
    /// anyway is checked by [`Self::confirm`].
    async fn mutate<T: serde::de::DeserializeOwned>(
        &self,
        query: &str,
        variables: serde_json::Value,
        pool: &str,
        wanted: Option<i64>,
        accepted: fn(T) -> bool,
    ) -> Result<(), WebserverError> {
        match self.execute::<T>(query, variables).await {
            Ok(data) => accepted(data).then_some(()).ok_or(WebserverError::Refused),
            Err(error) => self.confirm(error, pool, wanted).await,
        }
    }

    /// After a mutation failed with `error`: success when Dagster may have applied it anyway
    /// and reading `pool` back shows it did (`wanted`: its own limit, or none), `error` when
    /// it shows it did not, [`WebserverError::Unconfirmed`] when the read fails too.
    async fn confirm(
        &self,
        error: WebserverError,
        pool: &str,
        wanted: Option<i64>,
    ) -> Result<(), WebserverError> {
        if !error.may_have_been_applied() {
            return Err(error);
        }
        match self.pool_limit(pool).await {
            Ok(held) if held == wanted => Ok(()),
            Ok(_) => Err(error),
            Err(_) => Err(WebserverError::Unconfirmed(Box::new(error))),
        }
    }

    /// `pool`'s own limit, or `None` when it has none (the default limit applies).
    pub async fn pool_limit(&self, pool: &str) -> Result<Option<i64>, WebserverError> {
        let data: InstanceData<OneLimit> = self.execute(ONE_LIMIT, json!({"key": pool})).await?;
        let row = data.instance.concurrency_limit;
        Ok(if row.using_default_limit {
            None
        } else {
            row.limit
        })
    }

    /// Run limits, pool settings and every pool's limit the instance enforces.
    pub async fn instance_concurrency(&self) -> Result<InstanceConcurrency, WebserverError> {
        let data: InstanceData<InstanceConcurrency> =
            self.execute(INSTANCE_CONCURRENCY, json!({})).await?;
        Ok(data.instance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::tests::client;
    use wiremock::matchers::{body_partial_json, body_string_contains, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    #[tokio::test]
    async fn sets_and_reads_with_the_configured_headers() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/graphql"))
            .and(wiremock::matchers::header("authorization", "Bearer secret"))
            .and(body_partial_json(
                json!({"variables": {"key": "db", "limit": 4}}),
            ))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"data": {"setConcurrencyLimit": true}})),
            )
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(body_partial_json(json!({"variables": {"key": "db"}})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"instance": {
                "concurrencyLimit": {"concurrencyKey": "db", "limit": 4, "usingDefaultLimit": false}
            }}})))
            .mount(&server)
            .await;
        let client = client(&server.uri(), 5, 0);
        assert_eq!(client.set_pool_limit("db", 4).await, Ok(()));
        assert_eq!(client.pool_limit("db").await, Ok(Some(4)));
    }

    #[tokio::test]
    async fn a_pool_on_the_default_limit_has_no_limit_of_its_own() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"instance": {
                "concurrencyLimit": {"concurrencyKey": "db", "limit": 7, "usingDefaultLimit": true}
            }}})))
            .mount(&server)
            .await;
        assert_eq!(client(&server.uri(), 5, 0).pool_limit("db").await, Ok(None));
    }

    #[tokio::test]
    async fn graphql_errors_and_false_are_errors() {
        let server = MockServer::start().await;
        Mock::given(body_partial_json(json!({"variables": {"key": "b"}})))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"errors": [{"message": "Cannot query field"}]})),
            )
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(body_partial_json(json!({"variables": {"key": "c"}})))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"data": {"deleteConcurrencyLimit": false}})),
            )
            .mount(&server)
            .await;
        let client = client(&server.uri(), 5, 3);
        assert_eq!(
            client.delete_pool_limit("b").await,
            Err(WebserverError::GraphQl(vec!["Cannot query field".into()]))
        );
        assert_eq!(
            client.delete_pool_limit("c").await,
            Err(WebserverError::Refused)
        );
    }

    /// A webserver whose mutations all fail with `status` and whose read of pool `db` answers
    /// `read` (a status, or the pool's own limit with `None` for the default).
    async fn losing_answers(status: u16, read: Result<Option<i64>, u16>) -> MockServer {
        let server = MockServer::start().await;
        let read_answer = match read {
            Ok(limit) => ResponseTemplate::new(200).set_body_json(json!({"data": {"instance": {
                "concurrencyLimit": {"concurrencyKey": "db", "limit": limit.unwrap_or(7), "usingDefaultLimit": limit.is_none()}
            }}})),
            Err(status) => ResponseTemplate::new(status),
        };
        Mock::given(body_string_contains("{ instance { concurrencyLimit("))
            .respond_with(read_answer)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status).set_body_string("<html>bad gateway</html>"))
            .mount(&server)
            .await;
        server
    }

    #[tokio::test]
    async fn a_lost_answer_is_read_back_before_the_mutation_fails() {
        // Dagster holds what was sent: the change went through, only the answer was lost.
        let server = losing_answers(502, Ok(Some(4))).await;
        assert_eq!(
            client(&server.uri(), 5, 0).set_pool_limit("db", 4).await,
            Ok(())
        );
        // It holds something else: the change did not go through.
        let error = client(&server.uri(), 5, 0).set_pool_limit("db", 5).await;
        assert!(matches!(error, Err(WebserverError::Status(status, _)) if status == 502));
        let error = client(&server.uri(), 5, 0).delete_pool_limit("db").await;
        assert!(matches!(error, Err(WebserverError::Status(status, _)) if status == 502));
        let server = losing_answers(504, Ok(None)).await;
        assert_eq!(
            client(&server.uri(), 5, 0).delete_pool_limit("db").await,
            Ok(())
        );
    }

    #[tokio::test]
    async fn a_change_that_cannot_be_read_back_is_reported_as_unknown() {
        let server = losing_answers(503, Err(503)).await;
        let error = client(&server.uri(), 5, 0)
            .set_pool_limit("db", 4)
            .await
            .expect_err("unconfirmed");
        assert!(
            matches!(&error, WebserverError::Unconfirmed(inner) if matches!(**inner, WebserverError::Status(status, _) if status == 503)),
            "{error:?}"
        );
        assert!(error
            .to_string()
            .contains("whether Dagster applied the change is unknown"));
    }
}
