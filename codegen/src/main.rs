//! `cargo run -p yunxiao-codegen -- spec generated`: writes the generated client into a folder
//! (the committed, readable copy under generated/), removing files no spec produces any more.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [spec, out] = args.as_slice() else {
        eprintln!("usage: yunxiao-codegen <spec-dir> <out-dir>");
        return ExitCode::from(2);
    };
    match run(Path::new(spec), Path::new(out)) {
        Ok(n) => {
            println!("wrote {n} files to {out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn run(spec: &Path, out: &Path) -> Result<usize, Box<dyn std::error::Error>> {
    let output = yunxiao_codegen::generate_dir(spec)?;
    let wanted: Vec<PathBuf> = output
        .files
        .iter()
        .map(|(name, _)| out.join(name))
        .collect();
    for (name, text) in &output.files {
        let path = out.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text)?;
        }
    }
    remove_stale(out, &wanted)?;
    Ok(output.files.len())
}

fn remove_stale(dir: &Path, wanted: &[PathBuf]) -> std::io::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            remove_stale(&path, wanted)?;
            if std::fs::read_dir(&path)?.next().is_none() {
                std::fs::remove_dir(&path)?;
            }
        } else if path.extension().is_some_and(|e| e == "rs") && !wanted.contains(&path) {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}
