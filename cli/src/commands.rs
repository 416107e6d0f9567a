//! The generated commands: `OUT_DIR/cli/commands.rs`, made from `spec/` by `build.rs` with
//! the generator's CLI emitter (`codegen/src/emit/cli.rs`); the committed copy is
//! `generated/cli/commands.rs`. It has, per operation, `<op>_command()` (the clap command)
//! and `<op>_request()` (the request from the parsed flags), then [`area_command`] and
//! [`dispatch`].

// The requests are `#[non_exhaustive]`: built from `Default`, then field by field.
#![allow(clippy::field_reassign_with_default)]

include!(concat!(env!("OUT_DIR"), "/cli/commands.rs"));
