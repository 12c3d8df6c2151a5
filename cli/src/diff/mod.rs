//! `diff`: the limits a running Dagster enforces, read through its webserver's GraphQL API,
//! compared with the limits the files declare. Exit 0 no drift, 1 drift, 2 bad usage, a file
//! that cannot be used, or a webserver that cannot be read (within `--timeout` per attempt).

mod declared;
mod output;

use crate::check::{chart_version, values_prefix, Format};
use declared::DeclaredFiles;
use output::Shown;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use validator::drift::{self, Deployed, InstanceLimits, RunQueue};
use validator::input::{deployed_tags, ReadOptions};
use webserver::graphql::InstanceConcurrency;
use webserver::{config, Client, Config, SettingNames, URL_ENV};

/// How hints name `diff`'s flags.
const NAMES: SettingNames = SettingNames {
    url: "`--webserver`",
    headers: "the `--header` flags",
    timeout: "`--timeout`",
    sent_from: "where `dagster-concurrency` runs",
};

/// The arguments of `diff`.
#[derive(clap::Args)]
pub struct DiffArgs {
    /// The Dagster webserver's base URL (with its `--path-prefix`), e.g.
    /// `http://localhost:3000`; default: the DAGSTER_WEBSERVER_URL environment variable.
    #[arg(long, value_name = "URL")]
    webserver: Option<String>,
    /// Files or directories declaring the limits: *.tf, plan JSON, Helm values YAML; `-`
    /// reads standard input.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Seconds one request may take, connecting included.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u32).range(config::TIMEOUT_SECONDS))]
    timeout: u32,
    /// Further attempts when the webserver is unreachable, times out or a proxy answers
    /// 502/503/504.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(config::RETRIES))]
    retries: u32,
    /// An HTTP header sent with every request, e.g. `Authorization: Bearer TOKEN` for an
    /// authenticating proxy; may be repeated. Its value never appears in the output.
    // Checked after parsing, not by a clap value parser: clap would echo the value.
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// Chart version to assume where a file does not say (a release's `version` wins).
    #[arg(long, value_name = "VERSION", value_parser = chart_version)]
    chart_version: Option<String>,
    /// Where the Dagster chart's values sit in an umbrella chart's values file, e.g. `dagster`.
    #[arg(long, value_name = "PREFIX", value_parser = values_prefix)]
    values_prefix: Option<String>,
}

/// `--header NAME: VALUE`, checked as HTTP; the value is never shown.
fn header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text.split_once(':').ok_or_else(|| {
        "--header expects NAME: VALUE, e.g. \"Authorization: Bearer TOKEN\"".to_owned()
    })?;
    let (name, value) = (name.trim().to_owned(), value.trim().to_owned());
    config::header(&name, &value).map_err(|error| error.to_string())?;
    Ok((name, value))
}

/// Prints a usage error; exit 2.
fn usage(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// `diff`: 0 when the webserver enforces what the files declare, 1 when it does not, 2 when
/// either side cannot be read.
pub fn diff(args: &DiffArgs) -> ExitCode {
    let url = match args.webserver.clone().or_else(config::url_from_env) {
        Some(url) if !url.trim().is_empty() => url,
        _ => {
            return usage(&format!(
                "no webserver: pass --webserver URL or set {URL_ENV}"
            ))
        }
    };
    let options = ReadOptions {
        chart_version: args.chart_version.clone(),
        values_prefix: args.values_prefix.clone(),
    };
    let files = match DeclaredFiles::read(&args.paths, &options) {
        Ok(files) => files,
        Err(message) => return usage(&message),
    };
    let headers = match args.headers.iter().map(|text| header(text)).collect() {
        Ok(headers) => headers,
        Err(message) => return usage(&message),
    };
    let config = Config {
        url,
        headers,
        timeout: Duration::from_secs(args.timeout.into()),
        retries: args.retries,
        user_agent: concat!("dagster-concurrency/", env!("CARGO_PKG_VERSION")).into(),
    };
    let client = match Client::new(&config) {
        Ok(client) => client,
        Err(problems) => {
            let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
            return usage(&shown.join("; "));
        }
    };
    let deployed = match read_deployed(&client) {
        Ok(deployed) => deployed,
        Err((error, hint)) => {
            eprintln!(
                "error: cannot read the deployed limits from {}: {error}\n  = hint: {hint}",
                client.endpoint()
            );
            return ExitCode::from(2);
        }
    };
    for note in &files.notes {
        eprintln!("note: {note}");
    }
    let differences: Vec<Shown> = drift::compare(&files.declared, &deployed)
        .into_iter()
        .map(|difference| Shown {
            at: files.locate(&difference.subject),
            difference,
        })
        .collect();
    let endpoint = client.endpoint();
    match args.format {
        Format::Text => print!("{}", output::text(&differences, endpoint)),
        Format::Json => println!("{:#}", output::json(&differences, endpoint)),
        Format::Sarif => println!("{:#}", output::sarif(&differences, endpoint)),
        Format::Junit => print!("{}", output::junit(&differences, endpoint)),
    }
    if differences.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// What the webserver reports, or the error and its hint.
fn read_deployed(client: &Client) -> Result<Deployed, (String, String)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| {
            (
                error.to_string(),
                "The machine could not start an I/O runtime.".to_owned(),
            )
        })?;
    let instance = runtime
        .block_on(client.instance_concurrency())
        .map_err(|error| (error.to_string(), error.hint(&NAMES)))?;
    deployed(instance).map_err(|why| {
        (
            format!(
                "tagConcurrencyLimitsYaml is not the yaml expected: {}",
                client.redact(&why)
            ),
            "Check that the webserver runs Dagster 1.13.x (the tested version).".to_owned(),
        )
    })
}

/// The webserver's answer as the limits in force.
fn deployed(instance: InstanceConcurrency) -> Result<Deployed, String> {
    let run_queue = match &instance.run_queue_config {
        Some(queue) => Some(RunQueue {
            max_concurrent_runs: queue.max_concurrent_runs,
            tag_limits: deployed_tags::read(queue.tag_concurrency_limits_yaml.as_deref())?,
        }),
        None => None,
    };
    // A pool on the default limit has no limit of its own: it is not declared anywhere.
    let pool_limits: BTreeMap<String, i64> = instance
        .concurrency_limits
        .into_iter()
        .filter(|row| !row.using_default_limit)
        .filter_map(|row| Some((row.concurrency_key, row.limit?)))
        .collect();
    Ok(Deployed {
        instance: InstanceLimits {
            run_queue,
            default_pool_limit: instance
                .pool_config
                .and_then(|pools| pools.default_pool_limit),
        },
        pool_limits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use validator::drift::TagLimitInForce;
    use validator::model::TagMatch;

    #[test]
    fn the_answer_becomes_the_limits_in_force() {
        let answer = serde_json::json!({
            "runQueueConfig": {
                "maxConcurrentRuns": 5,
                "tagConcurrencyLimitsYaml": "- key: dagster/backfill\n  limit: 3\n- key: team\n  limit: 2\n  value:\n    applyLimitPerUniqueValue: true\n- key: db\n  limit: 1\n  value: pg\n",
            },
            "poolConfig": {"poolGranularity": null, "defaultPoolLimit": 7, "opGranularityRunBuffer": null},
            "concurrencyLimits": [
                {"concurrencyKey": "own", "limit": 4, "usingDefaultLimit": false},
                {"concurrencyKey": "on-default", "limit": 7, "usingDefaultLimit": true},
            ],
        });
        let instance: InstanceConcurrency = serde_json::from_value(answer).expect("answer");
        let deployed = deployed(instance).expect("converts");
        let tag = |key: &str, matching, limit| TagLimitInForce {
            key: key.into(),
            matching,
            limit,
        };
        assert_eq!(
            deployed.instance.run_queue,
            Some(RunQueue {
                max_concurrent_runs: 5,
                tag_limits: vec![
                    tag("dagster/backfill", TagMatch::AnyValue, 3),
                    tag("team", TagMatch::PerUniqueValue(true), 2),
                    tag("db", TagMatch::Value("pg".into()), 1),
                ],
            })
        );
        assert_eq!(deployed.instance.default_pool_limit, Some(7));
        assert_eq!(
            deployed.pool_limits,
            BTreeMap::from([("own".to_owned(), 4)])
        );
    }

    #[test]
    fn a_header_needs_a_name_and_never_shows_its_value() {
        assert_eq!(
            header("Authorization:  Bearer abc "),
            Ok(("Authorization".into(), "Bearer abc".into()))
        );
        let no_colon = header("Bearer secret-token").expect_err("no colon");
        assert!(!no_colon.contains("secret-token"), "{no_colon}");
        let bad = header("X-Token: a\u{1}secret-token").expect_err("control character");
        assert!(!bad.contains("secret-token"), "{bad}");
    }
}
