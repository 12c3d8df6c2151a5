//! The registry layout: which pages exist and what each holds.
//!
//! `docs/index.md` and `docs/guides/*.md` come from the templates in `xtask/templates/`; one page
//! per registered resource (`docs/resources/<key>.md`) and data source
//! (`docs/data-sources/<key>.md`) is laid out here from its schema and its example under
//! `examples/resources/<type>/resource.tf` or `examples/data-sources/<type>/data-source.tf`.

use crate::markdown::{first_paragraph, front_matter, terraform_block};
use crate::provider_schema::{self, Entry, Kind, PROVIDER_NAME};
use crate::schema_markdown::{provider_arguments, references};
use crate::template::fill;
use crate::{read, rules_markdown, Error, Page};
use std::path::{Path, PathBuf};
use tfplugin::schema::Presence;

/// Folders whose every file the generator writes (others there are removed as stale).
pub const GENERATED_FOLDERS: &[&str] = &["docs/resources", "docs/data-sources", "docs/guides"];

const TEMPLATES: &str = "xtask/templates";
const PROVIDER_EXAMPLE: &str = "examples/provider/provider.tf";

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Resource => "Resource",
            Kind::DataSource => "Data Source",
        }
    }

    fn folder(self) -> &'static str {
        match self {
            Kind::Resource => "resources",
            Kind::DataSource => "data-sources",
        }
    }

    fn example_file(self) -> &'static str {
        match self {
            Kind::Resource => "resource.tf",
            Kind::DataSource => "data-source.tf",
        }
    }

    /// The HCL keyword that declares one (`resource`, `data`).
    fn keyword(self) -> &'static str {
        match self {
            Kind::Resource => "resource",
            Kind::DataSource => "data",
        }
    }
}

impl Entry {
    fn example_dir(&self) -> String {
        format!("examples/{}/{}", self.kind.folder(), self.type_name)
    }

    fn page_path(&self) -> PathBuf {
        PathBuf::from(format!("docs/{}/{}.md", self.kind.folder(), self.key))
    }

    /// True when it exports helm_release `set` entries (then its page shows the wiring).
    fn exports_helm_set(&self) -> bool {
        self.schema
            .block
            .attribute("set")
            .is_some_and(|attr| attr.presence == Presence::Computed)
    }

    /// The address of the first block of this type in `example` (`dagster_concurrency.this`).
    fn address_in(&self, example: &str) -> Result<String, Error> {
        let opening = format!("{} \"{}\" \"", self.kind.keyword(), self.type_name);
        let name = example
            .lines()
            .find_map(|line| line.trim_start().strip_prefix(opening.as_str()))
            .and_then(|rest| rest.split('"').next())
            .ok_or_else(|| {
                Error::new(format!(
                    "{}/{} declares no {} \"{}\"",
                    self.example_dir(),
                    self.kind.example_file(),
                    self.kind.keyword(),
                    self.type_name
                ))
            })?;
        Ok(match self.kind {
            Kind::Resource => format!("{}.{name}", self.type_name),
            Kind::DataSource => format!("data.{}.{name}", self.type_name),
        })
    }
}

fn helm_wiring(root: &Path, address: &str) -> Result<String, Error> {
    let template = read(root, &format!("{TEMPLATES}/helm-wiring.md"))?;
    fill(root, &template, &[("address", address)])
}

/// The page of one resource or data source; `None` for the example when it has none (the
/// page is still written, and the caller reports the gap).
fn entry_page(root: &Path, entry: &Entry, example: Option<&str>) -> Result<Page, Error> {
    let dir = entry.example_dir();
    let description = entry.schema.block.description.trim();
    let label = entry.kind.label();
    let mut text = front_matter(
        &format!(
            "{} {label} - terraform-provider-{PROVIDER_NAME}",
            entry.type_name
        ),
        "",
        &first_paragraph(description),
    );
    text.push_str(&format!(
        "\n# {} ({label})\n\n{description}\n\n",
        entry.type_name
    ));
    if let Some(example) = example {
        text.push_str("## Example Usage\n\n");
        text.push_str(&terraform_block(example));
        text.push('\n');
        if entry.exports_helm_set() {
            text.push_str(&helm_wiring(root, &entry.address_in(example)?)?);
            text.push('\n');
        }
    }
    text.push_str(&references(&entry.schema.block));
    if let Ok(import) = read(root, &format!("{dir}/import.sh")) {
        text.push_str(&format!(
            "## Import\n\n```shell\n{}\n```\n",
            import.trim_end()
        ));
    }
    Ok(Page {
        path: entry.page_path(),
        text: text.trim_end().to_owned() + "\n",
    })
}

/// The list of resources and data sources with links, for the index.
fn entry_list(entries: &[Entry]) -> String {
    entries
        .iter()
        .map(|entry| {
            format!(
                "- [`{}`]({}/{}.md) ({}): {}\n",
                entry.type_name,
                entry.kind.folder(),
                entry.key,
                entry.kind.label().to_lowercase(),
                first_paragraph(&entry.schema.block.description)
            )
        })
        .collect()
}

fn template_page(
    root: &Path,
    template: &str,
    target: &str,
    values: &[(&str, &str)],
) -> Result<Page, Error> {
    let text = fill(
        root,
        &read(root, &format!("{TEMPLATES}/{template}"))?,
        values,
    )?;
    Ok(Page {
        path: PathBuf::from(target),
        text: text.trim_end().to_owned() + "\n",
    })
}

/// What the generator produced.
pub struct Docs {
    /// Every page of the registry layout.
    pub pages: Vec<Page>,
    /// What the pages lack and the author must add (an example file, a description), one line each.
    pub problems: Vec<String>,
}

/// Every page of the registry layout, from the provider schema, the rules and `examples/`
/// under `root` (the workspace root). A resource or data source without its example file, or
/// an attribute or block without a description, still gets its page, and the gap is listed in
/// [`Docs::problems`].
pub fn generate(root: &Path) -> Result<Docs, Error> {
    let schema = provider_schema::read()?;
    let concurrency = schema
        .entries
        .iter()
        .find(|entry| entry.kind == Kind::Resource && entry.exports_helm_set());
    let wiring = match concurrency {
        Some(entry) => {
            let example = read(
                root,
                &format!("{}/{}", entry.example_dir(), entry.kind.example_file()),
            )?;
            helm_wiring(root, &entry.address_in(&example)?)?
        }
        None => String::new(),
    };
    let provider_summary = first_paragraph(&schema.provider.block.description);
    let provider_example = terraform_block(&read(root, PROVIDER_EXAMPLE)?);
    let provider_arguments = provider_arguments(&schema.provider.block);
    let entries = entry_list(&schema.entries);
    let rules_table_index = rules_markdown::configuration_table("guides/rules.md");
    let policy_table_index = rules_markdown::policy_table("guides/rules.md");
    let rules_table_guides = rules_markdown::configuration_table("rules.md");
    let policy_table_guides = rules_markdown::policy_table("rules.md");
    let rules_reference = rules_markdown::reference();
    let warnings = rules_markdown::warnings("rules.md");
    let values: &[(&str, &str)] = &[
        (
            "provider_description",
            schema.provider.block.description.trim(),
        ),
        ("provider_summary", &provider_summary),
        ("provider_example", &provider_example),
        ("provider_arguments", &provider_arguments),
        ("entries", &entries),
        ("helm_wiring", &wiring),
        ("rules_table_index", &rules_table_index),
        ("policy_table_index", &policy_table_index),
        ("rules_table", &rules_table_guides),
        ("policy_table", &policy_table_guides),
        ("rules_reference", &rules_reference),
        ("warnings", &warnings),
    ];
    let mut pages = vec![template_page(root, "index.md", "docs/index.md", values)?];
    let guides = root.join(TEMPLATES).join("guides");
    let mut guide_names: Vec<String> = std::fs::read_dir(&guides)
        .map_err(|e| Error::new(format!("cannot list {TEMPLATES}/guides: {e}")))?
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".md"))
        .collect();
    guide_names.sort();
    for name in guide_names {
        pages.push(template_page(
            root,
            &format!("guides/{name}"),
            &format!("docs/guides/{name}"),
            values,
        )?);
    }
    let mut problems: Vec<String> =
        provider_schema::undocumented(PROVIDER_NAME, &schema.provider.block)
            .into_iter()
            .chain(schema.entries.iter().flat_map(|entry| {
                provider_schema::undocumented(&entry.type_name, &entry.schema.block)
            }))
            .map(|path| format!("{path} has no description: add one to its schema"))
            .collect();
    for entry in &schema.entries {
        let example_path = format!("{}/{}", entry.example_dir(), entry.kind.example_file());
        let example = std::fs::read_to_string(root.join(&example_path)).ok();
        if example.is_none() {
            problems.push(format!(
                "{} has no example: write {example_path}",
                entry.type_name
            ));
        }
        pages.push(entry_page(root, entry, example.as_deref())?);
    }
    Ok(Docs { pages, problems })
}
