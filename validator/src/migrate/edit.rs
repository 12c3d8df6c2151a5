//! Text edits by byte range: the file is rewritten by splicing, so every byte outside the
//! edited entries stays exactly as it was (comments, alignment, blank lines).

use std::ops::Range;

/// Replace `range` with `text` (an insertion when the range is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    range: Range<usize>,
    text: String,
}

/// Applies non-overlapping edits. Edit texts are written with `\n`; in a file whose lines end
/// in `\r\n` they get its line ending, so the file never mixes the two.
pub fn apply(text: &str, mut edits: Vec<Edit>) -> String {
    let crlf = uses_crlf(text);
    edits.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for edit in edits {
        let start = edit.range.start.clamp(done, text.len());
        out.push_str(&text[done..start]);
        if crlf {
            out.push_str(&edit.text.replace('\n', "\r\n"));
        } else {
            out.push_str(&edit.text);
        }
        done = edit.range.end.clamp(start, text.len());
    }
    out.push_str(&text[done..]);
    out
}

/// True when the file's first line ends in `\r\n` (Terraform reads both endings).
fn uses_crlf(text: &str) -> bool {
    text.find('\n')
        .is_some_and(|newline| text[..newline].ends_with('\r'))
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |newline| newline + 1)
}

/// The length of the line ending at the start of `rest` (`\n` or `\r\n`), 0 when none.
fn line_ending(rest: &str) -> usize {
    if rest.starts_with("\r\n") {
        2
    } else {
        usize::from(rest.starts_with('\n'))
    }
}

/// The length of a line comment (`#` or `//`) at the start of `rest`, up to its line ending.
fn line_comment(rest: &str) -> usize {
    if rest.starts_with('#') || rest.starts_with("//") {
        rest.find('\n').map_or(rest.len(), |newline| {
            newline - usize::from(rest[..newline].ends_with('\r'))
        })
    } else {
        0
    }
}

/// Where the blank (or whitespace-only) lines just before the line starting at `start` begin.
fn blank_lines_before(text: &str, mut start: usize) -> usize {
    while start > 0 {
        let previous = line_start(text, start - 1);
        if !text[previous..start].trim().is_empty() {
            break;
        }
        start = previous;
    }
    start
}

/// The range to delete for an item at `span`: a trailing comma with it, and its whole lines
/// (with a line comment after it) when nothing else shares them. With `collapse`, the blank
/// lines before whole lines go too when a blank line or the end of the enclosing block follows,
/// so removed items leave no run of blank lines behind.
fn removal(text: &str, span: &Range<usize>, collapse: bool) -> Range<usize> {
    let skip_blanks = |end: usize| {
        let rest = &text[end..];
        end + (rest.len() - rest.trim_start_matches([' ', '\t']).len())
    };
    let mut end = skip_blanks(span.end);
    if text[end..].starts_with(',') {
        end = skip_blanks(end + 1);
    }
    let start = line_start(text, span.start);
    if !text[start..span.start].trim().is_empty() {
        return span.start..end;
    }
    end += line_comment(&text[end..]);
    let ending = line_ending(&text[end..]);
    if ending == 0 && end != text.len() {
        return span.start..end;
    }
    let end = end + ending;
    let after = &text[end..];
    let next_line = &after[..after.find('\n').unwrap_or(after.len())];
    let closes = after.trim_start().starts_with(['}', ']']) || after.trim().is_empty();
    if collapse && (next_line.trim().is_empty() || closes) {
        blank_lines_before(text, start)..end
    } else {
        start..end
    }
}

/// Removes the blocks at `spans` and puts `replacement` (unindented lines) where the first one
/// was, indented like it.
pub fn replace_blocks(text: &str, spans: &[Range<usize>], replacement: &str) -> Vec<Edit> {
    let mut edits: Vec<Edit> = spans
        .iter()
        .enumerate()
        .map(|(index, span)| Edit {
            range: removal(text, span, index > 0),
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
            range: removal(text, span, true),
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
