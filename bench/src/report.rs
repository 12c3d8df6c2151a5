//! The printed report: headline ratios first, then one Markdown table per benchmark.

use std::fmt::Write;

/// One headline: what is compared, the ratio subject/baseline, and the figures behind it.
pub struct Headline {
    /// What is compared.
    pub what: String,
    /// The ratio, formatted.
    pub ratio: String,
    /// Subject and baseline figures.
    pub detail: String,
}

/// A Markdown table with a title.
pub struct Table {
    /// Heading above the table.
    pub title: String,
    /// Column names.
    pub columns: Vec<String>,
    /// Cells, row by row.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table.
    pub fn new(title: &str, columns: &[&str]) -> Self {
        Table {
            title: title.to_owned(),
            columns: columns.iter().map(|&c| c.to_owned()).collect(),
            rows: vec![],
        }
    }

    /// Appends a row.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
}

/// Everything measured in one invocation.
#[derive(Default)]
pub struct Report {
    /// Ratios, printed first.
    pub headlines: Vec<Headline>,
    /// Detail tables.
    pub tables: Vec<Table>,
}

fn markdown_row(cells: &[String]) -> String {
    format!("| {} |", cells.join(" | "))
}

impl Report {
    /// Adds a headline.
    pub fn headline(&mut self, what: String, ratio: String, detail: String) {
        self.headlines.push(Headline {
            what,
            ratio,
            detail,
        });
    }

    /// The report as Markdown: the ratios table, then every detail table.
    pub fn markdown(&self) -> String {
        let mut text = String::from("### Ratios (subject / baseline, medians)\n\n");
        text.push_str("| what | ratio | subject vs baseline |\n|---|---|---|\n");
        for h in &self.headlines {
            let _ = writeln!(
                text,
                "{}",
                markdown_row(&[h.what.clone(), h.ratio.clone(), h.detail.clone()])
            );
        }
        for table in &self.tables {
            let _ = writeln!(text, "\n### {}\n", table.title);
            let _ = writeln!(text, "{}", markdown_row(&table.columns));
            let _ = writeln!(
                text,
                "|{}",
                table.columns.iter().map(|_| "---|").collect::<String>()
            );
            for row in &table.rows {
                let _ = writeln!(text, "{}", markdown_row(row));
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_come_before_tables() {
        let mut report = Report::default();
        let mut table = Table::new("Latency", &["call", "p50"]);
        table.row(vec!["Plan".to_owned(), "1 ms".to_owned()]);
        report.tables.push(table);
        report.headline(
            "plan".to_owned(),
            "2.00×".to_owned(),
            "2 s vs 1 s".to_owned(),
        );
        let text = report.markdown();
        let ratios = text.find("| plan | 2.00× |").unwrap();
        let latency = text.find("### Latency").unwrap();
        assert!(ratios < latency);
        assert!(text.contains("| call | p50 |\n|---|---|\n| Plan | 1 ms |"));
    }
}
