//! Generates the `yunxiao` client from YAML endpoint specs.
//!
//! The pipeline has four stages, one module each:
//! [`load`] (serde_yaml, keeping file names and serde_yaml's line/column) ->
//! [`validate`] (checks that name the file, the field path and the problem) ->
//! [`model`] (the intermediate model: Rust names, doc text, types) ->
//! [`emit`] (quote + proc-macro2 tokens, formatted with prettyplease).
//!
//! `build.rs` of the `yunxiao` crate calls [`generate_dir`] and writes [`Output::files`]
//! into `OUT_DIR`.

#![warn(missing_docs)]

pub mod emit;
pub mod error;
pub mod load;
pub mod model;
pub mod names;
pub mod spec;
pub mod validate;

use std::path::{Path, PathBuf};

pub use error::{Diagnostic, Errors};

/// One spec file's text and the name used for it in messages (e.g. `spec/flow/x.yaml`).
#[derive(Debug, Clone)]
pub struct Source {
    /// Path relative to the spec root (`flow/get_pipeline_artifact_url.yaml`); its first
    /// folder is the area.
    pub relative: String,
    /// Name shown in messages.
    pub display: String,
    /// YAML text.
    pub text: String,
}

/// Generated files, by name relative to the output folder.
#[derive(Debug, Clone)]
pub struct Output {
    /// `(file name, Rust source)`, sorted by name.
    pub files: Vec<(String, String)>,
    /// Every spec file read, for `cargo:rerun-if-changed`.
    pub inputs: Vec<PathBuf>,
}

/// Reads every `*.yaml` file below `dir` and generates the client.
pub fn generate_dir(dir: &Path) -> Result<Output, Errors> {
    let (sources, inputs) = load::read_dir(dir)?;
    let files = generate(&sources)?;
    Ok(Output { files, inputs })
}

/// Generates the client from in-memory sources (used by tests and fixtures).
pub fn generate(sources: &[Source]) -> Result<Vec<(String, String)>, Errors> {
    let api = lower(sources)?;
    emit::files(&api).map_err(|d| Errors(vec![d]))
}

/// Loads and checks sources into the model.
pub fn lower(sources: &[Source]) -> Result<model::Api, Errors> {
    let mut diags = Vec::new();
    let mut operations = Vec::new();
    for source in sources {
        match load::parse(source) {
            Ok((area, spec)) => {
                match validate::operation(&source.display, &area, &source.text, &spec) {
                    Ok(op) => operations.push(op),
                    Err(mut d) => diags.append(&mut d),
                }
            }
            Err(d) => diags.push(d),
        }
    }
    operations.sort_by(|a, b| (&a.area, &a.action).cmp(&(&b.area, &b.action)));
    diags.extend(validate::whole_api(&operations));
    if diags.is_empty() {
        Ok(model::Api { operations })
    } else {
        Err(Errors(diags))
    }
}
