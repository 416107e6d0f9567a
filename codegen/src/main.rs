//! `cargo run -p yunxiao-codegen -- spec generated`: writes the generated client (and the
//! command line's `cli/commands.rs`) into a folder
//! (the committed, readable copy under generated/), removing files no spec produces any more,
//! and refreshes what the spec folder derives from the format's definitions: `schema.json`,
//! `shape.schema.json` and the key reference in `README.md`.

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
    let output = yunxiao_codegen::generate_all_dir(spec)?;
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
        write_if_changed(&path, text)?;
    }
    remove_stale(out, &wanted)?;
    for (name, text) in yunxiao_codegen::schema::spec_files() {
        write_if_changed(&spec.join(name), &text)?;
    }
    let readme = spec.join("README.md");
    if let Ok(current) = std::fs::read_to_string(&readme) {
        match yunxiao_codegen::schema::refresh_readme(&current) {
            Some(text) => write_if_changed(&readme, &text)?,
            None => eprintln!(
                "note: {} has no generated-reference markers; left as is",
                readme.display()
            ),
        }
    }
    Ok(output.files.len())
}

/// Leaves unchanged files untouched, so their mtimes do not trigger rebuilds.
fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text)?;
    }
    Ok(())
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
        } else if path.extension().is_some_and(|e| e == "rs" || e == "json")
            && !wanted.contains(&path)
        {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}
