//! What the resource and the data source share: checking arguments and computing the outputs.

use crate::convert::{null_required, set_outputs, set_outputs_unknown, to_config};
use crate::diagnostics::report;
use crate::partial::known_set;
use crate::required;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::value::Value;
use validator::input::attributes::name;
use validator::policy::{self, Policy};
use validator::render::{render, Unresolved};
use validator::rules::{check, Severity};

/// Reports required arguments written as `null`, then runs every rule and the policy on the
/// known arguments and reports the findings (validate).
pub fn validate(diags: &mut Diagnostics, arguments: &Value, policy: &Policy) {
    required::report(diags, &null_required(arguments));
    let (config, mut findings) = to_config(arguments);
    findings.extend(check(&config));
    findings.extend(policy::check(&config, policy));
    report(diags, &findings);
}

/// Computes the outputs into `state`: rendered when every argument is known, unknown otherwise
/// (but for the `set` entries known all the same, see [`known_set`]).
/// Fails with the rule errors when the arguments cannot be rendered, and with the policy's
/// findings when known arguments break it (plan, apply).
pub fn compute_outputs(
    diags: &mut Diagnostics,
    mut state: Value,
    policy: &Policy,
) -> Option<Value> {
    if required::report(diags, &null_required(&state)) {
        return None;
    }
    let (config, conversion) = to_config(&state);
    let errors = if !conversion.is_empty() {
        conversion
    } else {
        let breaches = policy::check(&config, policy);
        if !breaches.is_empty() {
            breaches
        } else {
            match render(&config) {
                Ok(rendered) => {
                    set_outputs(&mut state, &rendered);
                    return Some(state);
                }
                Err(Unresolved::Unknown) => {
                    set_outputs_unknown(&mut state);
                    if let Some(set) = known_set(&config) {
                        state.set(name::SET, set);
                    }
                    return Some(state);
                }
                Err(Unresolved::Invalid) => check(&config)
                    .into_iter()
                    .filter(|finding| finding.severity() == Severity::Error)
                    .collect(),
            }
        }
    };
    if !report(diags, &errors) {
        diags.error(
            "dagster_concurrency cannot be rendered",
            "The arguments are incomplete or invalid; run `terraform validate` for details.",
        );
    }
    None
}
