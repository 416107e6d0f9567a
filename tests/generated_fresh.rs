//! generated/ must be exactly what build.rs (and cli/build.rs) emit from spec/.

use std::collections::BTreeMap;
use std::path::Path;

const REFRESH: &str = "cargo run -p yunxiao-codegen -- spec generated";

#[test]
fn generated_folder_matches_the_specs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = yunxiao_codegen::generate_all_dir(&root.join("spec")).expect("spec/ generates");
    let expected: BTreeMap<String, String> = output.files.into_iter().collect();

    let mut actual = BTreeMap::new();
    collect(
        &root.join("generated"),
        &root.join("generated"),
        &mut actual,
    );

    let missing: Vec<_> = expected
        .keys()
        .filter(|k| !actual.contains_key(*k))
        .collect();
    let stale: Vec<_> = actual
        .keys()
        .filter(|k| !expected.contains_key(*k))
        .collect();
    let differ: Vec<_> = expected
        .iter()
        .filter(|(k, v)| actual.get(*k).is_some_and(|a| a != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        missing.is_empty() && stale.is_empty() && differ.is_empty(),
        "generated/ is out of date with spec/ (missing: {missing:?}, no longer generated: {stale:?}, different: {differ:?}).\nRefresh it with: {REFRESH}"
    );
}

fn collect(base: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(base, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs" || e == "json") {
            let rel = path
                .strip_prefix(base)
                .unwrap()
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.insert(rel, std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// spec/schema.json, spec/shape.schema.json and the key reference in spec/README.md are
/// generated from the generator's definitions of the format.
#[test]
fn spec_schemas_and_reference_match_the_format() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("spec");
    for (name, text) in yunxiao_codegen::schema::spec_files() {
        let actual = std::fs::read_to_string(spec.join(name)).unwrap_or_default();
        assert!(
            actual == text,
            "spec/{name} is out of date with codegen/src/spec.rs.\nRefresh it with: {REFRESH}"
        );
    }
    let readme = std::fs::read_to_string(spec.join("README.md")).expect("spec/README.md");
    let refreshed = yunxiao_codegen::schema::refresh_readme(&readme)
        .expect("spec/README.md keeps its generated-reference markers");
    assert!(
        readme == refreshed,
        "the key reference in spec/README.md is out of date with codegen/src/spec.rs.\nRefresh it with: {REFRESH}"
    );
}
