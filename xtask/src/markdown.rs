//! Small markdown transformations the pages need: moving headings down a level, splitting a
//! document into its `## ` sections, and the front matter the registry reads. Code fences are
//! respected (a `# comment` inside a fenced HCL block is not a heading).

/// Yields each line with whether it sits outside a fenced code block (fence lines count as inside).
fn lines_outside_fences(text: &str) -> impl Iterator<Item = (&str, bool)> {
    let mut in_fence = false;
    text.lines().map(move |line| {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            return (line, false);
        }
        (line, !in_fence)
    })
}

/// `text` with every heading moved `levels` levels down (`## x` becomes `#### x` for 2).
pub fn demote_headings(text: &str, levels: usize) -> String {
    let prefix = "#".repeat(levels);
    let mut out = String::with_capacity(text.len() + 16);
    for (line, outside) in lines_outside_fences(text) {
        if outside && line.starts_with('#') {
            out.push_str(&prefix);
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The body of the `## ` section whose heading starts with `heading`, trimmed; empty when absent.
pub fn section(text: &str, heading: &str) -> String {
    let mut body = Vec::new();
    let mut inside = false;
    for (line, outside) in lines_outside_fences(text) {
        if outside && line.starts_with("## ") {
            inside = line[3..].starts_with(heading);
            continue;
        }
        if inside {
            body.push(line);
        }
    }
    body.join("\n").trim().to_owned()
}

/// The first paragraph of `text` on one line.
pub fn first_paragraph(text: &str) -> String {
    text.trim()
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The registry's YAML front matter: page title, subcategory and description.
pub fn front_matter(title: &str, subcategory: &str, description: &str) -> String {
    let mut out =
        format!("---\npage_title: \"{title}\"\nsubcategory: \"{subcategory}\"\ndescription: |-\n");
    for line in description.lines() {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    out.push_str("---\n");
    out
}

/// A fenced Terraform code block holding `code`.
pub fn terraform_block(code: &str) -> String {
    format!("```terraform\n{}\n```\n", code.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str =
        "## What it does\nChecks.\n\n## Example\n```hcl\n# not a heading\nx = 1\n```\n";

    #[test]
    fn headings_move_down_but_code_comments_stay() {
        let out = demote_headings(DOC, 2);
        assert!(out.starts_with("#### What it does\n"));
        assert!(out.contains("#### Example\n"));
        assert!(out.contains("\n# not a heading\n"));
    }

    #[test]
    fn sections_are_found_by_heading_prefix() {
        assert_eq!(section(DOC, "What it"), "Checks.");
        assert_eq!(
            section(DOC, "Example"),
            "```hcl\n# not a heading\nx = 1\n```"
        );
        assert_eq!(section(DOC, "Why"), "");
    }

    #[test]
    fn first_paragraph_joins_lines() {
        assert_eq!(first_paragraph("a\nb\n\nc"), "a b");
    }
}
