#!/usr/bin/env python3
"""One-off import of the reference operation list into hand-readable spec files.

Reads /work/shared/reference/devops-2021-06-25.json (facts extracted from the official
SDKs) and writes one spec per operation to spec/<area>/<action_in_snake_case>.yaml, in the
format defined by spec/README.md. The YAML text is emitted by hand (no YAML library) so the
layout is fixed and reads as if written by a person.

    python3 tools/import_reference.py            # write the specs, print counts per area
    python3 tools/import_reference.py --check    # re-read the specs (needs PyYAML) and verify

spec/ is the source of truth and may be edited by hand, but every imported spec is still
exactly what this tool writes: a re-run writes nothing. Corrections that apply to imported
specs (body paging parameters, TYPE_OVERRIDES) are made here and the tool re-run, so that stays
true. Re-running it overwrites hand edits in the files it owns (see tools/README.md).

Python 3.11 standard library only for writing; --check needs PyYAML (and uses jsonschema
against spec/schema.json when it is installed).
"""

from __future__ import annotations

import argparse
import collections
import copy
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT / "spec"
REFERENCE = Path("/work/shared/reference/devops-2021-06-25.json")
REFERENCE_NAME = "reference/devops-2021-06-25.json"

# Transcribed by hand from the documentation pages by someone else: never written here.
SEEDS = {
    "GetPipelineArtifactUrl",
    "PassPipelineValidate",
    "RefusePipelineValidate",
    "GetProjectInfo",
    "UpdateGroup",
}

STANDARD_NOTE = (
    "Imported from the official SDKs' metadata (reference/devops-2021-06-25.json); "
    "example_response synthesized from field examples."
)

SCHEMA_LINE = "# yaml-language-server: $schema=../schema.json"

AREAS = ["flow", "codeup", "projex", "testhub", "appstack", "organization", "insight"]

# Examples that stand for "empty" rather than a value (spec/schema.json: leave them out).
QUOTE_PLACEHOLDERS = {'""', "”“", "“”", "''"}
NULL_PLACEHOLDERS = {"null"}

# Parameters that carry credentials (redacted from Debug output). nextToken is a cursor.
SECRET_PARAMS = {
    "accessToken": None,  # the standard personal access token: no note needed
    "clientSecret": "clientSecret is the OAuth application secret",
    "secretToken": "secretToken is the webhook's shared secret",
    "importToken": "importToken is the token used to read the repository being imported",
    "importTokenEncrypted": "importTokenEncrypted is the (encrypted) import token",
    "password": "password is the credential's password",
    "token": "token is the mirror source's access token",
    "code": "code is a one-time OAuth authorization code",
}

INT_RANGES = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
SCALAR_TYPES = {"string", "integer", "long", "float", "double", "number", "boolean"}


# --------------------------------------------------------------------------------------
# Names


def split_words(s: str) -> list[str]:
    """Word splitting of Rust's heck crate (used by `to_snake_case`)."""
    words: list[str] = []
    for chunk in re.split(r"[^0-9A-Za-z\u00c0-\U0010ffff]+", s):
        if not chunk:
            continue
        init, mode = 0, "boundary"
        for i, c in enumerate(chunk):
            if i + 1 >= len(chunk):
                break
            nxt = chunk[i + 1]
            next_mode = "lower" if c.islower() else "upper" if c.isupper() else mode
            if next_mode == "lower" and nxt.isupper():
                # word boundary after the current char: "aB" -> a | B
                words.append(chunk[init : i + 1])
                init, mode = i + 1, "boundary"
            elif mode == "upper" and c.isupper() and nxt.islower():
                # boundary before the current char: "VMDeploy" -> VM | Deploy
                if init < i:
                    words.append(chunk[init:i])
                init, mode = i, "boundary"
            else:
                mode = next_mode
        words.append(chunk[init:])
    return words


def snake(s: str) -> str:
    return "_".join(w.lower() for w in split_words(s))


ENGLISH_WORDS = {("O", "Auth"): "OAuth", ("Pk",): "PK"}


def summary_en(action: str) -> str:
    """A plain English line from the action name: ListPipelineRuns -> 'List pipeline runs.'"""
    words = split_words(action)
    out: list[str] = []
    i = 0
    while i < len(words):
        for key, repl in ENGLISH_WORDS.items():
            if tuple(words[i : i + len(key)]) == key:
                out.append(repl)
                i += len(key)
                break
        else:
            w = words[i]
            keep = (len(w) > 1 and w.isupper()) or any(ch.isdigit() for ch in w)
            out.append(w if keep or not out else w.lower())
            i += 1
    return " ".join(out) + "."


# --------------------------------------------------------------------------------------
# Areas


def area_of(op: dict) -> str:
    action, path = op["action"], op["path"]
    if path.startswith("/appstack"):
        return "appstack"
    if "/testhub/" in path:
        return "testhub"
    if action.startswith("Export") and "/data/" in path:
        return "insight"
    if path.startswith(("/repository/", "/api/", "/search/", "/login/oauth", "/groups/")):
        return "codeup"
    if path.startswith("/{repositoryId}/"):
        return "codeup"
    if path in ("/users/current", "/users/joinedOrgs", "/organizations/list", "/listUserDrawRecords"):
        return "organization"
    m = re.match(r"^/organizations?/\{organizationId\}/(.*)$", path)
    if m:
        rest = m.group(1)
        if rest.startswith(("members", "sshKey", "{resourceType}/")):
            return "organization"
        if rest.startswith(
            ("pipeline", "flow/", "hostGroups", "variableGroups", "service", "createServiceConnection")
        ) or rest.startswith("{pipelineId}/pipelineRelations"):
            return "flow"
        if rest.startswith(("project", "listProjects", "listWorkitems", "workitem", "sprints", "fields/")):
            return "projex"
    raise SystemExit(f"no area for {action} {path}")


AREA_NOTES = {
    "ListUserResources": "Placed in codeup: /api/v4/user/vision/user_resources lists a user's Codeup resources (repositories, groups).",
    "GetProjectMember": "Placed in codeup despite the name: it reads a member of a Codeup repository (/repository/{repositoryId}/members/get/{aliyunPk}).",
    "CreateProjectLabel": "Placed in codeup: in Codeup's /api/v4 paths a 'project' is a repository.",
    "ListProjectLabels": "Placed in codeup: in Codeup's /api/v4 paths a 'project' is a repository.",
    "UpdateProjectLabel": "Placed in codeup: in Codeup's /api/v4 paths a 'project' is a repository.",
    "DeleteProjectLabel": "Placed in codeup: in Codeup's /api/v4 paths a 'project' is a repository.",
    "GetCustomFieldOption": "Placed in projex: custom field options of Projex work items.",
    "CreateServiceConnection": "Placed in flow with the other service connections.",
    "UpdateProtectedBranches": (
        "path is verbatim from the SDKs (/{repositoryId}/protect_branches/{id}). The other "
        "protected-branch operations live under /repository/{repositoryId}/protect_branches, "
        "so this may be an SDK error; not changed."
    ),
}


# --------------------------------------------------------------------------------------
# Examples


def typed_example(node: dict) -> tuple[str, object]:
    """Classify a reference example for a node.

    Returns (kind, value): kind is 'none', 'placeholder', 'ok' (value typed for YAML) or
    'unfit' (the text is not a value of the node's type).
    """
    ex = node.get("example")
    if ex is None:
        return "none", None
    t = node["type"]
    if ex in QUOTE_PLACEHOLDERS or ex in NULL_PLACEHOLDERS:
        return "placeholder", ex
    if t == "string" or t == "any":
        return "ok", ex
    if t in INT_RANGES:
        if re.fullmatch(r"-?(0|[1-9][0-9]*)", ex):
            lo, hi = INT_RANGES[t]
            if lo <= int(ex) <= hi:
                return "ok", int(ex)
        return "unfit", ex
    if t in ("float", "double", "number"):
        if re.fullmatch(r"-?(0|[1-9][0-9]*)", ex):
            return "ok", int(ex)
        if re.fullmatch(r"-?(0|[1-9][0-9]*)\.[0-9]+", ex) and repr(float(ex)) == ex:
            return "ok", float(ex)
        return "unfit", ex
    if t == "boolean":
        if ex.lower() in ("true", "false"):
            return "ok", ex.lower() == "true"
        return "unfit", ex
    return "unfit", ex  # object / array / map examples are not values


def resolve_example(node: dict) -> tuple[str, object, str | None]:
    """(kind, example value, description) for a reference node.

    kind is one of 'none', 'ok', 'placeholder', 'unfit' (dropped), 'explained' (the example
    text explains the values: it becomes the description) and 'swapped' (the SDKs swap
    comment and example: the comment is the value, the example the description).
    """
    desc = node.get("comment")
    kind, value = typed_example(node)
    if kind != "unfit":
        return kind, value, desc
    text = node["example"]
    if desc is not None and is_prose(text):
        swap_kind, swap_value = typed_example({"type": node["type"], "example": desc})
        if swap_kind == "ok":
            return "swapped", swap_value, text
    if desc is None and is_prose(text):
        return "explained", None, text
    return "unfit", None, desc


def is_prose(text: str) -> bool:
    """An 'example' that explains the values instead of giving one."""
    return bool(re.search(r"[\u3000-\u9fff\uff00-\uffef]", text)) or "/" in text


class Judgements:
    """Collects per-operation judgements that become notes."""

    def __init__(self) -> None:
        self.placeholders: list[str] = []
        self.to_description: list[tuple[str, str]] = []
        self.swapped: list[tuple[str, str, str]] = []
        self.dropped: list[tuple[str, str, str]] = []
        self.bool_case: list[tuple[str, str]] = []
        self.notes: list[str] = []


def where(path: str, name: str | None) -> str:
    return f"{path}.{name}" if path and name else (name or path or "(root)")


# --------------------------------------------------------------------------------------
# Reference -> ordered spec structures


def convert_node(node: dict, path: str, j: Judgements, *, is_param: bool, is_field: bool) -> dict:
    out: dict = {}
    name = node.get("name")
    if is_field and name is not None:
        out["name"] = name
    if is_param:
        out["in"] = node["in"]
    out["type"] = node["type"]
    if "required" in node:
        out["required"] = node["required"]
    kind, value, desc = resolve_example(node)
    here = where(path, name)
    if kind == "ok":
        if node["type"] == "boolean" and node["example"] not in ("true", "false"):
            j.bool_case.append((here, node["example"]))
    elif kind == "placeholder":
        j.placeholders.append((here, node["example"]))
    elif kind == "swapped":
        j.swapped.append((here, node["comment"], node["example"]))
        kind = "ok"
    elif kind == "explained":
        j.to_description.append((here, node["example"]))
    elif kind == "unfit":
        j.dropped.append((here, node["type"], node["example"]))
    if desc is not None:
        out["description"] = desc
    if kind == "ok":
        out["example"] = value
    if "fields" in node:
        out["fields"] = [
            convert_node(f, here if path or name else "", j, is_param=False, is_field=True)
            for f in node["fields"]
        ]
    if "items" in node:
        out["items"] = convert_node(node["items"], here + "[]", j, is_param=False, is_field=False)
    if "values" in node:
        out["values"] = convert_node(node["values"], here + "{}", j, is_param=False, is_field=False)
    return out


def convert_param(p: dict, j: Judgements, rust_names: dict[str, str]) -> dict:
    out = convert_node(p, "", j, is_param=True, is_field=True)
    # Key order: name, in, type, required, description, example, secret, rust_name, style,
    # then the nested nodes.
    ordered: dict = {"name": out["name"], "in": out["in"], "type": out["type"]}
    ordered["required"] = out.get("required", False)
    for key in ("description", "example"):
        if key in out:
            ordered[key] = out[key]
    if p["name"] in SECRET_PARAMS:
        ordered["secret"] = True
        if SECRET_PARAMS[p["name"]]:
            j.notes.append(f"{p['name']} is marked secret: {SECRET_PARAMS[p['name']]}.")
    if p["name"] in rust_names:
        ordered["rust_name"] = rust_names[p["name"]]
    if p["type"] in ("array", "object", "map") and p["in"] in ("query", "header"):
        ordered["style"] = "json"
    for key in ("items", "fields", "values"):
        if key in out:
            ordered[key] = out[key]
    return ordered


def rust_name_overrides(op: dict, j: Judgements) -> dict[tuple[int, str], str]:
    """Give colliding body parameters a distinct Rust name (body_<name>)."""
    by_rust: dict[str, list[int]] = collections.defaultdict(list)
    for i, p in enumerate(op["params"]):
        by_rust[snake(p["name"])].append(i)
    overrides: dict[tuple[int, str], str] = {}
    for rust, idxs in by_rust.items():
        if len(idxs) < 2:
            continue
        for i in idxs:
            p = op["params"][i]
            if p["in"] == "body":
                overrides[(i, p["name"])] = f"body_{rust}"
                others = ", ".join(op["params"][k]["in"] for k in idxs if k != i)
                j.notes.append(
                    f"`{p['name']}` is sent both in the {others} and in the body; the body field "
                    f"is named body_{rust} in Rust (rust_name) so the two do not collide."
                )
    return overrides


# --------------------------------------------------------------------------------------
# Pagination


PAGINATION_STYLES = {
    "nextToken/maxResults": dict(style="cursor", cursor="nextToken", size="maxResults"),
    "nextToken/maxResult": dict(style="cursor", cursor="nextToken", size="maxResult"),
    "page/pageSize": dict(style="page", page="page", size="pageSize"),
    "page/perPage": dict(style="page", page="page", size="perPage"),
    "appstack-hybrid: pagination=keyset|page + nextToken + perPage[/page]": dict(
        style="cursor", cursor="nextToken", size="perPage", fixed={"pagination": "keyset"}
    ),
}


# Where a pagination cursor_param/page_param/size_param may be sent.
PAGING_PARAM_PLACES = ("query", "body")


def response_field(op: dict, dotted: str) -> dict | None:
    node = op["response"]
    for part in dotted.split("."):
        if node.get("type") != "object":
            return None
        node = next((f for f in node.get("fields", []) if f["name"] == part), None)
        if node is None:
            return None
    return node


def build_pagination(op: dict, j: Judgements) -> tuple[dict | None, str | None]:
    """Returns (pagination block, reason it was left out)."""
    label = op.get("pagination")
    if label is None:
        return None, None
    rule = PAGINATION_STYLES[label]
    params = {p["name"]: p for p in op["params"]}
    wanted = {"cursor": rule.get("cursor"), "page": rule.get("page"), "size": rule.get("size")}
    missing = [n for n in wanted.values() if n and n not in params]
    if missing:
        return None, f"Not marked paginated: parameter(s) {', '.join(missing)} missing."
    # The paginator sets query and body parameters alike (a few operations, the search and
    # Insight export ones, carry their paging parameters in the JSON body); never others.
    elsewhere = [n for n in wanted.values() if n and params[n]["in"] not in PAGING_PARAM_PLACES]
    if elsewhere:
        reason = (
            f"Not marked paginated: the SDKs list it as {label} paging, but "
            + ", ".join(elsewhere)
            + f" {'is' if len(elsewhere) == 1 else 'are'} sent in the {params[elsewhere[0]]['in']}, "
            "where the paginator cannot set it. Callers page by hand."
        )
        return None, reason

    top = op["response"]
    arrays = [f["name"] for f in top.get("fields", []) if f["type"] == "array"]
    if len(arrays) != 1:
        return None, f"Not marked paginated: no single item array in the response ({arrays})."
    items_field = arrays[0]

    block: dict = {"style": rule["style"]}
    if rule["style"] == "cursor":
        cursor = params[rule["cursor"]]
        field = response_field(op, "nextToken")
        if cursor["type"] != "string" or field is None or field["type"] != "string":
            return None, "Not marked paginated: no string nextToken in the request and response."
        block["cursor_param"] = rule["cursor"]
        block["cursor_field"] = "nextToken"
    else:
        page = params[rule["page"]]
        if page["type"] not in ("integer", "long"):
            return None, f"Not marked paginated: page parameter {rule['page']} is a {page['type']}."
        block["page_param"] = rule["page"]
    size = params[rule["size"]]
    if size["type"] in ("integer", "long"):
        block["size_param"] = rule["size"]
    else:
        j.notes.append(
            f"Pagination has no size_param: the page-size parameter {rule['size']} is typed "
            f"{size['type']} in the SDKs, not a number, so it is left for the caller to set."
        )
    block["items_field"] = items_field
    for total in ("totalCount", "total"):
        node = response_field(op, total)
        if node is not None and node["type"] in ("integer", "long"):
            block["total_field"] = total
            break
    keys = ("cursor_param", "page_param", "size_param")
    in_body = [block[k] for k in keys if k in block and params[block[k]]["in"] == "body"]
    if in_body:
        many = len(in_body) > 1
        moved = block.get("cursor_param") or block.get("page_param")
        what = "cursor" if rule["style"] == "cursor" else "page number"
        j.notes.append(
            f"The paging parameter{'s' if many else ''} {fmt_list(in_body)} {'are' if many else 'is'} "
            f"sent in the JSON body, not the query; the paginator sets the {what} ({moved}) in the body."
        )
    if "fixed" in rule:
        block["fixed"] = dict(rule["fixed"])
        j.notes.append(
            "The endpoint pages either by keyset (nextToken) or by page number (pagination=page). "
            "The paginator always asks for keyset paging (fixed pagination: keyset) and follows nextToken."
        )
    return block, None


# --------------------------------------------------------------------------------------
# example_response


def example_value(node: dict, *, top: bool = False):
    """Value for example_response, or the sentinel OMIT."""
    t = node["type"]
    if t == "object":
        obj = {}
        for f in node.get("fields", []):
            v = example_value(f)
            if top and f["name"] == "success" and f["type"] == "boolean":
                v = True
            if v is not OMIT:
                obj[f["name"]] = v
        return obj
    if t == "array":
        item = example_value(node["items"])
        return [] if item is OMIT else [item]
    if t == "map":
        return {}
    if t == "any":
        return OMIT
    kind, value, _ = resolve_example(node)
    if t == "string":
        if kind == "ok":
            return value
        if kind == "placeholder" and node["example"] in QUOTE_PLACEHOLDERS:
            return ""
        return OMIT
    if kind in ("ok", "swapped"):
        return value
    return OMIT


OMIT = object()


def example_response(op: dict, j: Judgements) -> str:
    resp = op["response"]
    if resp["type"] == "string":
        kind, value = typed_example(resp)
        value = value if kind == "ok" else ""
        j.notes.append(
            "The SDKs type the response as a bare JSON string and give no example; "
            'example_response is the empty string "".'
        )
        return json.dumps(value, ensure_ascii=False)
    value = example_value(resp, top=True)
    if resp["type"] == "object":
        success = next((f for f in resp.get("fields", []) if f["name"] == "success"), None)
        if success is not None and success["type"] == "boolean" and "example" not in success:
            j.notes.append("example_response sets success to true; the SDKs give no example for it.")
    if resp["type"] == "array":
        j.notes.append("The response is a bare JSON array, kept as the SDKs describe it.")
    text = json.dumps(value, ensure_ascii=False, indent=2)
    # characters YAML would treat as line breaks or reject: escape them inside the JSON
    return "".join(c if yaml_printable(c) and c not in "\x85\u2028\u2029" else f"\\u{ord(c):04x}" for c in text)


# --------------------------------------------------------------------------------------
# YAML text


def yaml_printable(c: str) -> bool:
    o = ord(c)
    return (
        c in "\t\n\r"
        or 0x20 <= o <= 0x7E
        or o == 0x85
        or 0xA0 <= o <= 0xD7FF
        or 0xE000 <= o <= 0xFFFD
        or 0x10000 <= o <= 0x10FFFF
    ) and c != "\ufeff"


RESERVED_PLAIN = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "="}


def plain_ok(s: str) -> bool:
    if not s or s != s.strip():
        return False
    if s.lower() in RESERVED_PLAIN:
        return False
    if s[0] in "-?:,[]{}#&*!|>'\"%@`=<~+." or s[0].isdigit():
        return False
    if ": " in s or " #" in s or s.endswith(":"):
        return False
    for c in s:
        if c in "\t\n\r\x85\u2028\u2029" or not yaml_printable(c):
            return False
    return True


def quote(s: str) -> str:
    needs_escape = any(not yaml_printable(c) or c in "\t\n\r\x85\u2028\u2029" for c in s)
    if not needs_escape and '"' in s and "'" not in s:
        return "'" + s + "'"
    out = []
    for c in s:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif c == "\r":
            out.append("\\r")
        elif not yaml_printable(c) or c in "\x85\u2028\u2029":
            out.append(f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        return v if plain_ok(v) else quote(v)
    raise TypeError(v)


def dump(value, indent: int) -> list[str]:
    """Block-style YAML lines for a dict (ordered) at the given indentation."""
    pad = " " * indent
    lines: list[str] = []
    for key, v in value.items():
        if isinstance(v, dict):
            if v:
                lines.append(f"{pad}{key}:")
                lines.extend(dump(v, indent + 2))
            else:
                lines.append(f"{pad}{key}: {{}}")
        elif isinstance(v, list):
            if not v:
                lines.append(f"{pad}{key}: []")
                continue
            lines.append(f"{pad}{key}:")
            for item in v:
                if isinstance(item, dict):
                    sub = dump(item, indent + 4)
                    sub[0] = f"{pad}  - " + sub[0][indent + 4 :]
                    lines.extend(sub)
                else:
                    lines.append(f"{pad}  - {scalar(item)}")
        else:
            lines.append(f"{pad}{key}: {scalar(v)}")
    return lines


def render(spec: dict) -> str:
    blocks: list[str] = [SCHEMA_LINE]
    first = True
    for key, v in spec.items():
        if key == "example_response":
            body = "\n".join(("  " + line) if line else "" for line in v.split("\n"))
            text = f"example_response: |\n{body}"
        else:
            text = "\n".join(dump({key: v}, 0))
        blocks.append(text if first else "\n" + text)
        first = False
    return "\n".join(blocks) + "\n"


# --------------------------------------------------------------------------------------
# One operation


# Documented corrections of the reference: where the SDKs' type is plainly wrong, the spec
# states another one. (action, node path as in the notes) -> (type, note). --check compares
# the specs with the reference after these corrections and wants the note in the spec.
TYPE_OVERRIDES = {
    ("ListGroupRepositories", "result[].namespaceId"): (
        "long",
        "result[].namespaceId is typed long, overriding the SDKs' boolean: their example is 100003, "
        "and namespaceId is a long in the other Codeup responses, so the service sends a number, "
        "which a boolean field would fail to parse.",
    ),
}


def find_node(root: dict, dotted: str) -> dict | None:
    """The node at a path such as `result[].namespaceId` (`[]` array items, `{}` map values)."""
    node: dict | None = root
    for seg in dotted.split("."):
        m = re.fullmatch(r"([^\[\]{}]+)((?:\[\]|\{\})*)", seg)
        if node is None or m is None:
            return None
        node = next((f for f in node.get("fields", []) if f["name"] == m.group(1)), None)
        for suffix in re.findall(r"\[\]|\{\}", m.group(2)):
            if node is None:
                return None
            node = node.get("items" if suffix == "[]" else "values")
    return node


def apply_overrides(op: dict) -> tuple[dict, list[str]]:
    """The reference operation with its TYPE_OVERRIDES applied, and their notes."""
    mine = [(path, t, note) for (action, path), (t, note) in TYPE_OVERRIDES.items() if action == op["action"]]
    if not mine:
        return op, []
    op = copy.deepcopy(op)
    notes = []
    for path, t, note in mine:
        node = find_node(op["response"], path)
        if node is None:
            raise SystemExit(f"TYPE_OVERRIDES: {op['action']} has no response node {path}")
        node["type"] = t
        notes.append(note)
    return op, notes


def article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def fmt_list(items: list[str]) -> str:
    return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]


def build_spec(op: dict) -> tuple[dict, dict]:
    j = Judgements()
    op, override_notes = apply_overrides(op)
    spec: dict = {
        "action": op["action"],
        "summary": op["summary"],
        "summary_en": summary_en(op["action"]),
        "method": op["method"],
        "path": op["path"],
    }
    if op["request_body"] != "none":
        spec["body"] = op["request_body"]
    overrides = rust_name_overrides(op, j)
    params = []
    for i, p in enumerate(op["params"]):
        names = {p["name"]: overrides[(i, p["name"])]} if (i, p["name"]) in overrides else {}
        params.append(convert_param(p, j, names))
    if params:
        spec["parameters"] = params
    pagination, why_not = build_pagination(op, j)
    if pagination:
        spec["pagination"] = pagination
    if why_not:
        j.notes.append(why_not)
    spec["response"] = convert_node(op["response"], "", j, is_param=False, is_field=False)
    spec["example_response"] = example_response(op, j)

    notes = [STANDARD_NOTE]
    if op["action"] in AREA_NOTES:
        notes.append(AREA_NOTES[op["action"]])
    notes.extend(override_notes)
    notes.extend(j.notes)
    if j.placeholders:
        forms = sorted({text for _, text in j.placeholders}, key=lambda t: (t == "null", t))
        quotes = [t for t in forms if t != "null"]
        tail = []
        if quotes:
            tail.append("example_response uses an empty string for " + fmt_list(quotes))
        if "null" in forms:
            tail.append("leaves the null ones out")
        notes.append(
            f"Examples that only mean 'empty' ({fmt_list(forms)}) are left out of the field examples "
            f"({fmt_list(sorted({h for h, _ in j.placeholders}))}); " + " and ".join(tail) + "."
        )
    for here, text in j.to_description:
        rest = "example_response uses true" if here == "success" else "it is left out of example_response"
        notes.append(
            f"The SDK example of {here} ({text!r}) explains the values rather than giving one; "
            f"it is kept as the description and {rest}."
        )
    for here, comment, text in j.swapped:
        notes.append(
            f"The SDKs swap the comment and the example of {here} ({comment!r} / {text!r}); "
            f"description is {text!r} and the example is {comment}."
        )
    for here, t, text in j.dropped:
        notes.append(
            f"The SDK example of {here} ({text!r}) is not {article(t)} {t} value; it is left out of the "
            "field example and of example_response."
        )
    for here, text in j.bool_case:
        notes.append(f"The SDK example of {here} is {text!r}; it is read as the boolean {text.lower()}.")
    spec["notes"] = notes
    meta = {"pagination": pagination, "skipped_pagination": why_not}
    return spec, meta


def load_reference() -> dict:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


def spec_path(op: dict) -> Path:
    return SPEC_DIR / area_of(op) / f"{snake(op['action'])}.yaml"


def write_all() -> int:
    ref = load_reference()
    counts: collections.Counter = collections.Counter()
    pages: collections.Counter = collections.Counter()
    skipped_pagination: list[str] = []
    written = unchanged = 0
    for op in ref["operations"]:
        if op["action"] in SEEDS:
            continue
        spec, meta = build_spec(op)
        text = render(spec)
        path = spec_path(op)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            unchanged += 1
        else:
            path.write_text(text, encoding="utf-8")
            written += 1
        counts[area_of(op)] += 1
        if meta["pagination"]:
            pages[op["pagination"]] += 1
        elif meta["skipped_pagination"]:
            skipped_pagination.append(op["action"])
    print(f"{written} spec files written, {unchanged} unchanged, {len(SEEDS)} seed operations skipped.\n")
    print_table("area", counts)
    print()
    print_table("paginated (reference style)", pages)
    if skipped_pagination:
        print(f"\nPagination left out ({len(skipped_pagination)}): {', '.join(skipped_pagination)}")
    return 0


def print_table(title: str, counter: collections.Counter) -> None:
    width = max([len(title)] + [len(k) for k in counter])
    print(f"{title:<{width}}  count")
    print(f"{'-' * width}  -----")
    keys = [a for a in AREAS if a in counter] + sorted(k for k in counter if k not in AREAS)
    for k in keys:
        print(f"{k:<{width}}  {counter[k]:>5}")
    print(f"{'total':<{width}}  {sum(counter.values()):>5}")


# --------------------------------------------------------------------------------------
# --check


class Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, action: str, msg: str) -> None:
        self.errors.append(f"{action}: {msg}")

    def expect(self, cond: bool, action: str, msg: str) -> None:
        if not cond:
            self.fail(action, msg)


def normalize_example(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def compare_node(c: Checker, action: str, where_: str, ref: dict, got: dict, *, is_param: bool) -> None:
    """The spec node states the same facts as the reference node."""
    if not isinstance(got, dict):
        c.fail(action, f"{where_}: not a mapping")
        return
    for key in ("name", "type", "required"):
        if key in ref:
            c.expect(got.get(key) == ref[key], action, f"{where_}: {key} {got.get(key)!r} != {ref[key]!r}")
    if is_param:
        c.expect(got.get("in") == ref["in"], action, f"{where_}: in {got.get('in')!r} != {ref['in']!r}")
    # description: the reference comment, or an explanatory example moved there
    # description: the reference comment; or the example text when it explains the values;
    # or, when the SDKs swap the two, the example text (and the comment is the example)
    swapped = (
        "comment" in ref
        and got.get("description") == ref.get("example")
        and "example" in got
        and normalize_example(got["example"]) == ref["comment"]
    )
    if "comment" in ref and not swapped:
        c.expect(got.get("description") == ref["comment"], action, f"{where_}: description differs from comment")
    elif "comment" not in ref and "description" in got:
        c.expect(got["description"] == ref.get("example"), action, f"{where_}: description has no source")
    # example: verbatim (typed), or left out for a documented reason
    if "example" in got:
        source = ref["comment"] if swapped else ref.get("example")
        want = source.lower() if ref["type"] == "boolean" and source else source
        c.expect(
            normalize_example(got["example"]) == want,
            action,
            f"{where_}: example {got['example']!r} != {source!r}",
        )
        t = ref["type"]
        ex = got["example"]
        ok = (
            (t in ("string", "any") and isinstance(ex, str))
            or (t in INT_RANGES and isinstance(ex, int) and not isinstance(ex, bool))
            or (t in ("float", "double", "number") and isinstance(ex, (int, float)) and not isinstance(ex, bool))
            or (t == "boolean" and isinstance(ex, bool))
        )
        c.expect(ok, action, f"{where_}: example {ex!r} is not a {t}")
    elif "example" in ref:
        ex = ref["example"]
        c.expect(
            ex in QUOTE_PLACEHOLDERS or ex in NULL_PLACEHOLDERS or typed_example(ref)[0] == "unfit",
            action,
            f"{where_}: example {ex!r} lost",
        )
    for key in ("fields", "items", "values"):
        c.expect((key in ref) == (key in got), action, f"{where_}: {key} present in only one side")
    if "fields" in ref and "fields" in got:
        c.expect(len(ref["fields"]) == len(got["fields"]), action, f"{where_}: field count differs")
        for rf, gf in zip(ref["fields"], got["fields"]):
            compare_node(c, action, f"{where_}.{rf['name']}", rf, gf, is_param=False)
    if "items" in ref and "items" in got:
        compare_node(c, action, f"{where_}[]", ref["items"], got["items"], is_param=False)
    if "values" in ref and "values" in got:
        compare_node(c, action, f"{where_}{{}}", ref["values"], got["values"], is_param=False)
    allowed = {"name", "type", "required", "description", "example", "fields", "items", "values"}
    if is_param:
        allowed |= {"in", "secret", "rust_name", "style"}
    extra = set(got) - allowed
    c.expect(not extra, action, f"{where_}: unexpected keys {sorted(extra)}")


def check_rust_names(c: Checker, action: str, where_: str, fields: list) -> None:
    seen: dict[str, str] = {}
    for f in fields:
        rust = f.get("rust_name") or snake(f["name"])
        c.expect(rust not in seen, action, f"{where_}: Rust name {rust} used by {seen.get(rust)} and {f['name']}")
        seen[rust] = f["name"]
    for f in fields:
        node = f
        while node.get("type") == "array":
            node = node["items"]
        if node.get("fields"):
            check_rust_names(c, action, f"{where_}.{f['name']}", node["fields"])


def check_example_value(c: Checker, action: str, where_: str, node: dict, value) -> None:
    t = node["type"]
    if t == "object":
        if not isinstance(value, dict):
            c.fail(action, f"example_response{where_}: not an object")
            return
        fields = {f["name"]: f for f in node.get("fields", [])}
        for k, v in value.items():
            if k not in fields:
                c.fail(action, f"example_response{where_}.{k}: not in the schema")
            else:
                check_example_value(c, action, f"{where_}.{k}", fields[k], v)
    elif t == "array":
        if not isinstance(value, list):
            c.fail(action, f"example_response{where_}: not an array")
            return
        for i, v in enumerate(value):
            check_example_value(c, action, f"{where_}[{i}]", node["items"], v)
    elif t == "map":
        if not isinstance(value, dict):
            c.fail(action, f"example_response{where_}: not a map")
            return
        for k, v in value.items():
            check_example_value(c, action, f"{where_}.{k}", node["values"], v)
    elif t == "string":
        c.expect(isinstance(value, str), action, f"example_response{where_}: not a string")
    elif t == "boolean":
        c.expect(isinstance(value, bool), action, f"example_response{where_}: not a boolean")
    elif t in INT_RANGES:
        lo, hi = INT_RANGES[t]
        c.expect(
            isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi,
            action,
            f"example_response{where_}: not a {t}",
        )
    elif t in ("float", "double", "number"):
        c.expect(
            isinstance(value, (int, float)) and not isinstance(value, bool),
            action,
            f"example_response{where_}: not a number",
        )


def check_pagination(c: Checker, action: str, spec: dict) -> None:
    pg = spec["pagination"]
    params = {p["name"]: p for p in spec.get("parameters", [])}

    def resp(dotted: str):
        node = spec["response"]
        for part in dotted.split("."):
            if node.get("type") != "object":
                return None
            node = next((f for f in node.get("fields", []) if f["name"] == part), None)
            if node is None:
                return None
        return node

    def paging_param(key: str, types: tuple[str, ...]) -> None:
        if key not in pg:
            return
        p = params.get(pg[key])
        c.expect(p is not None, action, f"pagination.{key} {pg[key]} is not a parameter")
        if p is not None:
            c.expect(
                p["in"] in PAGING_PARAM_PLACES,
                action,
                f"pagination.{key} {pg[key]} is a {p['in']} parameter, not a query or body one",
            )
            c.expect(p["type"] in types, action, f"pagination.{key} {pg[key]} is a {p['type']}")
            if p["in"] == "body":
                c.expect(spec.get("body") == "json", action, f"pagination.{key} {pg[key]} is in a non-JSON body")

    c.expect(pg["style"] in ("cursor", "page"), action, "pagination.style")
    if pg["style"] == "cursor":
        c.expect("cursor_param" in pg and "cursor_field" in pg and "page_param" not in pg, action, "cursor keys")
        paging_param("cursor_param", ("string",))
        node = resp(pg.get("cursor_field", ""))
        c.expect(node is not None and node["type"] == "string", action, "pagination.cursor_field")
    else:
        c.expect("page_param" in pg and "cursor_param" not in pg, action, "page keys")
        paging_param("page_param", ("integer", "long"))
    paging_param("size_param", ("integer", "long"))
    node = resp(pg["items_field"])
    c.expect(node is not None and node["type"] == "array", action, "pagination.items_field is not an array")
    if "total_field" in pg:
        node = resp(pg["total_field"])
        c.expect(node is not None and node["type"] in ("integer", "long"), action, "pagination.total_field")
    for k in pg.get("fixed", {}):
        p = params.get(k)
        c.expect(p is not None and p["in"] == "query", action, f"pagination.fixed.{k} is not a query parameter")


TOP_ORDER = [
    "action", "summary", "summary_en", "description", "method", "path", "body", "parameters",
    "pagination", "response", "errors", "example_response", "notes",
]


def check_all() -> int:
    try:
        import yaml  # noqa: PLC0415
    except ImportError:
        print("--check needs PyYAML: pip install pyyaml", file=sys.stderr)
        return 2
    try:
        import jsonschema  # noqa: PLC0415

        validator = jsonschema.Draft7Validator(json.loads((ROOT / "spec" / "schema.json").read_text()))
    except (ImportError, FileNotFoundError):
        validator = None

    ref = load_reference()
    c = Checker()
    counts: collections.Counter = collections.Counter()
    pages: collections.Counter = collections.Counter()
    expected_files = set()
    overridden = 0
    for op in ref["operations"]:
        action = op["action"]
        path = spec_path(op)
        expected_files.add(path)
        if action in SEEDS:
            continue
        # the reference's facts, after the documented corrections
        op, override_notes = apply_overrides(op)
        if not path.exists():
            c.fail(action, f"missing {path.relative_to(SPEC_DIR)}")
            continue
        text = path.read_text(encoding="utf-8")
        c.expect(text.startswith(SCHEMA_LINE + "\n"), action, "first line is not the schema comment")
        spec = yaml.safe_load(text)
        if validator is not None:
            for err in validator.iter_errors(spec):
                c.fail(action, f"schema.json: {err.message} at {list(err.absolute_path)}")
        c.expect(path.stem == snake(spec.get("action", "")), action, f"file name {path.name} != snake(action)")
        c.expect(list(spec) == [k for k in TOP_ORDER if k in spec], action, f"key order {list(spec)}")
        for key in ("action", "summary", "method", "path"):
            c.expect(spec.get(key) == op[key], action, f"{key} differs")
        c.expect(spec.get("body", "none") == op["request_body"], action, "body differs")

        # parameters
        got_params = spec.get("parameters", [])
        c.expect(len(got_params) == len(op["params"]), action, "parameter count differs")
        for rp, gp in zip(op["params"], got_params):
            compare_node(c, action, f"param {rp['name']}", rp, gp, is_param=True)
            want_secret = rp["name"] in SECRET_PARAMS
            c.expect(bool(gp.get("secret")) == want_secret, action, f"param {rp['name']}: secret flag")
            if gp.get("type") in ("array", "object", "map") and gp.get("in") in ("query", "header"):
                c.expect(gp.get("style") == "json", action, f"param {rp['name']}: needs style: json")
        holes = re.findall(r"\{([^}]+)\}", spec["path"])
        path_params = [p["name"] for p in got_params if p["in"] == "path"]
        c.expect(sorted(holes) == sorted(path_params), action, f"path holes {holes} != path params {path_params}")
        for p in got_params:
            if p["in"] == "path":
                c.expect(p.get("required") is True, action, f"path param {p['name']} not required")
        check_rust_names(c, action, "parameters", got_params)

        # response
        compare_node(c, action, "response", op["response"], spec["response"], is_param=False)
        if spec["response"].get("fields"):
            check_rust_names(c, action, "response", spec["response"]["fields"])
        try:
            example = json.loads(spec["example_response"])
        except (KeyError, json.JSONDecodeError) as e:
            c.fail(action, f"example_response is not JSON: {e}")
        else:
            check_example_value(c, action, "", spec["response"], example)
            if isinstance(example, dict) and any(
                f["name"] == "success" and f["type"] == "boolean" for f in spec["response"].get("fields", [])
            ):
                c.expect(example.get("success") is True, action, "example_response success is not true")

        # pagination
        if "pagination" in spec:
            check_pagination(c, action, spec)
            pg = spec["pagination"]
            where_ = {p["name"]: p["in"] for p in spec.get("parameters", [])}
            place = where_.get(pg.get("cursor_param") or pg.get("page_param"), "?")
            pages[f"{pg['style']} in {place} ({op['pagination']})"] += 1
        c.expect(
            ("pagination" in spec) <= ("pagination" in op), action, "pagination without a reference style"
        )
        if "pagination" in op and "pagination" not in spec:
            c.expect(
                any(n.startswith("Not marked paginated") for n in spec.get("notes", [])),
                action,
                "paginated in the reference, but no pagination block and no note saying why",
            )

        notes = spec.get("notes", [])
        c.expect(bool(notes) and notes[0] == STANDARD_NOTE, action, "first note is not the import note")
        for note in override_notes:
            c.expect(note in notes, action, "a TYPE_OVERRIDES correction has no note")
        overridden += len(override_notes)
        counts[path.parent.name] += 1

    stray = sorted(p for p in SPEC_DIR.glob("*/*.yaml") if p not in expected_files)

    print_table("area", counts)
    print()
    print_table("paginated", pages)
    print()
    if validator is None:
        print("(jsonschema not installed: spec/schema.json validation skipped)")
    for p in stray:
        print(f"note: {p.relative_to(SPEC_DIR)} is not in the reference (hand-written, not checked)")
    if c.errors:
        print(f"{len(c.errors)} problem(s):")
        for e in c.errors:
            print("  " + e)
        return 1
    print(f"OK: {sum(counts.values())} specs agree with {REFERENCE_NAME} ({overridden} documented type override(s)).")
    return 0


def main() -> int:
    global SPEC_DIR
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="verify the written specs instead of writing")
    parser.add_argument("--spec-dir", type=Path, default=SPEC_DIR, help="spec folder (default: spec/)")
    args = parser.parse_args()
    SPEC_DIR = args.spec_dir.resolve()
    return check_all() if args.check else write_all()


if __name__ == "__main__":
    sys.exit(main())
