//! Malformed specs: each must fail with an exact, located message (snapshotted), and no
//! input may make the generator panic.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};

use common::*;
use yunxiao_codegen::{generate, Errors, Source};

/// Runs the generator, turning a panic into a test failure that names the input.
fn run(sources: &[Source]) -> Result<Vec<(String, String)>, Errors> {
    match catch_unwind(AssertUnwindSafe(|| generate(sources))) {
        Ok(result) => result,
        Err(_) => panic!(
            "the generator panicked on {:?}",
            sources.iter().map(|s| &s.display).collect::<Vec<_>>()
        ),
    }
}

/// The error display for sources that must be rejected.
fn rejected(sources: &[Source]) -> String {
    match run(sources) {
        Ok(_) => panic!("expected an error, generation succeeded"),
        Err(e) => {
            assert!(!e.0.is_empty());
            e.to_string()
        }
    }
}

/// A bad-spec test: `bad!(name, "area/file.yaml" => TEXT, ...)` snapshots the messages.
macro_rules! bad {
    ($test:ident, $($file:literal => $text:expr),+ $(,)?) => {
        #[test]
        fn $test() {
            let sources = vec![$(source($file, $text)),+];
            let message = rejected(&sources);
            insta::assert_snapshot!(stringify!($test), message);
        }
    };
}

/// A small valid spec the cases below are variations of.
const GOOD: &str = "\
action: GetWidget
summary: 获取部件
method: GET
path: /organization/{organizationId}/widgets/{widgetId}
parameters:
  - name: organizationId
    in: path
    type: string
    required: true
  - name: widgetId
    in: path
    type: long
    required: true
response:
  type: object
  fields:
    - name: requestId
      type: string
";

#[test]
fn the_base_spec_is_valid() {
    run(&[source("flow/get_widget.yaml", GOOD)]).expect("GOOD generates");
}

bad!(yaml_syntax_error, "flow/get_widget.yaml" => "\
action: GetWidget
summary: 获取部件
method: GET: POST
path: /widgets
response:
  type: object
");

bad!(yaml_unclosed_flow_sequence, "flow/get_widget.yaml" => "\
action: GetWidget
summary: 获取部件
method: GET
path: /widgets
parameters: [
  {name: a, in: query, type: string},
response:
  type: object
");

// Not a syntax error: the mis-indented `type:` folds into the value of `in:`.
bad!(mis_indented_key_folds_into_the_previous_value, "flow/get_widget.yaml" => "\
action: GetWidget
summary: 获取部件
method: GET
path: /widgets
parameters:
  - name: organizationId
    in: query
   type: string
response:
  type: object
");

bad!(unclosed_quote, "flow/get_widget.yaml" => "\
action: GetWidget
summary: \"获取部件
method: GET
path: /widgets
response:
  type: object
");

bad!(unknown_top_level_key_paramters, "flow/get_widget.yaml" => &GOOD.replace("parameters:", "paramters:"));

bad!(missing_action, "flow/get_widget.yaml" => &GOOD.replace("action: GetWidget\n", ""));

bad!(empty_file, "flow/get_widget.yaml" => "");

bad!(required_is_not_a_boolean, "flow/get_widget.yaml" => &GOOD.replacen("required: true", "required: yes", 1));

bad!(unknown_location, "flow/get_widget.yaml" => "\
action: GetWidget
summary: 获取部件
method: GET
path: /widgets
parameters:
  - name: session
    in: cookie
    type: string
response:
  type: object
");

bad!(missing_location, "flow/get_widget.yaml" => "\
action: GetWidget
summary: 获取部件
method: GET
path: /widgets
parameters:
  - name: session
    type: string
  - name: page
    in: query
    type: integer
response:
  type: object
");

bad!(path_placeholder_not_declared, "flow/get_widget.yaml" => &GOOD.replace("/widgets/{widgetId}", "/widgets/{widgetId}/parts/{partId}"));

bad!(path_param_missing_from_path, "flow/get_widget.yaml" => &GOOD.replace("/widgets/{widgetId}", "/widgets"));

bad!(optional_path_param, "flow/get_widget.yaml" => &GOOD.replacen("required: true", "required: false", 2).replacen("required: false", "required: true", 1));

bad!(duplicate_param, "flow/get_widget.yaml" => "\
action: GetWidget
summary: 获取部件
method: GET
path: /widgets
parameters:
  - name: page
    in: query
    type: integer
  - name: size
    in: query
    type: integer
  - name: page
    in: query
    type: long
response:
  type: object
");

bad!(rust_name_collision, "flow/get_widget.yaml" => "\
action: GetWidget
summary: 获取部件
method: POST
path: /widgets/{id}
body: json
parameters:
  - name: id
    in: path
    type: long
    required: true
  - name: id
    in: body
    type: string
response:
  type: object
");

bad!(rust_name_collision_by_case, "flow/get_widget.yaml" => "\
action: GetWidget
summary: 获取部件
method: GET
path: /widgets
parameters:
  - name: pageSize
    in: query
    type: integer
  - name: page_size
    in: query
    type: integer
response:
  type: object
  fields:
    - name: createdAt
      type: long
    - name: created_at
      type: long
");

bad!(duplicate_error_code, "flow/get_widget.yaml" => &format!("{GOOD}\
errors:
  - status: 400
    code: InvalidParam.ParamNotPresent
  - status: 403
    code: Forbidden.AccessDenied
  - status: 404
    code: InvalidParam.ParamNotPresent
"));

bad!(error_codes_with_the_same_variant, "flow/get_widget.yaml" => &format!("{GOOD}\
errors:
  - status: 400
    code: Invalid.Param
  - status: 999
    code: InvalidParam
"));

bad!(two_files_with_the_same_action,
    "flow/get_widget.yaml" => GOOD,
    "codeup/get_widget.yaml" => GOOD,
);

bad!(file_name_does_not_match_action, "flow/get_widgets.yaml" => GOOD);

bad!(action_not_pascal_case, "flow/get_widget.yaml" => &GOOD.replace("action: GetWidget", "action: get-widget"));

bad!(body_param_without_body, "flow/get_widget.yaml" => "\
action: GetWidget
summary: 获取部件
method: POST
path: /widgets
parameters:
  - name: name
    in: body
    type: string
response:
  type: object
");

bad!(unknown_body_encoding, "flow/get_widget.yaml" => &GOOD.replace("method: GET", "method: POST\nbody: xml"));

bad!(invalid_example_response_json, "flow/get_widget.yaml" => &format!("{GOOD}\
example_response: |
  {{\"requestId\": \"x\",}}
"));

bad!(bad_pagination_fields, "flow/get_widget.yaml" => "\
action: GetWidget
summary: 获取部件
method: GET
path: /widgets
parameters:
  - name: nextToken
    in: query
    type: long
  - name: maxResults
    in: query
    type: string
  - name: orderBy
    in: query
    type: string
    required: true
response:
  type: object
  fields:
    - name: items
      type: object
      fields:
        - name: id
          type: long
pagination:
  style: cursor
  cursor_param: nextToken
  cursor_field: meta.nextToken
  size_param: maxResults
  items_field: items
  total_field: total
  fixed:
    orderBy: id
");

bad!(unknown_pagination_style, "flow/get_widget.yaml" => &format!("{GOOD}\
pagination:
  style: offset
  items_field: requestId
"));

bad!(page_pagination_without_page_param, "flow/get_widget.yaml" => "\
action: GetWidget
summary: 获取部件
method: GET
path: /widgets
response:
  type: array
  items:
    type: string
pagination:
  style: page
  items_field: result
");

bad!(integer_enum_with_string_values, "flow/get_widget.yaml" => "\
action: GetWidget
summary: 获取部件
method: GET
path: /widgets
parameters:
  - name: level
    in: query
    type: integer
    enum:
      - value: '0'
      - value: '10'
response:
  type: object
");

bad!(enum_values_with_the_same_variant, "flow/get_widget.yaml" => "\
action: GetWidget
summary: 获取部件
method: GET
path: /widgets
response:
  type: object
  fields:
    - name: status
      type: string
      enum:
        - value: in-progress
        - value: IN_PROGRESS
        - value: Unknown
");

bad!(array_without_items, "flow/get_widget.yaml" => &GOOD.replace(
    "    - name: requestId\n      type: string\n",
    "    - name: tags\n      type: array\n",
));

bad!(misplaced_keys, "flow/get_widget.yaml" => "\
action: GetWidget
summary: 获取部件
method: GET
path: /widgets
parameters:
  - name: ids
    in: query
    type: array
    items:
      type: long
  - name: when
    in: query
    type: long
    style: json
response:
  type: object
  fields:
    - name: count
      type: integer
      fields:
        - name: x
          type: string
    - name: tags
      type: array
      items:
        name: tag
        type: string
    - name: status
      type: string
      shape: Status
      enum:
        - value: DONE
");

// Parameter-only keys are not keys of response nodes: serde rejects them and lists only
// the keys a response field takes.
bad!(parameter_key_on_a_response_field, "flow/get_widget.yaml" => "\
action: GetWidget
summary: 获取部件
method: GET
path: /widgets
response:
  type: object
  fields:
    - name: secretField
      type: string
      secret: true
");

bad!(file_outside_an_area_folder, "get_widget.yaml" => GOOD);

bad!(file_two_folders_deep, "flow/extra/get_widget.yaml" => GOOD);

bad!(area_folder_is_a_keyword, "match/get_widget.yaml" => GOOD);

bad!(bad_method, "flow/get_widget.yaml" => &GOOD.replace("method: GET", "method: FETCH"));

bad!(bad_path, "flow/get_widget.yaml" => "\
action: GetWidget
summary: 获取部件
method: GET
path: widgets/{id?x=1
response:
  type: object
");

bad!(path_param_of_object_type, "flow/get_widget.yaml" => "\
action: GetWidget
summary: 获取部件
method: GET
path: /widgets/{filter}
parameters:
  - name: filter
    in: path
    type: object
    required: true
    fields:
      - name: a
        type: string
response:
  type: object
");

bad!(errors_in_two_files_are_all_reported,
    "flow/get_widget.yaml" => &GOOD.replace("type: long", "type: lnog"),
    "projex/list_things.yaml" => &GOOD.replace("GetWidget", "ListThings").replace("method: GET", "method: GOT"),
);

/// The headline case: a typo in a nested response field of a real spec names the file, the
/// line and column, and the field path.
#[test]
fn unknown_type_lnog_in_a_nested_response_field() {
    let real = std::fs::read_to_string(spec_dir().join("projex/get_project_info.yaml")).unwrap();
    let needle = "- name: gmtCreate\n          type: long";
    assert!(real.contains(needle));
    let text = real.replace(needle, "- name: gmtCreate\n          type: lnog");
    let line = text.lines().position(|l| l.trim() == "type: lnog").unwrap() + 1;
    let message = rejected(&[source("projex/get_project_info.yaml", &text)]);
    assert_eq!(
        message,
        format!(
            "spec/projex/get_project_info.yaml:{line}:17: response.project.gmtCreate.type: \
             unknown type 'lnog' (expected one of string, integer, long, float, double, number, \
             boolean, object, array, map, any)"
        )
    );
    insta::assert_snapshot!(message);
}

/// The same problem through `generate_dir`: files are named after the folder read.
#[test]
fn generate_dir_reports_bad_files() {
    let dir = fixtures_dir().join("bad_dir");
    let err = match catch_unwind(|| yunxiao_codegen::generate_dir(&dir)) {
        Ok(Ok(_)) => panic!("expected an error"),
        Ok(Err(e)) => e,
        Err(_) => panic!("generate_dir panicked"),
    };
    insta::assert_snapshot!(err.to_string());
}

#[test]
fn generate_dir_on_a_missing_folder_is_an_error() {
    let dir = fixtures_dir().join("does_not_exist");
    let err = yunxiao_codegen::generate_dir(&dir).expect_err("missing folder");
    assert!(err.to_string().contains("cannot read"), "{err}");
}

// ---- property-style: mutated real specs never panic ------------------------------------

fn real_specs() -> Vec<Source> {
    let dir = spec_dir();
    yaml_files(&dir)
        .iter()
        .map(|r| source_from(&dir, "spec", r))
        .collect()
}

#[test]
fn every_real_spec_generates() {
    let specs = real_specs();
    assert!(specs.len() >= 229, "only {} specs", specs.len());
    run(&specs).unwrap_or_else(|e| panic!("spec/ does not generate:\n{e}"));
}

#[test]
fn truncated_specs_never_panic() {
    let mut runs = 0;
    let mut ok = 0;
    for spec in real_specs() {
        let mut cut = 97;
        while cut < spec.text.len() {
            let mut at = cut;
            while !spec.text.is_char_boundary(at) {
                at -= 1;
            }
            let mut s = spec.clone();
            s.text.truncate(at);
            if run(std::slice::from_ref(&s)).is_ok() {
                ok += 1;
            }
            runs += 1;
            cut += 97;
        }
    }
    assert!(runs > 1000, "only {runs} truncations");
    // Cutting inside `notes` or `example_response` can leave a valid spec, but most cuts
    // must be rejected.
    assert!(ok < runs / 2, "{ok} of {runs} truncations were accepted");
}

#[test]
fn misspelt_string_types_are_errors_with_a_location() {
    let specs = real_specs();
    let mut checked = 0;
    for spec in specs.iter() {
        let needle = "type: string";
        let hits: Vec<usize> = spec.text.match_indices(needle).map(|(i, _)| i).collect();
        // Every operation has a string somewhere; a shape may have none.
        assert!(!hits.is_empty() || spec.relative.contains("/shapes/"));
        for i in hits {
            let mut s = spec.clone();
            s.text.replace_range(i..i + needle.len(), "type: strnig");
            let line = s.text[..i].matches('\n').count() + 1;
            let err = match run(std::slice::from_ref(&s)) {
                Ok(_) => panic!("{}: strnig at line {line} accepted", s.display),
                Err(e) => e,
            };
            // Exactly one diagnostic names the typo (a pagination check of the same parameter
            // may follow it).
            let typo: Vec<_> = err
                .0
                .iter()
                .filter(|d| d.message.contains("strnig"))
                .collect();
            assert_eq!(typo.len(), 1, "{err}");
            let d = typo[0];
            assert!(d.message.starts_with("unknown type 'strnig'"), "{err}");
            // An enum shape names its own `type`; a field names `<path>.type`.
            assert!(d.field == "type" || d.field.ends_with(".type"), "{err}");
            assert_eq!(d.location.map(|l| l.0), Some(line), "{err}");
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} replacements");
}

#[test]
fn dropping_any_line_of_a_seed_never_panics() {
    for spec in seed_sources() {
        let lines: Vec<&str> = spec.text.lines().collect();
        for skip in 0..lines.len() {
            let mut s = spec.clone();
            s.text = lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, l)| *l)
                .collect::<Vec<_>>()
                .join("\n");
            let _ = run(std::slice::from_ref(&s));
        }
    }
}

#[test]
fn odd_values_in_seeds_never_panic() {
    let replacements = [
        ("type: string", "type: "),
        ("type: string", "type: object"),
        ("type: string", "type: array"),
        ("type: long", "type: map"),
        ("type: boolean", "type: any"),
        ("required: true", "required: false"),
        ("in: path", "in: query"),
        ("in: query", "in: header"),
        ("in: body", "in: path"),
        ("name: ", "name: self"),
        ("name: ", "name: \"\""),
        ("name: ", "name: 名称"),
        ("name: ", "name: 2fa"),
        ("name: ", "name: \"a b\""),
        ("name: ", "name: x²"),
        ("name: ", "name: ½"),
        ("name: ", "name: Ⅻ"),
        ("code: ", "code: Unknown"),
        ("code: ", "code: \"\""),
        ("action: ", "action: \"\""),
        ("path: /", "path: /{"),
        ("path: /", "path: /}/"),
        ("status: 4", "status: 9"),
        ("example: ", "example: [1, {a: b}]"),
    ];
    for spec in seed_sources() {
        for (from, to) in replacements {
            for (i, _) in spec.text.match_indices(from) {
                let mut s = spec.clone();
                s.text.replace_range(i..i + from.len(), to);
                let _ = run(std::slice::from_ref(&s));
            }
        }
    }
}

/// A response nested `depth` objects deep.
fn deep_spec(depth: usize) -> String {
    let mut text = String::from(
        "action: GetWidget\nsummary: s\nmethod: GET\npath: /w\nresponse:\n  type: object\n  fields:\n",
    );
    for level in 0..depth {
        let pad = " ".repeat(4 + level * 4);
        text.push_str(&format!(
            "{pad}- name: l{level}\n{pad}  type: object\n{pad}  fields:\n"
        ));
    }
    let pad = " ".repeat(4 + depth * 4);
    text.push_str(&format!("{pad}- name: leaf\n{pad}  type: string\n"));
    text
}

#[test]
fn deep_nesting_generates_or_fails_cleanly() {
    // 40 levels generate; serde_yaml's recursion limit stops absurd depths with an error
    // instead of a stack overflow (which catch_unwind could not catch).
    run(&[source("flow/get_widget.yaml", &deep_spec(40))]).expect("40 levels generate");
    let message = rejected(&[source("flow/get_widget.yaml", &deep_spec(300))]);
    assert!(message.contains("recursion limit"), "{message}");
}

bad!(non_identifier_characters_in_wire_names, "flow/get_widget.yaml" => "\
action: GetWidget
summary: 获取部件
method: GET
path: /widgets
parameters:
  - name: x²
    in: query
    type: string
  - name: ½
    in: query
    type: string
  - name: 名称
    in: query
    type: string
response:
  type: object
  fields:
    - name: area²
      type: long
");

// ---- shared shapes -----------------------------------------------------------------------

/// GOOD, with its response's `requestId` replaced by a field of shape `shape`.
fn using_shape(shape: &str) -> String {
    GOOD.replace(
        "    - name: requestId\n      type: string\n",
        &format!("    - name: owner\n      shape: {shape}\n"),
    )
}

const OWNER: &str = "\
shape: Owner
type: object
fields:
  - name: id
    type: long
";

bad!(unknown_shape, "flow/get_widget.yaml" => &using_shape("Ownr"), "flow/shapes/owner.yaml" => OWNER);

bad!(shape_file_named_after_another_shape,
    "flow/get_widget.yaml" => &using_shape("Owner"),
    "flow/shapes/user.yaml" => OWNER,
);

bad!(shape_that_is_not_an_object_or_enum, "flow/shapes/owner.yaml" => "\
shape: Owner
type: long
");

bad!(shape_with_keys_of_its_own, "flow/get_widget.yaml" => &using_shape("Owner").replace(
    "      shape: Owner\n",
    "      shape: Owner\n      fields:\n        - name: x\n          type: string\n",
), "flow/shapes/owner.yaml" => OWNER);

bad!(shapes_that_contain_each_other,
    "flow/shapes/owner.yaml" => "\
shape: Owner
type: object
fields:
  - name: team
    shape: Team
",
    "flow/shapes/team.yaml" => "\
shape: Team
type: object
fields:
  - name: owners
    type: array
    items:
      shape: Owner
",
);

bad!(two_areas_define_one_shape,
    "flow/shapes/owner.yaml" => OWNER,
    "codeup/shapes/owner.yaml" => OWNER,
);

bad!(inline_type_takes_a_shape_name,
    "flow/get_widget.yaml" => &using_shape("Owner").replace(
        "    - name: owner\n      shape: Owner\n",
        "    - name: owner\n      shape: Owner\n    - name: detail\n      type: object\n      type_name: Detail\n      fields:\n        - name: x\n          type: string\n",
    ),
    "flow/shapes/owner.yaml" => OWNER,
    "flow/shapes/get_widget_detail.yaml" => &OWNER.replace("Owner", "GetWidgetDetail"),
);

bad!(integer_enum_values_need_names_and_formats_their_types, "flow/get_widget.yaml" => "\
action: GetWidget
summary: 获取部件
method: GET
path: /widgets
parameters:
  - name: level
    in: query
    type: integer
    enum:
      - value: 0
        name: Private
      - value: 10
  - name: since
    in: query
    type: string
    format: epoch-millis
response:
  type: object
  fields:
    - name: createdAt
      type: long
      format: date-time
");

// ---- waiters ---------------------------------------------------------------------------

/// An operation with a response of every kind a waiter path meets, and a documented error.
const WATCHED: &str = "\
action: GetWidget
summary: 获取部件
method: GET
path: /widgets/{widgetId}
parameters:
  - name: widgetId
    in: path
    type: long
    required: true
response:
  type: object
  fields:
    - name: widget
      type: object
      fields:
        - name: status
          type: string
          enum:
            - value: READY
            - value: BROKEN
        - name: phase
          type: string
        - name: ratio
          type: double
        - name: count
          type: integer
        - name: live
          type: boolean
        - name: parts
          type: array
          items:
            type: object
            fields:
              - name: state
                type: string
        - name: tags
          type: array
          items:
            type: string
        - name: labels
          type: map
          values:
            type: string
        - name: extra
          type: any
errors:
  - status: 404
    code: Widget.NotFound
";

/// `WATCHED` with a `waiters:` block.
fn watched(waiters: &str) -> String {
    format!("{WATCHED}waiters:\n{waiters}")
}

#[test]
fn a_waiter_on_every_kind_of_path_generates() {
    let text = watched(
        "  - name: WidgetReady
    acceptors:
      - {state: success, path: widget.status, comparator: equals, expected: [READY]}
      - {state: success, path: widget.live, comparator: equals, expected: [true]}
      - {state: retry, path: widget.count, comparator: not_equals, expected: [3]}
      - {state: failure, path: \"widget.parts[].state\", comparator: any_equals, expected: [x]}
      - {state: failure, path: \"widget.tags[]\", comparator: all_equals, expected: [x, y]}
      - {state: retry, error: Widget.NotFound}
",
    );
    run(&[source("flow/get_widget.yaml", &text)]).expect("the waiter generates");
}

bad!(waiter_paths_that_do_not_resolve, "flow/get_widget.yaml" => &watched("  - name: WidgetReady
    acceptors:
      - state: success
        path: widget.statu
        comparator: equals
        expected: [READY]
      - state: failure
        path: widget.phase[]
        comparator: any_equals
        expected: [x]
      - state: failure
        path: widget.parts.state
        comparator: equals
        expected: [x]
      - state: failure
        path: widget
        comparator: equals
        expected: [x]
      - state: failure
        path: widget.ratio
        comparator: equals
        expected: [\"1\"]
      - state: failure
        path: widget.labels.a
        comparator: equals
        expected: [x]
      - state: failure
        path: widget.tags
        comparator: equals
        expected: [x]
      - state: failure
        path: widget..phase
        comparator: equals
        expected: [x]
      - state: failure
        path: widget.extra
        comparator: equals
        expected: [x]
"));

bad!(waiter_comparators_and_expected_values, "flow/get_widget.yaml" => &watched("  - name: WidgetReady
    acceptors:
      - state: success
        path: widget.status
        comparator: any_equals
        expected: [READY]
      - state: failure
        path: widget.parts[].state
        comparator: equals
        expected: [x]
      - state: failure
        path: widget.status
        expected: [BROKEN]
      - state: failure
        path: widget.phase
        comparator: equals
        expected: []
      - state: failure
        path: widget.status
        comparator: equals
        expected: [DONE]
      - state: failure
        path: widget.live
        comparator: equals
        expected: [\"yes\"]
      - state: failure
        path: widget.count
        comparator: equals
        expected: [many]
      - state: failure
        path: widget.phase
        comparator: equals
        expected: [1]
"));

bad!(waiter_error_acceptors, "flow/get_widget.yaml" => &watched("  - name: WidgetReady
    acceptors:
      - state: success
        path: widget.status
        comparator: equals
        expected: [READY]
      - state: success
        error: Widget.NotFound
      - state: failure
        error: Widget.Gone
      - state: failure
        path: widget.status
        error: Widget.NotFound
      - state: retry
      - state: retry
        error: Widget.NotFound
        comparator: equals
"));

bad!(waiter_names_delays_and_no_success, "flow/get_widget.yaml" => &watched("  - name: widget_ready
    acceptors:
      - {state: success, path: widget.status, comparator: equals, expected: [READY]}
  - name: WidgetBroken
    min_delay: 30
    max_delay: 10
    max_wait: 20
    acceptors:
      - {state: failure, path: widget.status, comparator: equals, expected: [BROKEN]}
      - {state: retry, path: widget.phase, comparator: equals, expected: [deploying]}
  - name: WidgetIdle
    min_delay: 0
    acceptors: []
"));

bad!(waiter_on_an_operation_that_is_not_idempotent, "flow/get_widget.yaml" => &watched("  - name: WidgetReady
    acceptors:
      - {state: success, path: widget.status, comparator: equals, expected: [READY]}
").replace("method: GET", "method: POST"));

bad!(waiter_method_collisions,
    "flow/get_widget.yaml" => &watched("  - name: WidgetReady
    acceptors:
      - {state: success, path: widget.status, comparator: equals, expected: [READY]}
  - name: WidgetGone
    acceptors:
      - {state: success, path: widget.status, comparator: equals, expected: [BROKEN]}
  - name: WidgetReady
    acceptors:
      - {state: success, path: widget.live, comparator: equals, expected: [true]}
  - name: GadgetReady
    acceptors:
      - {state: success, path: widget.live, comparator: equals, expected: [true]}
"),
    "codeup/get_gadget.yaml" => &watched("  - name: GadgetReady
    acceptors:
      - {state: success, path: widget.status, comparator: equals, expected: [READY]}
").replace("GetWidget", "GetGadget").replace("/widgets/", "/gadgets/"),
    "flow/wait_until_widget_gone.yaml" => &GOOD.replace("GetWidget", "WaitUntilWidgetGone").replace("/widgets/", "/gone/"),
);

bad!(waiter_unknown_words,
    "flow/get_widget.yaml" => &watched("  - name: WidgetReady
    acceptors:
      - {state: done, path: widget.status, comparator: equals, expected: [READY]}
"),
    "codeup/get_gadget.yaml" => &watched("  - name: GadgetReady
    acceptors:
      - state: success
        path: widget.status
        comparator: equal
        expected: [READY]
").replace("GetWidget", "GetGadget"),
);
