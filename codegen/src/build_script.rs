//! What a build script does with a generator's result: the root `build.rs` (the client) and
//! `cli/build.rs` (the command line) both end here.

use crate::{Errors, Output};

/// Writes `result` into `OUT_DIR` and tells cargo to rerun when a spec file or folder
/// changes (edits elsewhere in the crate do not rerun it). A bad spec ends the build with
/// its located messages on stderr and as cargo warnings, exit code 1.
pub fn write_to_out_dir(result: Result<Output, Errors>) {
    let output = match result {
        Ok(output) => output,
        Err(errors) => {
            eprintln!("error: invalid endpoint spec\n{errors}");
            for d in &errors.0 {
                println!("cargo:warning={d}");
            }
            std::process::exit(1);
        }
    };
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
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
