//! Provider logs in the form Terraform reads from a plugin's stderr: one hclog JSON object per
//! line (`@level`, `@message`, `@module`, `@timestamp`, then the event's fields). Terraform files
//! each line under its own level, so `TF_LOG_PROVIDER=info` shows info lines as it does for any
//! provider (a plain line would always be filed as debug). Nothing is written to stdout: it
//! carries only the plugin handshake.
//!
//! The format is hand-written because no maintained crate writes hclog JSON for `tracing`; it is
//! a `FormatEvent` of tracing-subscriber, which does the filtering and the writing.

use serde_json::{Map, Value};
use std::fmt;
use std::num::NonZeroU8;
use time::format_description::well_known::iso8601::{Config, EncodedConfig, TimePrecision};
use time::format_description::well_known::Iso8601;
use time::{OffsetDateTime, UtcOffset};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::format::{DefaultFields, Writer};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

/// The level Terraform asks providers to log at: `TF_LOG_PROVIDER`, else `TF_LOG` (given as
/// their values). `json` and unknown levels mean trace, as in Terraform; unset or empty, nothing
/// is logged (Terraform would discard it).
pub fn requested_level(tf_log_provider: Option<&str>, tf_log: Option<&str>) -> LevelFilter {
    let setting = [tf_log_provider, tf_log]
        .into_iter()
        .flatten()
        .find(|value| !value.is_empty());
    match setting {
        None => LevelFilter::OFF,
        Some(level) => level.parse().unwrap_or(LevelFilter::TRACE),
    }
}

/// What is logged at `level`: this crate and the protocol layer at that level; the transport
/// crates (h2, hyper, tonic) only when something goes wrong.
pub fn targets(level: LevelFilter) -> Targets {
    Targets::new()
        .with_target("terraform_provider_dagster", level)
        .with_target("tfplugin", level)
        .with_default(level.min(LevelFilter::WARN))
}

/// Installs the logger at the level of `TF_LOG_PROVIDER` / `TF_LOG`: to stderr, which
/// Terraform reads, or to the file `PLUGIN_LOG_FILE` names when it is set (and can be opened).
/// With logging off (the usual run) nothing is installed: the subscriber's registry costs page
/// faults at every start, and Terraform starts the provider three times per plan.
pub fn init() {
    let variable = |name: &str| std::env::var(name).ok();
    let level = requested_level(
        variable("TF_LOG_PROVIDER").as_deref(),
        variable("TF_LOG").as_deref(),
    );
    if level == LevelFilter::OFF {
        return;
    }
    let file = variable("PLUGIN_LOG_FILE").and_then(|path| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .ok()
    });
    let registry = tracing_subscriber::registry().with(targets(level));
    // Only fails when a subscriber is already installed; that one keeps logging.
    let _ = match file {
        Some(file) => registry
            .with(hclog_layer(std::sync::Mutex::new(file)))
            .try_init(),
        None => registry.with(hclog_layer(std::io::stderr)).try_init(),
    };
}

/// A layer writing hclog JSON lines (no colours: Terraform stores them as text) to `writer`.
pub fn hclog_layer<S, W>(
    writer: W,
) -> tracing_subscriber::fmt::Layer<S, DefaultFields, HclogJson, W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + 'static,
{
    tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(false)
        .event_format(HclogJson)
}

/// hclog's JSON line format, as go-plugin parses it from a plugin's stderr.
pub struct HclogJson;

/// An event's fields as JSON values; `message` is kept apart as the hclog message.
#[derive(Default)]
struct JsonFields {
    message: String,
    fields: Map<String, Value>,
}

impl JsonFields {
    fn insert(&mut self, field: &Field, value: Value) {
        if field.name() == "message" {
            self.message = match value {
                Value::String(text) => text,
                other => other.to_string(),
            };
        } else {
            self.fields.insert(field.name().to_owned(), value);
        }
    }
}

impl Visit for JsonFields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.insert(field, Value::String(format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.insert(field, Value::String(value.to_owned()));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.insert(field, value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.insert(field, value.into());
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.insert(field, value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.insert(field, value.into());
    }
}

fn level_name(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// go-plugin's timestamp layout (`2006-01-02T15:04:05.000000Z07:00`) as ISO 8601 with six
/// decimal digits of seconds.
const HCLOG_TIME: EncodedConfig = Config::DEFAULT
    .set_time_precision(TimePrecision::Second {
        decimal_digits: NonZeroU8::new(6),
    })
    .encode();

/// `at` in the layout go-plugin parses, in UTC.
fn timestamp(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .format(&Iso8601::<HCLOG_TIME>)
        // Only a year beyond 9999 fails to format as four digits; no clock is that far off.
        .unwrap_or_default()
}

impl<S, N> FormatEvent<S, N> for HclogJson
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut visitor = JsonFields::default();
        event.record(&mut visitor);
        let metadata = event.metadata();
        let mut line = Map::new();
        line.insert("@level".into(), level_name(metadata.level()).into());
        line.insert("@message".into(), visitor.message.into());
        line.insert("@module".into(), metadata.target().into());
        line.insert(
            "@timestamp".into(),
            timestamp(OffsetDateTime::now_utc()).into(),
        );
        // The spans the event happened in, outermost first, such as the gRPC request.
        let spans: Vec<String> = ctx
            .event_scope()
            .into_iter()
            .flat_map(|scope| scope.from_root())
            .map(|span| {
                let extensions = span.extensions();
                match extensions.get::<FormattedFields<N>>() {
                    Some(fields) if !fields.is_empty() => format!("{}{{{fields}}}", span.name()),
                    _ => span.name().to_owned(),
                }
            })
            .collect();
        if !spans.is_empty() {
            line.insert("span".into(), spans.join(":").into());
        }
        line.extend(visitor.fields);
        writeln!(writer, "{}", Value::Object(line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;
    use std::sync::{Arc, Mutex};

    #[test]
    fn terraform_variables_pick_the_level() {
        assert_eq!(requested_level(None, None), LevelFilter::OFF);
        assert_eq!(requested_level(Some(""), None), LevelFilter::OFF);
        assert_eq!(
            requested_level(Some("debug"), Some("error")),
            LevelFilter::DEBUG
        );
        assert_eq!(requested_level(None, Some("WARN")), LevelFilter::WARN);
        assert_eq!(requested_level(Some(""), Some("info")), LevelFilter::INFO);
        assert_eq!(requested_level(None, Some("json")), LevelFilter::TRACE);
        assert_eq!(
            requested_level(Some("off"), Some("trace")),
            LevelFilter::OFF
        );
    }

    /// Collects what the logger writes.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| io::Error::other("poisoned"))?
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn logged(level: LevelFilter, log: impl FnOnce()) -> Vec<Value> {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::registry()
            .with(hclog_layer(move || writer.clone()))
            .with(targets(level));
        tracing::subscriber::with_default(subscriber, log);
        let bytes = buffer.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect()
    }

    #[test]
    fn events_are_hclog_json_lines_with_level_message_module_and_fields() {
        let lines = logged(LevelFilter::DEBUG, || {
            let span = tracing::debug_span!("request", method = "POST");
            let _entered = span.enter();
            tracing::info!(entries = 5, chart = "1.12.14", "rendered");
            tracing::trace!("too detailed");
        });
        assert_eq!(lines.len(), 1, "{lines:?}");
        let line = &lines[0];
        assert_eq!(line["@level"], "info");
        assert_eq!(line["@message"], "rendered");
        assert_eq!(
            line["@module"],
            "terraform_provider_dagster::logging::tests"
        );
        assert_eq!(line["entries"], 5);
        assert_eq!(line["chart"], "1.12.14");
        assert_eq!(line["span"], "request{method=\"POST\"}");
        let stamp = line["@timestamp"].as_str().unwrap_or_default();
        assert_eq!(stamp.len(), "2006-01-02T15:04:05.000000Z".len(), "{stamp}");
        assert!(
            stamp.ends_with('Z') && stamp.as_bytes()[10] == b'T',
            "{stamp}"
        );
    }

    #[test]
    fn timestamps_have_go_plugins_layout_in_utc() {
        let at = OffsetDateTime::from_unix_timestamp_nanos(1_764_668_400_012_345_678)
            .expect("a time")
            .to_offset(UtcOffset::from_hms(2, 0, 0).expect("an offset"));
        assert_eq!(timestamp(at), "2025-12-02T09:40:00.012345Z");
    }

    #[test]
    fn other_crates_log_only_warnings_and_nothing_when_off() {
        let lines = logged(LevelFilter::DEBUG, || {
            tracing::debug!(target: "h2::codec", "frame");
            tracing::warn!(target: "h2::codec", "connection reset");
        });
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(lines[0]["@level"], "warn");
        assert!(logged(LevelFilter::OFF, || tracing::error!("nobody asked")).is_empty());
    }
}
