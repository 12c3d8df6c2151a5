//! Text edits by byte range: the file is rewritten by splicing, so every byte outside the
//! edited entries stays exactly as it was (comments, alignment, blank lines).

use std::ops::Range;

/// Replace `range` with `text` (an insertion when the range is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    range: Range<usize>,
    text: String,
}

/// Applies non-overlapping edits.
pub fn apply(text: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for edit in edits {
        let start = edit.range.start.clamp(done, text.len());
        out.push_str(&text[done..start]);
        out.push_str(&edit.text);
        done = edit.range.end.clamp(start, text.len());
    }
    out.push_str(&text[done..]);
    out
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |newline| newline + 1)
}

/// The range to delete for an item at `span`: a trailing comma with it, and its whole lines
/// when nothing else shares them.
fn removal(text: &str, span: &Range<usize>) -> Range<usize> {
    let rest = &text[span.end..];
    let mut end = span.end + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
    if text[end..].starts_with(',') {
        end += 1;
        let rest = &text[end..];
        end += rest.len() - rest.trim_start_matches([' ', '\t']).len();
    }
    let start = line_start(text, span.start);
    let alone_before = text[start..span.start].trim().is_empty();
    if alone_before && text[end..].starts_with('\n') {
        start..end + 1
    } else if alone_before && end == text.len() {
        start..end
    } else {
        span.start..end
    }
}

/// Removes the blocks at `spans` and puts `replacement` (unindented lines) where the first one
/// was, indented like it.
pub fn replace_blocks(text: &str, spans: &[Range<usize>], replacement: &str) -> Vec<Edit> {
    let mut edits: Vec<Edit> = spans
        .iter()
        .map(|span| Edit {
            range: removal(text, span),
            text: String::new(),
        })
        .collect();
    if let (Some(first), Some(span)) = (edits.first_mut(), spans.first()) {
        let start = line_start(text, span.start);
        let indent = &text[start..span.start];
        let indent = if indent.trim().is_empty() { indent } else { "" };
        let lines: String = replacement
            .lines()
            .map(|line| {
                if line.is_empty() {
                    "\n".to_owned()
                } else {
                    format!("{indent}{line}\n")
                }
            })
            .collect();
        first.text = if first.range.start == span.start {
            // The block shared its line: keep the line as it was around the new block.
            lines.trim().to_owned()
        } else {
            lines
        };
    }
    edits
}

/// Replaces the list at `list` (the `set` attribute's value): without the items at `spans`,
/// as `concat(REFERENCE, [kept items])`, or as `REFERENCE` alone when no item is kept.
pub fn replace_list_items(
    text: &str,
    list: Range<usize>,
    spans: &[Range<usize>],
    all: bool,
    reference: &str,
) -> Vec<Edit> {
    if all {
        return vec![Edit {
            range: list,
            text: reference.to_owned(),
        }];
    }
    let mut edits: Vec<Edit> = spans
        .iter()
        .map(|span| Edit {
            range: removal(text, span),
            text: String::new(),
        })
        .collect();
    edits.push(Edit {
        range: list.start..list.start,
        text: format!("concat({reference}, "),
    });
    edits.push(Edit {
        range: list.end..list.end,
        text: ")".to_owned(),
    });
    edits
}

/// Inserts `insertion` after the line holding `offset`.
pub fn insert_after_line(text: &str, offset: usize, insertion: &str) -> Edit {
    let at = text[offset..]
        .find('\n')
        .map_or(text.len(), |newline| offset + newline + 1);
    let text = if at == text.len() && !text.ends_with('\n') {
        format!("\n{insertion}")
    } else {
        insertion.to_owned()
    };
    Edit {
        range: at..at,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span_of(text: &str, needle: &str) -> Range<usize> {
        let start = text.find(needle).expect("needle");
        start..start + needle.len()
    }

    #[test]
    fn whole_lines_go_with_their_item() {
        let text = "a\n  x = 1,\n  y = 2\nb\n";
        let out = apply(text, replace_blocks(text, &[span_of(text, "x = 1")], "z\n"));
        assert_eq!(out, "a\n  z\n  y = 2\nb\n");
    }

    #[test]
    fn inline_items_leave_the_rest_of_the_line() {
        let text = "s = [{a = 1}, {b = 2}, {c = 3}]\n";
        let edits = replace_list_items(
            text,
            span_of(text, "[{a = 1}, {b = 2}, {c = 3}]"),
            &[span_of(text, "{b = 2}")],
            false,
            "r",
        );
        assert_eq!(apply(text, edits), "s = concat(r, [{a = 1}, {c = 3}])\n");
        let edits = replace_list_items(
            text,
            span_of(text, "[{a = 1}, {b = 2}, {c = 3}]"),
            &[],
            true,
            "r",
        );
        assert_eq!(apply(text, edits), "s = r\n");
    }

    #[test]
    fn insertions_go_after_the_line() {
        let text = "x {\n}\ny\n";
        let out = apply(text, vec![insert_after_line(text, 4, "\nz\n")]);
        assert_eq!(out, "x {\n}\n\nz\ny\n");
        assert_eq!(apply("}", vec![insert_after_line("}", 0, "z\n")]), "}\nz\n");
    }
}
