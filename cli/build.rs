//! Generates the command line from ../spec into OUT_DIR, as the `yunxiao` crate's build.rs
//! generates the client: a bad spec fails the build with a message naming the file, the
//! field and the problem.

fn main() {
    let spec = std::path::Path::new("../spec");
    yunxiao_codegen::build_script::write_to_out_dir(yunxiao_codegen::generate_cli_dir(spec));
}
