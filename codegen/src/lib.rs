//! Generates the `yunxiao` client from YAML endpoint specs.
//!
//! The pipeline has one module per stage, each a plain function of the one before:
//!
//! 1. [`load`]: find the files, parse them with serde_yaml into the [`spec`] types (the spec
//!    format's words are the enums of `yunxiao-vocab`);
//! 2. [`check`]: every rule of the format, collected as located [`Diagnostic`]s
//!    (`file:line:col: field.path: what is wrong`); nothing is lowered or named here;
//! 3. [`lower`]: checked specs into the [`model`], types keyed by position;
//! 4. [`registry`]: one registry gives every type its Rust name, by one rule;
//! 5. [`emit`]: model to tokens (quote), formatted by prettyplease.
//!
//! `build.rs` of the `yunxiao` crate calls [`generate_dir_for`], `cli/build.rs` calls
//! [`generate_cli_dir`] for the `yunxiao` command line, and both hand the result to
//! [`build_script::write_to_out_dir`]; `cargo run -p yunxiao-codegen -- spec generated`
//! writes the committed copy of both.

#![warn(missing_docs)]

pub mod build_script;
pub mod check;
pub mod emit;
pub mod error;
pub mod load;
pub mod locate;
pub mod lower;
pub mod model;
pub mod names;
pub mod registry;
pub mod resolve;
pub mod schema;
pub mod spec;
pub mod waiter;

use std::path::{Path, PathBuf};

pub use error::{Diagnostic, Errors};

/// One spec file's text and the name used for it in messages (e.g. `spec/flow/x.yaml`).
#[derive(Debug, Clone)]
pub struct Source {
    /// Path relative to the spec root (`flow/get_pipeline_artifact_url.yaml`, or
    /// `codeup/shapes/commit.yaml` for a shared shape); its first folder is the area.
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
    /// Every spec file and folder read, for `cargo:rerun-if-changed`.
    pub inputs: Vec<PathBuf>,
}

/// Reads every `*.yaml` file below `dir` and generates the client.
pub fn generate_dir(dir: &Path) -> Result<Output, Errors> {
    generate_dir_for(dir, |_| true)
}

/// Everything `generated/` holds: the client ([`generate_dir`]) and the command line
/// ([`generate_cli_dir`]), from one reading and checking of the specs.
pub fn generate_all_dir(dir: &Path) -> Result<Output, Errors> {
    let (sources, inputs) = load::read_dir(dir)?;
    let api = api(&sources)?;
    let mut files = emit::files(&api).map_err(|d| Errors(vec![d]))?;
    files.extend(emit::cli_files(&api).map_err(|d| Errors(vec![d]))?);
    Ok(Output { files, inputs })
}

/// [`generate_dir`] for a build with only some areas: `enabled(area)` says whether the
/// area's cargo feature is on. Every spec is read and checked; files that build would not
/// compile are not written (see [`emit::files_for`]).
pub fn generate_dir_for(dir: &Path, enabled: impl Fn(&str) -> bool) -> Result<Output, Errors> {
    let (sources, inputs) = load::read_dir(dir)?;
    let api = api(&sources)?;
    let files = emit::files_for(&api, enabled).map_err(|d| Errors(vec![d]))?;
    Ok(Output { files, inputs })
}

/// Generates the client from in-memory sources (used by tests and fixtures).
pub fn generate(sources: &[Source]) -> Result<Vec<(String, String)>, Errors> {
    let api = api(sources)?;
    emit::files(&api).map_err(|d| Errors(vec![d]))
}

/// Reads every `*.yaml` file below `dir` and generates the `yunxiao` command line
/// (`cli/commands.rs`, see [`emit::cli`]); `cli/build.rs` writes it into its `OUT_DIR`.
pub fn generate_cli_dir(dir: &Path) -> Result<Output, Errors> {
    let (sources, inputs) = load::read_dir(dir)?;
    let files = generate_cli(&sources)?;
    Ok(Output { files, inputs })
}

/// Generates the command line from in-memory sources (used by tests and fixtures).
pub fn generate_cli(sources: &[Source]) -> Result<Vec<(String, String)>, Errors> {
    let api = api(sources)?;
    emit::cli_files(&api).map_err(|d| Errors(vec![d]))
}

/// Loads, checks, lowers and names: the model the emitters read.
pub fn api(sources: &[Source]) -> Result<model::Api, Errors> {
    let (input, mut diags) = load::parse_all(sources);
    diags.extend(check::api(&input));
    if !diags.is_empty() {
        return Err(Errors(diags));
    }
    let mut api = lower::api(&input);
    registry::assign_names(&mut api).map_err(Errors)?;
    Ok(api)
}
