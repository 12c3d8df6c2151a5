//! What the resource and the data source share: checking arguments and computing the outputs.

use crate::convert::{null_required, set_outputs, set_outputs_unknown, to_config};
use crate::diagnostics::report;
use crate::partial::known_set;
use crate::required;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::value::Value;
use validator::input::attributes::name;
use validator::policy::{self, Policy};
use validator::render::render;
use validator::rules::{accept, check, Rejected};

/// Reports required arguments written as `null`, then runs every rule and the policy on the
/// known arguments and reports the findings (validate).
pub fn validate(diags: &mut Diagnostics, arguments: &Value, policy: &Policy) {
    required::report(diags, &null_required(arguments));
    let (config, mut findings) = to_config(arguments);
    findings.extend(check(&config));
    findings.extend(policy::check(&config, policy));
    report(diags, &findings);
}

/// Computes the outputs into `state`: rendered when the rules accept the arguments, unknown
/// while some are not known (but for the `set` entries known all the same, see [`known_set`]).
/// Fails with the rules' errors on the known arguments, and with the policy's findings when
/// known arguments break it (plan, apply). Terraform validates the arguments again with their
/// planned values before it plans, so the errors reach the user from validate first.
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
            match accept(&config) {
                Ok(accepted) => {
                    set_outputs(&mut state, &render(&accepted));
                    return Some(state);
                }
                Err(Rejected::Unknown) => {
                    set_outputs_unknown(&mut state);
                    if let Some(set) = known_set(&config) {
                        state.set(name::SET, set);
                    }
                    return Some(state);
                }
                Err(Rejected::Errors(errors)) => errors,
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
