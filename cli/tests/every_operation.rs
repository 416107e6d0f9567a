//! Every operation of the library has a command, and every required parameter is a
//! required flag: the command tree is walked against the library's operation metadata.

use heck::ToKebabCase;
use yunxiao::OPERATIONS;

#[test]
fn every_operation_has_a_command_with_its_required_flags() {
    let tree = yunxiao_cli::command_tree();
    assert_eq!(OPERATIONS.len(), 241);
    assert_eq!(yunxiao_cli::commands::OPERATION_COUNT, OPERATIONS.len());
    let mut found = 0;
    for meta in OPERATIONS {
        let area = tree
            .find_subcommand(meta.area)
            .unwrap_or_else(|| panic!("no area command `{}`", meta.area));
        let name = meta.action.to_kebab_case();
        let command = area.find_subcommand(&name).unwrap_or_else(|| {
            panic!(
                "no command `yunxiao {} {name}` for {}",
                meta.area, meta.action
            )
        });
        found += 1;
        for param in meta.params {
            // Each flag's long help ends with where it is sent.
            let sent = format!("{} parameter `{}`", param.location.as_str(), param.name);
            let arg = command
                .get_arguments()
                .find(|a| {
                    a.get_long_help()
                        .is_some_and(|h| h.to_string().contains(&sent))
                })
                .unwrap_or_else(|| panic!("{}: no flag for parameter {}", meta.action, param.name));
            assert_eq!(
                arg.is_required_set(),
                param.required,
                "{}: --{} required",
                meta.action,
                arg.get_long().unwrap_or_default()
            );
        }
        let flags = command
            .get_arguments()
            .filter(|a| {
                a.get_long_help()
                    .is_some_and(|h| h.to_string().contains("parameter `"))
            })
            .count();
        assert_eq!(
            flags,
            meta.params.len(),
            "{}: one flag per parameter",
            meta.action
        );
    }
    assert_eq!(found, 241);
    // Nothing else: the areas hold exactly the operations.
    let commands: usize = tree
        .get_subcommands()
        .filter(|c| !["mock", "completions"].contains(&c.get_name()))
        .map(|c| c.get_subcommands().count())
        .sum();
    assert_eq!(commands, OPERATIONS.len());
}

#[test]
fn the_command_tree_is_valid() {
    // clap's own consistency checks (duplicate flags, conflicting ids, ...).
    yunxiao_cli::command_tree().debug_assert();
}
