//! Generates the API from spec/ into OUT_DIR. A bad spec fails the build with a message
//! naming the file, the field and the problem.

use std::path::{Path, PathBuf};

fn main() {
    let spec = Path::new("spec");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // Each area is a feature of the same name: files of areas this build leaves out are
    // not generated (mod.rs includes them only with their features).
    let enabled = |area: &str| {
        let var = format!(
            "CARGO_FEATURE_{}",
            area.to_ascii_uppercase().replace('-', "_")
        );
        std::env::var_os(var).is_some()
    };
    let output = match yunxiao_codegen::generate_dir_for(spec, enabled) {
        Ok(output) => output,
        Err(errors) => {
            eprintln!("error: invalid endpoint spec\n{errors}");
            for d in &errors.0 {
                println!("cargo:warning={d}");
            }
            std::process::exit(1);
        }
    };
    // Every spec file and folder: edits, additions and removals rerun the generator;
    // edits elsewhere in the crate do not.
    for input in &output.inputs {
        println!("cargo:rerun-if-changed={}", input.display());
    }
    println!("cargo:rerun-if-changed=build.rs");
    for (name, text) in &output.files {
        let path = out.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create OUT_DIR subfolder");
        }
        // Unchanged files keep their mtime, so rustc's inputs look untouched.
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).expect("write generated file");
        }
    }
}
