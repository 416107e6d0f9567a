//! Generates the command line from ../spec into OUT_DIR, as the `yunxiao` crate's build.rs
//! generates the client: a bad spec fails the build with a message naming the file, the
//! field and the problem.

use std::path::{Path, PathBuf};

fn main() {
    let spec = Path::new("../spec");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let output = match yunxiao_codegen::generate_cli_dir(spec) {
        Ok(output) => output,
        Err(errors) => {
            eprintln!("error: invalid endpoint spec\n{errors}");
            for d in &errors.0 {
                println!("cargo:warning={d}");
            }
            std::process::exit(1);
        }
    };
    // Every spec file and folder: edits, additions and removals rerun the generator.
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
