//! Every rule of the spec format beyond what serde enforces, as located diagnostics. The
//! checks read the parsed specs only: they neither lower nor name anything, so lowering can
//! take a checked spec as given. Every problem in every file is reported, not just the first.

mod api;
mod node;
mod operation;
mod waiter;

use crate::error::Diagnostic;
use crate::load::Input;
use crate::locate::locate;
use crate::resolve::Shapes;

/// Checks every loaded file and the rules between files.
pub fn api(input: &Input) -> Vec<Diagnostic> {
    let shapes = Shapes::new(input);
    let mut diags = Vec::new();
    for shape in &input.shapes {
        let mut cx = Cx::new(&shape.file, &shape.text, &shapes, input);
        node::shape_file(&mut cx, shape);
        diags.append(&mut cx.diags);
    }
    for op in &input.operations {
        let mut cx = Cx::new(&op.file, &op.text, &shapes, input);
        operation::operation(&mut cx, op);
        waiter::waiters(&mut cx, &op.spec);
        diags.append(&mut cx.diags);
    }
    diags.extend(api::across_files(input, &shapes));
    diags.extend(waiter::across_files(input));
    diags
}

/// What the checks of one file share: where messages point, and the shapes.
pub(crate) struct Cx<'a> {
    file: &'a str,
    text: &'a str,
    shapes: &'a Shapes<'a>,
    input: &'a Input,
    diags: Vec<Diagnostic>,
}

impl<'a> Cx<'a> {
    fn new(file: &'a str, text: &'a str, shapes: &'a Shapes<'a>, input: &'a Input) -> Self {
        Self {
            file,
            text,
            shapes,
            input,
            diags: Vec::new(),
        }
    }

    /// A problem at `field` (a dotted path, located in the text).
    fn err(&mut self, field: &str, message: impl Into<String>) {
        self.err_at(field, field, message);
    }

    /// Like [`Cx::err`], but located through `locate_path` (e.g. `parameters[3]`), for
    /// problems where the field path alone is ambiguous (a name declared twice).
    fn err_at(&mut self, locate_path: &str, field: &str, message: impl Into<String>) {
        self.diags.push(Diagnostic {
            file: self.file.to_string(),
            location: locate(self.text, locate_path),
            field: field.to_string(),
            message: message.into(),
        });
    }

    /// Whether a shape of this name exists or only failed to parse (then it is reported
    /// in its own file).
    fn shape_known(&self, name: &str) -> bool {
        self.shapes.get(name).is_some()
            || self
                .input
                .broken_shapes
                .contains(&heck::ToSnakeCase::to_snake_case(name.trim()))
    }
}
