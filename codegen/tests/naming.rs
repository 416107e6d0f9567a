//! Type names follow from a type's position alone: reordering fields or parameters, or adding
//! an operation, renames nothing else; a new type that would take an existing name is refused.

mod common;

use std::collections::BTreeMap;

use common::*;
use yunxiao_codegen::model::TypeKey;
use yunxiao_codegen::{api, Source};

fn real_sources() -> Vec<Source> {
    yaml_files(&spec_dir())
        .iter()
        .map(|r| source_from(&spec_dir(), "spec", r))
        .collect()
}

fn names(sources: &[Source]) -> BTreeMap<TypeKey, String> {
    let api = match api(sources) {
        Ok(api) => api,
        Err(e) => panic!("specs rejected:\n{e}"),
    };
    api.types.into_iter().map(|(k, d)| (k, d.name)).collect()
}

/// Reverses every `parameters` and `fields` list, at any depth.
fn reverse_lists(value: &mut serde_yaml::Value) {
    match value {
        serde_yaml::Value::Mapping(map) => {
            for (key, child) in map.iter_mut() {
                if matches!(key.as_str(), Some("parameters" | "fields")) {
                    if let serde_yaml::Value::Sequence(items) = child {
                        items.reverse();
                    }
                }
                reverse_lists(child);
            }
        }
        serde_yaml::Value::Sequence(items) => items.iter_mut().for_each(reverse_lists),
        _ => {}
    }
}

#[test]
fn reordering_fields_and_parameters_renames_nothing() {
    let sources = real_sources();
    let before = names(&sources);
    let reordered: Vec<Source> = sources
        .iter()
        .map(|s| {
            let mut value: serde_yaml::Value = serde_yaml::from_str(&s.text).unwrap();
            reverse_lists(&mut value);
            Source {
                text: serde_yaml::to_string(&value).unwrap(),
                ..s.clone()
            }
        })
        .collect();
    assert_ne!(
        sources[0].text, reordered[0].text,
        "the reordering changed nothing"
    );
    assert!(before.len() > 100, "only {} named types", before.len());
    assert_eq!(before, names(&reordered));
}

#[test]
fn adding_an_operation_renames_nothing_else() {
    let mut sources = real_sources();
    let before = names(&sources);
    // A new operation whose response repeats field names used everywhere (`result`,
    // `author`, `commit`), on both sides.
    sources.push(source(
        "codeup/get_widget_report.yaml",
        "\
action: GetWidgetReport
summary: 部件报告
method: POST
path: /widgets/report
body: json
parameters:
  - name: result
    in: body
    type: object
    fields:
      - name: author
        type: object
        fields:
          - name: id
            type: long
response:
  type: object
  fields:
    - name: result
      type: object
      fields:
        - name: author
          type: object
          fields:
            - name: name
              type: string
        - name: commit
          type: object
          fields:
            - name: id
              type: string
",
    ));
    let after = names(&sources);
    for (key, name) in &before {
        assert_eq!(after.get(key), Some(name), "{key:?} was renamed");
    }
    let added: Vec<&String> = after
        .iter()
        .filter(|(k, _)| !before.contains_key(*k))
        .map(|(_, n)| n)
        .collect();
    assert_eq!(
        added,
        [
            "GetWidgetReportRequestResult",
            "GetWidgetReportRequestResultAuthor",
            "GetWidgetReportResponse",
            "GetWidgetReportResponseResult",
            "GetWidgetReportResponseResultAuthor",
            "GetWidgetReportCommit",
        ]
    );
}

#[test]
fn a_new_type_that_takes_an_existing_name_is_refused_not_renamed() {
    let mut sources = real_sources();
    // `GetProjectInfo` + `project` is taken by GetProjectInfo's own `project` object.
    sources.push(source(
        "projex/get_project.yaml",
        "\
action: GetProject
summary: 获取项目
method: GET
path: /projects/one
response:
  type: object
  fields:
    - name: infoProject
      type: object
      fields:
        - name: id
          type: string
",
    ));
    let err = api(&sources).expect_err("a clash is an error");
    let text = err.to_string();
    assert!(
        text.contains("type name 'GetProjectInfoProject' is also given to"),
        "{text}"
    );
    assert!(text.contains("set a type_name"), "{text}");
}
