//! Every area of spec/ with operations is a cargo feature of the same name, on by default:
//! the generated code compiles each area only with its feature, so an area without one
//! would be left out of every build (with only an `unexpected_cfgs` warning). A folder of
//! shapes alone (`common/`) compiles with the areas that use them.

use std::path::Path;

#[test]
fn every_area_is_a_default_feature() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    let features: Vec<&str> = manifest
        .split("\n[features]\n")
        .nth(1)
        .expect("a [features] table")
        .split("\n[")
        .next()
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect();
    let default = features
        .iter()
        .find_map(|l| l.strip_prefix("default = "))
        .expect("a default feature");
    let mut areas: Vec<String> = std::fs::read_dir(root.join("spec"))
        .expect("spec/")
        .flatten()
        .filter(|e| e.path().is_dir() && has_operations(&e.path()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    areas.sort();
    assert!(areas.len() >= 7, "areas found: {areas:?}");
    for area in &areas {
        assert!(
            features
                .iter()
                .any(|l| l.starts_with(&format!("{area} = "))),
            "spec/{area}/ has no cargo feature `{area}` in Cargo.toml"
        );
        assert!(
            default.contains(&format!("\"{area}\"")),
            "the `{area}` feature is not in `default`"
        );
    }
}

fn has_operations(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| e.path().extension().is_some_and(|x| x == "yaml"))
}
