//! Generates the API from spec/ into OUT_DIR. A bad spec fails the build with a message
//! naming the file, the field and the problem.

fn main() {
    let spec = std::path::Path::new("spec");
    // Each area is a feature of the same name: files of areas this build leaves out are
    // not generated (mod.rs includes them only with their features).
    let enabled = |area: &str| {
        let var = format!(
            "CARGO_FEATURE_{}",
            area.to_ascii_uppercase().replace('-', "_")
        );
        std::env::var_os(var).is_some()
    };
    yunxiao_codegen::build_script::write_to_out_dir(yunxiao_codegen::generate_dir_for(
        spec, enabled,
    ));
}
