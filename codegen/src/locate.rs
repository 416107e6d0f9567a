//! Finds the line of a field path (`response.project.gmtCreate.type`) in a spec's YAML text.
//! serde_yaml gives no spans for values, so messages from the checks locate their field by
//! following the path's names down the file.

/// Keys of parameters and schema nodes, as they end field paths.
const SPEC_KEYS: &[&str] = &[
    "shape",
    "type",
    "items",
    "values",
    "fields",
    "enum",
    "type_name",
    "in",
    "secret",
    "style",
    "required",
    "rust_name",
    "name",
    "code",
    "status",
    "description",
    "example",
];

/// Best-effort line of a field path in the YAML text: follows the path's names down the
/// file (`name: x` or `x:` lines, `[i]` for the i-th item of a list), then finds the last key.
/// Each step searches only inside the node found by the step before, so a key missing there
/// is not found in a later sibling. serde_yaml gives no spans for values, so this is a search,
/// and `None` when it is unsure; a missing last step gives the line of its parent.
pub fn locate(text: &str, field: &str) -> Option<(usize, usize)> {
    fn indent(l: &str) -> usize {
        l.len() - l.trim_start().len()
    }
    /// Column where a line's content starts, after any `- ` sequence markers.
    fn content(l: &str) -> usize {
        let mut t = l.trim_start();
        while let Some(r) = t.strip_prefix('-') {
            if r.is_empty() || r.starts_with(' ') {
                t = r.trim_start();
            } else {
                break;
            }
        }
        l.len() - t.len()
    }
    fn blank(l: &str) -> bool {
        let t = l.trim();
        t.is_empty() || t.starts_with('#')
    }
    fn is_item(l: &str) -> bool {
        let t = l.trim_start();
        t == "-" || t.starts_with("- ")
    }
    // The node the search is in: lines past its column (or, below a key, list items at its
    // column) belong to it. `None` for the whole file.
    let in_scope = |scope: Option<(usize, bool)>, l: &str| match scope {
        None => true,
        Some((col, below_key)) => {
            blank(l) || indent(l) > col || (indent(l) == col && (!below_key || is_item(l)))
        }
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut pos = 0;
    let mut scope = None;
    // A list item found by `[i]`: its own line starts the node, left of the node's column.
    let mut head = None;
    let mut found = None;
    let segs: Vec<&str> = field.split('.').filter(|s| !s.is_empty()).collect();
    let count = segs.len();
    for (n, seg) in segs.into_iter().enumerate() {
        let (name, index) = match seg.split_once('[') {
            Some((base, rest)) => (base, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (seg, None),
        };
        // A segment names a parameter or field (`name: x`) or is a key (`x:`). Keys come
        // first for top-level keys, `items`/`values`, and a last segment that is a spec key.
        let prefer_key = n == 0
            || matches!(name, "items" | "values")
            || (n + 1 == count && SPEC_KEYS.contains(&name));
        // The least indented match in the node: a direct child before a deeper namesake.
        let find = |want_key: bool| {
            let mut best: Option<(usize, bool)> = None;
            for (i, l) in lines.iter().enumerate().skip(pos) {
                if head != Some(i) && !in_scope(scope, l) {
                    break;
                }
                let t = &l[content(l)..];
                // A `name:` line is never the key itself.
                let hit = match t.strip_prefix("name:") {
                    Some(v) => !want_key && v.trim().trim_matches(['"', '\'']) == name,
                    None => want_key && t.starts_with(&format!("{name}:")),
                };
                if hit && best.is_none_or(|(b, _)| content(l) < content(lines[b])) {
                    best = Some((i, want_key));
                }
            }
            best
        };
        let hit = find(prefer_key).or_else(|| find(!prefer_key));
        let Some((i, is_key)) = hit else { break };
        head = None;
        found = Some((i + 1, indent(lines[i]) + 1));
        pos = i + 1;
        scope = Some((content(lines[i]), is_key));
        if let Some(wanted) = index {
            // The wanted-th item of the list below this key.
            let mut item_indent = None;
            let mut seen = 0;
            let mut item = None;
            for (j, l) in lines.iter().enumerate().skip(pos) {
                if !in_scope(scope, l) {
                    break;
                }
                if blank(l) || !is_item(l) {
                    continue;
                }
                let d = *item_indent.get_or_insert(indent(l));
                if indent(l) == d {
                    if seen == wanted {
                        item = Some(j);
                        break;
                    }
                    seen += 1;
                }
            }
            let Some(j) = item else { break };
            found = Some((j + 1, indent(lines[j]) + 1));
            pos = j;
            head = Some(j);
            scope = Some((content(lines[j]), false));
        }
    }
    found
}
