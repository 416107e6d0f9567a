//! Helpers shared by the codegen integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use yunxiao_codegen::Source;

/// `codegen/`.
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real `spec/` folder of the workspace.
pub fn spec_dir() -> PathBuf {
    manifest_dir().join("../spec")
}

/// `codegen/tests/fixtures/`.
pub fn fixtures_dir() -> PathBuf {
    manifest_dir().join("tests/fixtures")
}

/// The five seed specs, as `area/file.yaml` below spec/.
pub const SEEDS: [&str; 5] = [
    "flow/get_pipeline_artifact_url.yaml",
    "flow/pass_pipeline_validate.yaml",
    "flow/refuse_pipeline_validate.yaml",
    "projex/get_project_info.yaml",
    "codeup/update_group.yaml",
];

/// A source read from `root/relative`, displayed as `display_root/relative`.
pub fn source_from(root: &Path, display_root: &str, relative: &str) -> Source {
    let text = std::fs::read_to_string(root.join(relative))
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.join(relative).display()));
    Source {
        relative: relative.to_string(),
        display: format!("{display_root}/{relative}"),
        text,
    }
}

/// An in-memory source named `spec/<relative>`.
pub fn source(relative: &str, text: &str) -> Source {
    Source {
        relative: relative.to_string(),
        display: format!("spec/{relative}"),
        text: text.to_string(),
    }
}

/// The five seed specs, read from the real spec/ folder, with every shared shape (the
/// seeds use some).
pub fn seed_sources() -> Vec<Source> {
    let mut sources: Vec<Source> = SEEDS
        .iter()
        .map(|r| source_from(&spec_dir(), "spec", r))
        .collect();
    sources.extend(shape_sources());
    sources
}

/// Every shared shape of the real spec/ folder.
pub fn shape_sources() -> Vec<Source> {
    yaml_files(&spec_dir())
        .iter()
        .filter(|r| r.contains("/shapes/"))
        .map(|r| source_from(&spec_dir(), "spec", r))
        .collect()
}

/// Every `*.yaml` below `dir`, as `relative` paths with `/`, sorted.
pub fn yaml_files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                let rel = path
                    .strip_prefix(base)
                    .unwrap()
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push(rel);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Snapshot name for a generated file: `flow/get_x.rs` -> `flow__get_x`.
pub fn snap_name(prefix: &str, file: &str) -> String {
    format!(
        "{prefix}__{}",
        file.trim_end_matches(".rs").replace('/', "__")
    )
}
