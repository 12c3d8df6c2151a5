//! What the resource and the data source share: checking arguments and computing the outputs.

use crate::convert::ConcurrencyState;
use crate::diagnostics::{guarded, report};
use crate::required;
use tf_provider::Diagnostics;
use validator::policy::{self, Policy};
use validator::render::{render, Unresolved};
use validator::rules::{check, Severity};

/// Reports required arguments written as `null`, then runs every rule and the policy on the
/// known arguments and reports the findings (validate).
pub fn validate(diags: &mut Diagnostics, state: &ConcurrencyState, policy: &Policy) {
    required::report(diags, &state.null_required());
    if let Some(findings) = guarded(diags, || {
        let (config, mut findings) = state.to_config();
        findings.extend(check(&config));
        findings.extend(policy::check(&config, policy));
        findings
    }) {
        report(diags, &findings);
    }
}

/// Computes the outputs into `state`: rendered when every argument is known, unknown otherwise.
/// Fails with the rule errors when the arguments cannot be rendered, and with the policy's
/// findings when known arguments break it (plan, apply).
pub fn compute_outputs(
    diags: &mut Diagnostics,
    mut state: ConcurrencyState,
    policy: &Policy,
) -> Option<ConcurrencyState> {
    if required::report(diags, &state.null_required()) {
        return None;
    }
    let outcome = guarded(diags, || {
        let (config, conversion) = state.to_config();
        if !conversion.is_empty() {
            return Err(conversion);
        }
        let breaches = policy::check(&config, policy);
        if !breaches.is_empty() {
            return Err(breaches);
        }
        match render(&config) {
            Ok(rendered) => Ok(Some(rendered)),
            Err(Unresolved::Unknown) => Ok(None),
            Err(Unresolved::Invalid) => Err(check(&config)
                .into_iter()
                .filter(|finding| finding.severity() == Severity::Error)
                .collect()),
        }
    })?;
    match outcome {
        Ok(Some(rendered)) => state.set_outputs(&rendered),
        Ok(None) => state.set_outputs_unknown(),
        Err(errors) => {
            if !report(diags, &errors) {
                diags.root_error(
                    "dagster_concurrency cannot be rendered",
                    "The arguments are incomplete or invalid; run `terraform validate` for details.",
                );
            }
            return None;
        }
    }
    Some(state)
}
