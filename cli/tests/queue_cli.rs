//! The CLI on run-queue numbers: negative slot buffers (DC406) and numbers the chart prints in
//! exponent form from a values file (DC407).

mod common;

use common::{fixture, run, text};

#[test]
fn negative_buffers_are_warnings_where_they_are_written() {
    let values = fixture("queue/negative-buffers.yaml");
    let output = run(&["check", &values]);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains(&format!("{values}:8:")) && stdout.contains("warning[DC406]"),
        "{stdout}"
    );
    // A values file names the chart key it holds, not the resource's attribute.
    assert!(
        stdout.contains("blockOpConcurrencyLimitedRuns.opConcurrencySlotBuffer = -1 is negative"),
        "{stdout}"
    );
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert_eq!(
        run(&["check", "--deny-warnings", &values]).status.code(),
        Some(1)
    );

    let resource = fixture("queue/negative-run-buffer.tf");
    let stdout = text(&run(&["check", &resource]).stdout);
    assert!(
        stdout.contains(&format!("{resource}:6:")) && stdout.contains("warning[DC406]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("pools.op_granularity_run_buffer = -2"),
        "{stdout}"
    );
}

#[test]
fn a_million_in_a_values_file_is_an_error() {
    let values = fixture("queue/large-numbers.yaml");
    let output = run(&["check", &values]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!("{values}:5:")) && stdout.contains("error[DC407]"),
        "{stdout}"
    );
    assert!(stdout.contains("1e+06"), "{stdout}");
}
