//! Snapshots of the generated code: the five seed specs from spec/, the hard-case fixtures
//! under tests/fixtures/ok/, and the "sixth endpoint" check.

mod common;

use std::collections::BTreeMap;

use common::*;
use yunxiao_codegen::{generate, Source};

fn generate_map(sources: &[Source]) -> BTreeMap<String, String> {
    match generate(sources) {
        Ok(files) => files.into_iter().collect(),
        Err(e) => panic!("generation failed:\n{e}"),
    }
}

// ---- the five seed specs -------------------------------------------------------------

#[test]
fn seed_specs_generate_the_expected_files() {
    let files = generate_map(&seed_sources());
    let names: Vec<&str> = files
        .keys()
        .map(String::as_str)
        .filter(|n| !n.contains("/shapes/"))
        .collect();
    assert_eq!(
        names,
        [
            "codeup/update_group.rs",
            "examples.json",
            "flow/get_pipeline_artifact_url.rs",
            "flow/pass_pipeline_validate.rs",
            "flow/refuse_pipeline_validate.rs",
            "mod.rs",
            "projex/get_project_info.rs",
        ]
    );
    // The shapes the seeds use, one file each.
    for shape in [
        "common/shapes/basic_response.rs",
        "codeup/shapes/codeup_group.rs",
        "flow/shapes/pipeline_artifact_url.rs",
    ] {
        assert!(files.contains_key(shape), "{shape} is not generated");
    }
}

macro_rules! seed_snapshot {
    ($test:ident, $file:literal) => {
        #[test]
        fn $test() {
            let files = generate_map(&seed_sources());
            let code = files.get($file).expect(concat!($file, " is generated"));
            insta::assert_snapshot!(snap_name("seed", $file), code);
        }
    };
}

seed_snapshot!(
    seed_get_pipeline_artifact_url,
    "flow/get_pipeline_artifact_url.rs"
);
seed_snapshot!(
    seed_pass_pipeline_validate,
    "flow/pass_pipeline_validate.rs"
);
seed_snapshot!(
    seed_refuse_pipeline_validate,
    "flow/refuse_pipeline_validate.rs"
);
seed_snapshot!(seed_get_project_info, "projex/get_project_info.rs");
seed_snapshot!(seed_update_group, "codeup/update_group.rs");
seed_snapshot!(seed_mod_rs, "mod.rs");

/// Each seed alone generates the same operation file as the five together.
#[test]
fn seed_output_does_not_depend_on_the_other_specs() {
    let together = generate_map(&seed_sources());
    for source in seed_sources()
        .into_iter()
        .filter(|s| !s.relative.contains("/shapes/"))
    {
        let mut alone = shape_sources();
        alone.push(source);
        let alone = generate_map(&alone);
        // Shapes list the operations that use them, so only operation files must match.
        for (name, code) in alone.iter().filter(|(n, _)| {
            !matches!(n.as_str(), "mod.rs" | "examples.json") && !n.contains("/shapes/")
        }) {
            assert_eq!(Some(code), together.get(name), "{name} differs");
        }
    }
}

/// Generation is deterministic: the same input gives byte-identical output.
#[test]
fn generation_is_deterministic() {
    let a = generate(&seed_sources()).unwrap();
    let mut reversed = seed_sources();
    reversed.reverse();
    let b = generate(&reversed).unwrap();
    assert_eq!(a, b);
}

// ---- hard-case fixtures --------------------------------------------------------------

fn fixture(relative: &str) -> Source {
    source_from(&fixtures_dir().join("ok"), "tests/fixtures/ok", relative)
}

/// The fixtures' shared shapes (`<area>/shapes/*.yaml`).
fn fixture_shapes() -> Vec<Source> {
    yaml_files(&fixtures_dir().join("ok"))
        .iter()
        .filter(|r| r.contains("/shapes/"))
        .map(|r| fixture(r))
        .collect()
}

/// Generates one fixture (with the fixtures' shapes) and returns its operation file.
fn fixture_code(relative: &str) -> String {
    let mut sources = fixture_shapes();
    sources.push(fixture(relative));
    let files = generate_map(&sources);
    let name = relative.replace(".yaml", ".rs");
    files
        .get(&name)
        .unwrap_or_else(|| panic!("{name} not generated"))
        .clone()
}

macro_rules! fixture_snapshot {
    ($test:ident, $file:literal, |$code:ident| $checks:block) => {
        #[test]
        fn $test() {
            let $code = fixture_code($file);
            insta::assert_snapshot!(snap_name("fixture", &$file.replace(".yaml", "")), $code);
            $checks
        }
    };
}

fn has(code: &str, needle: &str) {
    assert!(code.contains(needle), "generated code lacks `{needle}`");
}

fn lacks(code: &str, needle: &str) {
    assert!(!code.contains(needle), "generated code has `{needle}`");
}

fixture_snapshot!(
    nested_arrays_and_maps,
    "flow/get_build_matrix.yaml",
    |code| {
        // array of objects holding arrays of objects holding arrays of arrays.
        has(&code, "pub stages: Option<Vec<GetBuildMatrixStages>>");
        has(&code, "pub steps: Option<Vec<GetBuildMatrixSteps>>");
        has(&code, "pub matrix: Option<Vec<Vec<String>>>");
        // two `jobs` objects: each is named by its whole path instead of colliding.
        has(
            &code,
            "pub jobs: Option<Vec<GetBuildMatrixResponseStagesJobs>>",
        );
        has(&code, "pub jobs: Option<Vec<GetBuildMatrixResponseJobs>>");
        lacks(&code, "GetBuildMatrixJobs");
        has(
            &code,
            "pub labels: Option<std::collections::BTreeMap<String, String>>",
        );
        has(
            &code,
            "pub env: Option<std::collections::BTreeMap<String, GetBuildMatrixEnv>>",
        );
        has(
            &code,
            "std::collections::BTreeMap<String, Vec<GetBuildMatrixStageStep>>,",
        );
        has(
            &code,
            "pub metadata: Option<std::collections::BTreeMap<String, serde_json::Value>>",
        );
        has(
            &code,
            "pub extra: Option<std::collections::BTreeMap<String, serde_json::Value>>",
        );
        has(&code, "pub raw: Option<serde_json::Value>");
    }
);

fixture_snapshot!(
    ten_level_deep_response,
    "projex/get_deep_tree.yaml",
    |code| {
        for level in 1..=10 {
            has(&code, &format!("pub struct GetDeepTreeL{level} "));
        }
        has(&code, "pub l10: Option<GetDeepTreeL10>");
        has(&code, "pub leaf: Option<String>");
    }
);

fixture_snapshot!(
    enums_keywords_numbers_locations_docs,
    "codeup/update_widget.yaml",
    |code| {
        // keyword wire names keep their wire name through serde or the request builder.
        // `match` and `type` exist in the request and the response: whole-path names.
        has(&code, "pub type_: Option<UpdateWidgetRequestType>,");
        has(&code, "pub type_: Option<UpdateWidgetResponseType>,");
        has(&code, "pub ref_: Option<String>,");
        has(&code, "pub self_: Option<bool>,");
        has(&code, "pub match_: Option<UpdateWidgetRequestMatch>,");
        has(&code, "req.query(\"type\", self.type_.as_ref());");
        has(&code, "req.query(\"ref\", self.ref_.as_ref());");
        has(&code, "req.body_field(\"self\", self.self_.as_ref())?;");
        has(&code, "req.require(\"match\", self.match_.as_ref())?;\n        req.body_field(\"match\", self.match_.as_ref())?;");
        has(
            &code,
            "#[serde(rename = \"type\", default, skip_serializing_if = \"Option::is_none\")]",
        );
        has(
            &code,
            "#[serde(rename = \"self\", default, skip_serializing_if = \"Option::is_none\")]",
        );
        // rust_name: `id` in the path and in the body.
        has(&code, "req.path_param(\"id\", self.id.as_ref())?;");
        has(&code, "req.body_field(\"id\", self.body_id.as_ref())?;");
        has(&code, "pub id: Option<i64>,");
        has(&code, "pub body_id: Option<String>,");
        // numbers.
        has(&code, "pub count: Option<i32>,");
        has(&code, "pub size: Option<i64>,");
        has(&code, "pub weight: Option<f64>,");
        has(&code, "pub ratio: Option<f32>,");
        has(&code, "pub score: Option<f64>,");
        // headers, required and optional.
        has(
            &code,
            "req.header(\"x-acs-trace\", self.x_acs_trace.as_ref())?;",
        );
        has(
            &code,
            "req.header(\"x-acs-extra\", self.x_acs_extra.as_ref())?;",
        );
        // nested request object with required fields: named setters, and the required ones
        // checked before sending (no positional constructor anywhere).
        has(
            &code,
            "pub fn pattern(mut self, value: impl Into<String>) -> Self",
        );
        has(
            &code,
            "if self.pattern.is_none() {\n            return Some(\"pattern\".to_string());",
        );
        has(
            &code,
            "impl crate::wire::Required for UpdateWidgetRequestMatch",
        );
        lacks(&code, "pub fn new(");
        // enums keep unknown values.
        has(&code, "\"in-progress\" => Self::InProgress,");
        has(&code, "\"2fa\" => Self::V2fa,");
        has(&code, "_ => Self::Unknown(value),");
        // docs: brackets and angle brackets escaped, URLs linked, the secret example hidden.
        has(&code, "/// 更新部件 \\[x\\] 的 &lt;T&gt; 配置");
        has(
            &code,
            "<https://help.aliyun.com/document_detail/460565.html>",
        );
        // The secret's example stays out of the docs (the mock-only `Example` impl may use it).
        let docs: String = code
            .lines()
            .filter(|l| l.trim_start().starts_with("///"))
            .collect();
        assert!(!docs.contains("secret-should-not-show"));
        // A URL followed by a full stop does not swallow it.
        has(&code, "<https://example.com/path?x=1>.");
        lacks(&code, "Vec<T>");
    }
);

fixture_snapshot!(
    page_pagination_with_fixed,
    "flow/list_pipeline_runs_paged.yaml",
    |code| {
        has(
            &code,
            "const STYLE: crate::PageStyle = crate::PageStyle::Page;",
        );
        has(&code, "self.order_by = Some(\"id\".to_string());");
        has(&code, "self.sort = Some(\"desc\".to_string());");
        has(
            &code,
            "self.page = Some(i32::try_from(page).unwrap_or(i32::MAX));",
        );
        has(
            &code,
            "pub fn stream(self) -> crate::Paginator<'a, ListPipelineRunsPagedRequest>",
        );
    }
);

fixture_snapshot!(
    cursor_pagination,
    "codeup/list_commits_cursor.yaml",
    |code| {
        has(
            &code,
            "const STYLE: crate::PageStyle = crate::PageStyle::Cursor;",
        );
        has(&code, "fn set_cursor(&mut self, cursor: String)");
        has(&code, "self.next_token = Some(cursor);");
        has(&code, "self.max_results.map(i64::from)");
        has(
            &code,
            "pub fn stream(self) -> crate::Paginator<'a, ListCommitsCursorRequest>",
        );
    }
);

fixture_snapshot!(
    bare_string_response_percent_literal_json_style,
    "testhub/get_file_raw.yaml",
    |code| {
        has(&code, "pub type GetFileRawResponse = String;");
        has(&code, "response_is_text: true");
        has(&code, "req.path_literal(\"%3Araw\");");
        has(
            &code,
            "path: \"/projects/{projectId}/files/{filePath}%3Araw\"",
        );
        has(
            &code,
            "req.query_json(\"filters\", self.filters.as_ref())?;",
        );
        has(
            &code,
            "req.query_json(\"options\", self.options.as_ref())?;",
        );
        has(
            &code,
            "req.header_json(\"context\", self.context.as_ref())?;",
        );
    }
);

fixture_snapshot!(
    bare_array_response,
    "insight/list_metric_names.yaml",
    |code| {
        has(
            &code,
            "pub type ListMetricNamesResponse = Vec<ListMetricNamesItem>;",
        );
        has(&code, "pub struct ListMetricNamesItem ");
        has(&code, "pub aliases: Option<Vec<String>>");
        has(&code, "response_is_text: false");
    }
);

fixture_snapshot!(form_body, "organization/add_member_form.yaml", |code| {
    has(&code, "body: crate::BodyEncoding::Form");
    has(&code, "req.body_field(\"userId\", self.user_id.as_ref())?;");
    has(
        &code,
        "req.body_field(\"roleLevel\", self.role_level.as_ref())?;",
    );
});

fixture_snapshot!(shared_shapes, "flow/list_builds.yaml", |code| {
    // items and the cursor are read through shapes.
    has(&code, "type Item = Build;");
    has(
        &code,
        "let cursor = response.page.as_ref().and_then(|v| v.next_token.as_ref()).cloned();",
    );
    // a string-enum shape as a query parameter.
    has(&code, "pub status: Option<BuildStatus>,");
    has(
        &code,
        "crate::ParamMeta::query(\"status\", crate::TypeWord::String)",
    );
    let rerun = fixture_code("codeup/rerun_build.yaml");
    // from another area, by path; required in the request, so a `new` argument.
    has(&rerun, "pub build: Option<crate::flow::Build>,");
    // a shape a response uses has every field optional, also in a request.
    has(
        &rerun,
        "pub fn build(mut self, value: crate::flow::Build) -> Self",
    );
    has(&rerun, "pub steps: Option<Vec<crate::flow::BuildStep>>,");
    has(&rerun, "pub result: Option<crate::flow::Build>,");
    let get = fixture_code("flow/get_build.yaml");
    has(&get, "pub type GetBuildResponse = BuildEnvelope;");
});

fixture_snapshot!(
    number_enums_and_times,
    "projex/list_visible_events.yaml",
    |code| {
        has(&code, "pub enum ListVisibleEventsVisibility {");
        has(&code, "#[serde(from = \"i32\", into = \"i32\")]");
        has(&code, "0 => Self::Private,");
        has(&code, "Unknown(i32),");
        has(&code, "#[serde(from = \"i64\", into = \"i64\")]");
        has(&code, "pub gmt_create: Option<crate::EpochMillis>,");
        has(&code, "pub created_at: Option<crate::DateTime>,");
        has(&code, "pub updated_at: Option<crate::LocalDateTime>,");
        has(
            &code,
            "pub fn since(mut self, value: impl Into<crate::EpochMillis>) -> Self",
        );
        has(
            &code,
            "pub fn visibility(mut self, value: ListVisibleEventsVisibility) -> Self",
        );
    }
);

fixture_snapshot!(waiters, "flow/get_deployment.yaml", |code| {
    // One reader per distinct path, shared by the waiters; fields through Option, arrays
    // flattened once per [], shapes followed, leaves read as text.
    has(&code, "fn get_deployment_values_0(\n    response: &GetDeploymentResponse,\n) -> Vec<std::borrow::Cow<'_, str>> {");
    has(
        &code,
        ".flat_map(|v| v.deployment.as_ref())\n        .flat_map(|v| v.state.as_ref())\n        .map(|v| std::borrow::Cow::Borrowed(v.as_str()))",
    );
    has(
        &code,
        ".flat_map(|v| v.hosts.as_ref())\n        .flatten()\n        .flat_map(|v| v.status.as_ref())",
    );
    has(
        &code,
        ".flat_map(|v| v.checks.as_ref())\n        .flatten()\n        .flatten()\n        .map(|v| std::borrow::Cow::Borrowed(v.as_str()))",
    );
    has(&code, ".flat_map(|v| v.healthy.as_ref())\n        .map(|v| std::borrow::Cow::Owned(v.to_string()))");
    has(
        &code,
        ".flat_map(|v| v.build.as_ref())\n        .flat_map(|v| v.status.as_ref())",
    );
    has(&code, ".flat_map(|v| v.type_.as_ref())");
    has(&code, "fn get_deployment_values_8(");
    lacks(&code, "get_deployment_values_9");
    // The definitions, as data.
    has(
        &code,
        "pub static DEPLOYMENT_DONE: crate::waiter::WaiterSpec<GetDeploymentRequest>",
    );
    has(&code, "std::time::Duration::from_secs(60),");
    // Defaults: 2 s, 120 s, 600 s.
    has(
        &code,
        "std::time::Duration::from_secs(120),\n    std::time::Duration::from_secs(600),",
    );
    has(&code, "crate::waiter::Acceptor::error(\n            crate::waiter::AcceptorState::Retry,\n            \"Deployment.Locked\",\n        )");
    has(
        &code,
        "crate::waiter::Comparator::AllEquals,\n            &[\"ok\"],",
    );
    has(
        &code,
        "crate::waiter::Comparator::NotEquals,\n            &[\"100\"],",
    );
    has(&code, "&[\"true\"],");
    // The methods, with what each acceptor means.
    has(&code, "impl<'a> GetDeploymentCall<'a> {");
    has(&code, "pub fn wait_until_deployment_done(self) -> crate::Waiter<'a, GetDeploymentRequest> {\n        crate::Waiter::new(self.client, self.request, &DEPLOYMENT_DONE)");
    has(&code, "pub fn wait_until_deployment_done(\n        &self,\n        request: GetDeploymentRequest,\n    ) -> crate::Waiter<'_, GetDeploymentRequest> {\n        crate::Waiter::new(self, request, &DEPLOYMENT_DONE)");
    has(&code, "pub fn wait_until_deployment_healthy(");
    has(&code, "/// 0. **success** when `deployment.state` is `DONE`: the wait returns the response. 部署完成");
    has(
        &code,
        "/// 2. **failure** when some `deployment.hosts[].status` is `FAILED` or `LOST`",
    );
    has(
        &code,
        "/// 3. **failure** when the call fails with error code `Deployment.NotFound`",
    );
    has(
        &code,
        "every `deployment.hosts[].checks[][]` is `ok` (and there is at least one)",
    );
    has(
        &code,
        "`deployment.phase` is present and is not `deploy` nor `verify`",
    );
    // A backtick in a value does not break the code span.
    has(&code, "`deployment.type` is `'odd'`");
    has(
        &code,
        "at once, then after 1 s, the delays doubling up to 10 s (with jitter), for at most 1 min",
    );
});

/// The shapes themselves: one file each, the nested object named after the shape, every
/// field optional because responses use them, and `Envelope` on a whole-response shape.
#[test]
fn shape_files() {
    let mut sources = fixture_shapes();
    for op in [
        "flow/list_builds.yaml",
        "flow/get_build.yaml",
        "codeup/rerun_build.yaml",
    ] {
        sources.push(fixture(op));
    }
    let files = generate_map(&sources);
    let build = &files["flow/shapes/build.rs"];
    insta::assert_snapshot!("fixture__flow__shapes__build", build);
    has(build, "pub struct Build {");
    has(build, "pub trigger: Option<BuildTrigger>,");
    has(build, "pub struct BuildTrigger {");
    lacks(build, "pub fn with_");
    // Used by operations of two areas: one line each, under its area's feature.
    has(build, "/// Used by:\n#[cfg_attr(\n    feature = \"codeup\",\n    doc = \" - [`Client::rerun_build`](crate::Client::rerun_build)\"\n)]\n#[cfg_attr(feature = \"flow\", doc = \" - [`Client::get_build`](crate::Client::get_build)\")]");
    // `required: true` in a shape that responses use documents the request side only.
    has(
        &files["flow/shapes/build_step.rs"],
        "pub name: Option<String>,",
    );
    has(
        &files["flow/shapes/build_status.rs"],
        "\"RUNNING\" => Self::Running,",
    );
    let envelope = &files["flow/shapes/build_envelope.rs"];
    has(envelope, "impl crate::Envelope for BuildEnvelope {");
    lacks(build, "impl crate::Envelope");
}

/// All fixtures together: the registry lists each once, sorted by area and action.
#[test]
fn all_fixtures_together() {
    let sources: Vec<Source> = yaml_files(&fixtures_dir().join("ok"))
        .iter()
        .map(|r| fixture(r))
        .collect();
    assert_eq!(sources.len(), 18);
    let files = generate_map(&sources);
    // One file per source, mod.rs and examples.json.
    assert_eq!(files.len(), sources.len() + 2);
    insta::assert_snapshot!("fixture__mod_rs", files["mod.rs"]);
}

// ---- the sixth endpoint --------------------------------------------------------------

#[test]
fn a_sixth_endpoint_adds_one_file_and_one_registry_entry() {
    let before = generate_map(&seed_sources());
    let mut sources = seed_sources();
    sources.push(source_from(
        &fixtures_dir().join("sixth"),
        "spec",
        "flow/list_flow_widgets.yaml",
    ));
    let after = generate_map(&sources);

    // Exactly one new file, and every other operation file is byte-identical.
    let added: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    let removed: Vec<&String> = before.keys().filter(|k| !after.contains_key(*k)).collect();
    assert_eq!(added, ["flow/list_flow_widgets.rs"]);
    assert!(removed.is_empty(), "removed: {removed:?}");
    for (name, code) in &before {
        if !matches!(name.as_str(), "mod.rs" | "examples.json") {
            assert_eq!(code, &after[name], "{name} changed");
        }
    }
    // examples.json gains the new operation's example and keeps the others.
    let examples =
        |files: &BTreeMap<String, String>| -> serde_json::Map<String, serde_json::Value> {
            serde_json::from_str(&files["examples.json"]).expect("examples.json is JSON")
        };
    let (old, mut new) = (examples(&before), examples(&after));
    assert!(new.remove("ListFlowWidgets").is_some());
    assert_eq!(old, new);

    // The new file has the Client method (and its stream).
    let new_file = &after["flow/list_flow_widgets.rs"];
    has(new_file, "impl crate::Client {");
    has(
        new_file,
        "pub fn list_flow_widgets(&self) -> ListFlowWidgetsCall<'_> {",
    );
    has(
        new_file,
        "pub async fn send(\n        self,\n    ) -> Result<ListFlowWidgetsResponse, crate::Error<ListFlowWidgetsErrorCode>>",
    );
    has(
        new_file,
        "pub fn stream(self) -> crate::Paginator<'a, ListFlowWidgetsRequest>",
    );
    insta::assert_snapshot!("sixth__flow__list_flow_widgets", new_file);

    // mod.rs only gains lines: the include!, the OPERATIONS entry and the MOCK_OPERATIONS
    // entry, each entry with its area's `#[cfg(feature = "flow")]` (the identical cfg lines
    // match the subsequence in the order shown).
    let old: Vec<&str> = before["mod.rs"].lines().collect();
    let new: Vec<&str> = after["mod.rs"].lines().collect();
    let gained = added_lines(&old, &new);
    assert_eq!(
        gained,
        [
            "    include!(concat!(env!(\"OUT_DIR\"), \"/flow/list_flow_widgets.rs\"));",
            "    <flow::ListFlowWidgetsRequest as crate::Operation>::META,",
            "    #[cfg(feature = \"flow\")]",
            "    crate::mock::MockOperation::paged::<flow::ListFlowWidgetsRequest>(),",
            "    #[cfg(feature = \"flow\")]",
        ],
        "mod.rs diff:\n{}",
        gained.join("\n")
    );
}

/// Lines of `new` not matched by `old`, where `old` must be a subsequence of `new` apart
/// from grouping punctuation (`(`/`),` lines rustfmt adds around a new tuple).
fn added_lines<'a>(old: &[&str], new: &[&'a str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut i = 0;
    for line in new {
        if i < old.len() && old[i] == *line {
            i += 1;
        } else {
            out.push(*line);
        }
    }
    assert_eq!(
        i,
        old.len(),
        "a line of the old mod.rs was edited or removed"
    );
    out.retain(|l| !matches!(l.trim(), "(" | ")," | ")"));
    out
}

/// A `\r` escape in spec text must not reach the generated file: rustc rejects a bare carriage
/// return in doc comments and raw strings.
#[test]
fn carriage_returns_never_reach_the_output() {
    let text = "action: GetWidget\n\
                summary: \"获取\\r部件\"\n\
                description: \"line one\\r\\nline two\\rline three\"\n\
                method: GET\n\
                path: /w\n\
                response:\n  type: object\n  fields:\n    - name: a\n      type: string\n      description: \"x\\ry\"\n      example: \"p\\rq\"\n\
                example_response: \"{\\\"a\\\":\\r \\\"x\\\"}\\r\\n\"\n";
    let files = generate_map(&[source("flow/get_widget.yaml", text)]);
    let code = &files["flow/get_widget.rs"];
    assert!(!code.contains('\r'), "{code}");
    has(code, "/// 获取\n    /// 部件");
    let examples = &files["examples.json"];
    assert!(!examples.contains('\r'), "{examples}");
    has(examples, "\"GetWidget\": {\n    \"a\": \"x\"\n  }");
}

// ---- the command line ------------------------------------------------------------------

/// The CLI's `cli/commands.rs` for every fixture under tests/fixtures/ok.
fn fixture_cli() -> String {
    let sources: Vec<Source> = yaml_files(&fixtures_dir().join("ok"))
        .iter()
        .map(|r| fixture(r))
        .collect();
    let files = match yunxiao_codegen::generate_cli(&sources) {
        Ok(files) => files,
        Err(e) => panic!("CLI generation failed:\n{e}"),
    };
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0, "cli/commands.rs");
    files[0].1.clone()
}

/// The generated code of one operation's command and request functions.
fn cli_op_code(code: &str, area: &str, command: &str, fn_name: &str) -> String {
    let start = code
        .find(&format!("/// `yunxiao {area} {command}`"))
        .unwrap_or_else(|| panic!("no command {command}"));
    let request = format!("fn {fn_name}_request(");
    let at = start + code[start..].find(&request).expect("its request fn");
    let end = at + code[at..].find("\n}\n").expect("the end of the request fn") + 3;
    code[start..end].to_string()
}

#[test]
fn every_fixture_has_a_command() {
    let code = fixture_cli();
    let sources = yaml_files(&fixtures_dir().join("ok"));
    let ops: Vec<&String> = sources.iter().filter(|r| !r.contains("/shapes/")).collect();
    for op in &ops {
        let (area, file) = op.split_once('/').unwrap();
        let fn_name = file.trim_end_matches(".yaml");
        assert!(
            code.contains(&format!("fn {fn_name}_command()")),
            "{area}/{fn_name} has no command"
        );
        assert!(code.contains(&format!("fn {fn_name}_request(")));
    }
    assert!(code.contains(&format!(
        "pub const OPERATION_COUNT: usize = {};",
        ops.len()
    )));
}

// A path and a body parameter both named `id`, a string enum, a header, a secret, a bool
// and an object: one flag each, the command's help from the spec.
#[test]
fn cli_command_of_update_widget() {
    let code = fixture_cli();
    let op = cli_op_code(&code, "codeup", "update-widget", "update_widget");
    insta::assert_snapshot!("cli_update_widget", op);
    has(&op, r#".long("id")"#);
    has(&op, r#".long("body-id")"#);
    has(&op, r#".long("match-json")"#);
    has(&op, "crate::args::secret(m, \"access-token\")?");
    lacks(&op, "secret-should-not-show");
}

// Parameters named like the runtime's flags get the location in front.
#[test]
fn cli_flags_avoid_the_global_flags() {
    let spec = "\
action: GetWidget
summary: 获取部件
method: GET
path: /widgets
parameters:
  - name: region
    in: query
    type: string
  - name: output
    in: query
    type: string
  - name: all
    in: query
    type: boolean
  - name: wait
    in: header
    type: long
  - name: dryRun
    in: query
    type: boolean
response:
  type: object
  fields:
    - name: requestId
      type: string
";
    let files = yunxiao_codegen::generate_cli(&[source("flow/get_widget.yaml", spec)]).unwrap();
    let longs: Vec<&str> = files[0]
        .1
        .lines()
        .filter_map(|l| l.trim().strip_prefix(".long(\""))
        .map(|l| l.trim_end_matches("\")"))
        .collect();
    insta::assert_snapshot!(longs.join("\n"), @r"
    query-region
    query-output
    query-all
    header-wait
    query-dry-run
    ");
}
