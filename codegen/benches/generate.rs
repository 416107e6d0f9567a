//! Generator timing: `cargo bench -p yunxiao-codegen --bench generate`.
//!
//! A plain `harness = false` binary (no criterion): runs each case a few times and prints the
//! median, minimum and maximum wall time per run.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use yunxiao_codegen::{api, generate, generate_dir, Source};

const RUNS: usize = 10;

const SEEDS: [&str; 5] = [
    "flow/get_pipeline_artifact_url.yaml",
    "flow/pass_pipeline_validate.yaml",
    "flow/refuse_pipeline_validate.yaml",
    "projex/get_project_info.yaml",
    "codeup/update_group.yaml",
];

const AREAS: [&str; 8] = [
    "flow",
    "codeup",
    "projex",
    "appstack",
    "organization",
    "testhub",
    "insight",
    "packages",
];

fn main() {
    // `cargo bench` runs this with cwd = codegen/; the manifest dir makes it work from anywhere.
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let count = generate_dir(&spec).expect("spec/ generates").files.len() - 1;
    report(&format!("generate_dir(../spec) [{count} specs]"), || {
        black_box(generate_dir(&spec).expect("spec/ generates"));
    });

    let synthetic = synthetic_sources(&spec, 500);
    report(
        "api(500 synthetic specs) [load, check, lower, name]",
        || {
            black_box(api(&synthetic).expect("synthetic specs lower"));
        },
    );
    report(
        "generate(500 synthetic specs) [load + validate + emit]",
        || {
            black_box(generate(&synthetic).expect("synthetic specs generate"));
        },
    );
}

/// `n` specs: the five seeds cloned with renamed actions, files spread across areas.
fn synthetic_sources(spec: &Path, n: usize) -> Vec<Source> {
    let seeds: Vec<(String, String)> = SEEDS
        .iter()
        .map(|rel| {
            let text = std::fs::read_to_string(spec.join(rel)).expect("seed spec");
            let action = text
                .lines()
                .find_map(|l| l.strip_prefix("action: "))
                .expect("seed has an action")
                .trim()
                .to_string();
            (action, text)
        })
        .collect();
    (0..n)
        .map(|i| {
            let (action, text) = &seeds[i % seeds.len()];
            let new_action = format!("{action}Copy{}", letters(i));
            let area = AREAS[i % AREAS.len()];
            let file = heck::ToSnakeCase::to_snake_case(new_action.as_str());
            let relative = format!("{area}/{file}.yaml");
            Source {
                display: format!("synthetic/{relative}"),
                relative,
                text: text.replacen(
                    &format!("action: {action}"),
                    &format!("action: {new_action}"),
                    1,
                ),
            }
        })
        .collect()
}

/// `0 -> A`, `25 -> Z`, `26 -> BA`, ...: a suffix without digits, so names stay simple.
fn letters(mut i: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (i % 26) as u8);
        i /= 26;
        if i == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

fn report(name: &str, mut f: impl FnMut()) {
    f(); // warm-up
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name}: median {:.1} ms/run (min {:.1}, max {:.1}, {RUNS} runs)",
        ms(times[RUNS / 2]),
        ms(times[0]),
        ms(times[RUNS - 1]),
    );
}
