//! Fills the hand-written page templates under `xtask/templates/`: `{{name}}` placeholders take
//! generated text, and `{{include PATH}}` the contents of a workspace file (an example), so prose
//! stays prose and everything that could drift comes from the code or `examples/`.
//! A handful of string replacements does it; a template engine would add nothing.

use crate::{read, Error};
use std::path::Path;

/// A template with its placeholders filled. Fails on a placeholder nobody filled.
pub fn fill(root: &Path, template: &str, values: &[(&str, &str)]) -> Result<String, Error> {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| Error::new("unclosed `{{` in a template"))?;
        let key = after[..end].trim();
        if let Some(path) = key.strip_prefix("include ") {
            out.push_str(read(root, path.trim())?.trim_end());
        } else {
            let value = values
                .iter()
                .find(|(name, _)| *name == key)
                .map(|(_, value)| *value)
                .ok_or_else(|| Error::new(format!("template placeholder `{key}` has no value")))?;
            out.push_str(value);
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_replaced_and_unknown_ones_rejected() {
        let root = Path::new(".");
        assert_eq!(
            fill(root, "a {{x}} b {{ y }}", &[("x", "1"), ("y", "2")]).unwrap(),
            "a 1 b 2"
        );
        assert!(fill(root, "{{z}}", &[]).is_err());
        assert!(fill(root, "{{include no/such/file}}", &[]).is_err());
    }
}
