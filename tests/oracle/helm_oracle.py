"""Helm values oracle: applies terraform-provider-helm `set` entries and reads values YAML with Helm's own Go code.

Line server: one JSON request per stdin line, one JSON response per stdout line, until EOF.
  request:  {"set": [{"name", "value", "type": "auto"|"string"}...], "values_yaml": str}
  response: {"set_tree": {...}|null, "yaml_tree": {...}|null, "merged_tree": {...}|null, "error": str|null}
set_tree applies every entry in order into one map starting empty; merged_tree applies them into the
values_yaml tree, which is what terraform-provider-helm hands to Helm. Nothing is deleted at this stage:
`a=null` leaves the key with a null value (Helm drops null keys later, when it coalesces with chart values).

How it stays faithful (helm-python-sdk 0.2.2 = Helm v4.2.3 via libhelm_c):
The C library only exposes strvals.Parse / ParseString / ParseJSON into a FRESH map; there is no
ParseInto(s, dest). terraform-provider-helm runs ParseInto / ParseIntoString per entry on one map. The
three parsers share Helm's key/index code (map descent, setIndex, nil padding, type-conflict errors,
limits) and differ only in how a value after `=` is read. So, for each entry:
  1. split "NAME=VALUE" into assignments at the points where Helm's parser reads a value
     (`_assignments`, a mirror of Helm's runesUntil stop sets), names kept verbatim;
  2. get each value's typed leaf from Helm's own --set / --set-string parser (`k=<raw value>`);
  3. re-emit the entry as a --set-json expression with those leaves as JSON (ints as unique string
     tokens, so int64 never passes through float64), prefixed by the current map as top-level
     `key=<json>` assignments, and let Helm's ParseJSON rebuild the map and apply the entry;
  4. check that Helm's standalone typed parse of the entry equals the re-emitted one (else report the
     split as an oracle bug instead of guessing).
Known residue: a type-conflict error names `string` where the real conflicting value is an int64, and a
top-level key "" from the values YAML is carried over untouched.
"""

import json
import re
import sys

import helm_python as helm

_INT_TOKEN = "\x00helm-oracle-int:"


def _scan(text, i, stops):
    """Helm's runesUntil: return the index after the stop rune and that rune (None at EOF)."""
    while i < len(text):
        if text[i] in stops:
            return i + 1, text[i]
        i += 2 if text[i] == "\\" else 1
    return len(text), None


def _unescape(text):
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)


def _read_name(expr, i):
    """Read a name from i the way Helm's key() and listItem() do.

    Return (index after the `=` that starts a value, or None when Helm stops before one, steps) where
    steps are ("key" | "index", unescaped text, index after the step's closing rune).
    """
    steps, in_key = [], True
    while True:
        if in_key:
            j, c = _scan(expr, i, "=[,.")
            steps.append(("key", _unescape(expr[i : j - (c is not None)]), j))
            if c == "=":
                return j, steps
            if c not in (".", "["):
                return None, steps
            i, in_key = j, c == "."
        else:
            j, c = _scan(expr, i, "]")
            if c is None:
                return None, steps
            steps.append(("index", _unescape(expr[i : j - 1]), j))
            i, c = _scan(expr, j, "[.=")
            if c is None or i - 1 > j:
                return None, steps
            if c == "=":
                return i, steps
            in_key = c == "."


def _assignments(expr):
    """Split a strvals expression into the assignments Helm's parser reads.

    Each is (name_text, raw_value, steps, empty_at_eof); raw_value None means Helm stops inside the name
    (at the end, or with an error) and name_text is the rest of the expression.
    """
    pieces, i = [], 0
    while i < len(expr):
        start = i
        i, steps = _read_name(expr, i)
        if i is None:
            pieces.append((expr[start:], None, steps, False))
            return pieces
        if expr.startswith("{", i):
            j, c = i + 1, ","
            while c == ",":
                j, c = _scan(expr, j, ",}")
            raw = expr[i:j]
            j += expr.startswith(",", j)
        else:
            j, c = _scan(expr, i, ",")
            raw = expr[i : j - 1] if c else expr[i:]
        pieces.append((expr[start:i], raw, [(k, t, e - start) for k, t, e in steps], raw == "" and c is None))
        i = j
    return pieces


def _eof_name(name_text, steps, tree):
    """The --set-json name that reproduces an empty value at the very end of a typed expression, or None.

    There the typed parser's key() returns io.EOF after setting "", so on the way back up no "key map has
    no value" error is raised and each listItem() returns its list without storing the new element: the
    change survives only where it was made in place (`--set x[0].k=` on a missing x gives `x: []`), and a
    new map under an empty key is dropped. ParseJSON returns io.EOF at the same point when the name is cut
    before the first empty key or after the first index that leaves the existing tree; otherwise, or
    when the name has a syntax error for Helm to report, `name=""` is exact.
    """
    indexes = [t for k, t, _ in steps if k == "index"]
    depth = sum(a[0] == b[0] == "key" for a, b in zip(steps, steps[1:]))
    if steps[-1][0] != "key" or depth > 30:
        return None
    if not all(re.fullmatch(r"[+-]?[0-9]{1,18}", t) and int(t) >= 0 for t in indexes):
        return None
    node, start = tree, 0
    for n, (kind, text, end) in enumerate(steps):
        last = n == len(steps) - 1
        if kind == "key":
            if text == "" and (last or not isinstance(node, dict) or "" not in node):
                return name_text[:start]
            node = node.get(text) if isinstance(node, dict) else None
        elif not last:
            i = int(text)
            if not isinstance(node, list) or i >= len(node) or (steps[n + 1][0] == "index" and node[i] is None):
                return name_text[:end]
            node = node[i]
        start = end + (kind == "index")
    return None


def _tokenize_ints(value, ints):
    """Replace every int in a leaf with a unique string token (ParseJSON would make it a float64)."""
    if isinstance(value, list):
        return [_tokenize_ints(v, ints) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        ints.append(value)
        return f"{_INT_TOKEN}{len(ints) - 1}"
    return value


def _untokenize(tree, ints):
    """Put the int64 leaves back in place of their tokens."""
    if isinstance(tree, dict):
        return {k: _untokenize(v, ints) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_untokenize(v, ints) for v in tree]
    if isinstance(tree, str) and tree.startswith(_INT_TOKEN):
        return ints[int(tree[len(_INT_TOKEN) :])]
    return tree


def _escape_key(key):
    """Escape a map key for a strvals name."""
    return "".join("\\" + c if c in "\\=[,." else c for c in key)


def _as_json_expr(pieces, leaves, ints, tree):
    """Re-emit parsed assignments as a --set-json expression applied to tree."""
    parts = []
    for (name, raw, steps, empty_at_eof), leaf in zip(pieces, leaves):
        cut = _eof_name(name, steps, tree) if empty_at_eof else None
        if raw is None or cut is not None:
            parts.append(name if raw is None else cut)
        else:
            parts.append(name + json.dumps(_tokenize_ints(leaf, ints)))
    return ",".join(parts)


def _parse_json_into(tree, expr):
    """ParseJSON(expr) into a copy of tree: the tree is replayed as top-level key=<json> assignments."""
    prefix = [_escape_key(k) + "=" + json.dumps(v) for k, v in tree.items() if k != ""]
    result = helm.parse_set_json(",".join(prefix + ([expr] if expr else [])))
    if "" in tree:
        result.setdefault("", tree[""])
    return result


def _same(a, b):
    """Equal as JSON (so True != 1)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def apply_set(entries, tree):
    """Apply terraform-provider-helm set entries in order into tree (ParseInto / ParseIntoString)."""
    ints = []
    for entry in entries:
        kind = entry.get("type", "auto")
        if kind not in ("auto", "string"):
            raise ValueError(f"unsupported set type {kind!r}")
        parse = helm.parse_set_string if kind == "auto" else helm.parse_set_string_values
        expr = f"{entry['name']}={entry['value']}"
        pieces = _assignments(expr)
        leaves = []
        for _, raw, _, _ in pieces:
            if raw is None:
                leaves.append(None)
                continue
            try:
                leaves.append(parse("k=" + raw)["k"])
            except helm.HelmValuesError:
                # Helm applies the assignments before the bad value first: their error wins.
                _parse_json_into(tree, _as_json_expr(pieces[: len(leaves)], leaves, ints, tree))
                raise
        _check_split(expr, parse, _as_json_expr(pieces, leaves, ints, {}), ints)
        tree = _parse_json_into(tree, _as_json_expr(pieces, leaves, ints, tree))
    return _untokenize(tree, ints)


def _check_split(expr, parse, rewritten, ints):
    """Fail loudly if the re-emitted expression does not parse like the original one."""
    outcomes = []
    for run in (lambda: parse(expr), lambda: _untokenize(helm.parse_set_json(rewritten), ints)):
        try:
            outcomes.append(run())
        except helm.HelmValuesError:
            outcomes.append(helm.HelmValuesError)
    if not _same(*[o if o is not helm.HelmValuesError else "<error>" for o in outcomes]):
        raise RuntimeError(f"oracle bug: split of {expr!r} disagrees with Helm's parser")


def handle(request):
    """Answer one request."""
    errors = []

    def attempt(fn, *args):
        try:
            return fn(*args)
        except (helm.HelmValuesError, ValueError, RuntimeError) as e:
            errors.append(str(e))
            return None

    entries = request.get("set") or []
    set_tree = attempt(apply_set, entries, {})
    yaml_tree = attempt(helm.values_from_yaml, request.get("values_yaml") or "")
    merged = None if yaml_tree is None else attempt(apply_set, entries, yaml_tree)
    return {
        "set_tree": set_tree,
        "yaml_tree": yaml_tree,
        "merged_tree": merged,
        "error": "\n".join(dict.fromkeys(errors)) or None,
    }


def serve():
    """Line server loop."""
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            response = handle(json.loads(line))
        except Exception as e:  # noqa: BLE001 - the server must answer every line
            response = {"set_tree": None, "yaml_tree": None, "merged_tree": None, "error": f"bad request: {e!r}"}
        sys.stdout.write(json.dumps(response) + "\n")
        sys.stdout.flush()


def self_test():
    """Check known facts from the reference doc; return the number of failures."""
    def sets(*entries):
        return [{"name": n, "value": v, "type": t} for n, v, t in entries]

    cases = [
        (sets(("a", "123", "auto")), {}, "", {"a": 123}),
        (sets(("a", "123", "string")), {}, "", {"a": "123"}),
        (sets(("a", "0123", "auto")), {}, "", {"a": "0123"}),
        (sets(("a", "0", "auto"), ("b", "-7", "auto")), {}, "", {"a": 0, "b": -7}),
        (sets(("a", "TRUE", "auto"), ("b", "true", "string")), {}, "", {"a": True, "b": "true"}),
        (sets(("a", "1", "auto"), ("a", "null", "auto")), {}, "", {"a": None}),
        (sets(("a\\.b", "1", "auto")), {}, "", {"a.b": 1}),
        (sets(("a", "1,b=2", "auto")), {}, "", {"a": 1, "b": 2}),
        (sets(("a", "x\\,y", "auto")), {}, "", {"a": "x,y"}),
        (sets(("p", "{80,443}", "auto")), {}, "", {"p": [80, 443]}),
        (sets(("x", "{a,b,c}", "auto"), ("x[1]", "2", "auto")), {}, "", {"x": ["a", 2, "c"]}),
        (sets(("x[2]", "9", "auto")), {}, "", {"x": [None, None, 9]}),
        (sets(("big", "9007199254740993", "auto")), {}, "", {"big": 9007199254740993}),
        (
            sets(("q.maxConcurrentRuns", "5", "auto"), ("q.t[0].key", "dagster/backfill", "string"),
                 ("q.t[0].limit", "3", "auto"), ("q.t[1].value", "123", "string")),
            {}, "",
            {"q": {"maxConcurrentRuns": 5, "t": [{"key": "dagster/backfill", "limit": 3}, {"value": "123"}]}},
        ),
        (sets(("x[1].v", "2", "auto")), "yaml", "x: [{k: a, v: 1}, {k: b, v: 1}, {k: c}]\nn: 1e3\nk: 007\n",
         {"x": [{"k": "a", "v": 1}, {"k": "b", "v": 2}, {"k": "c"}], "false": 1000, "k": 7}),
    ]
    failures = 0
    for entries, start, values_yaml, want in cases:
        response = handle({"set": entries, "values_yaml": values_yaml})
        got = response["merged_tree"] if start == "yaml" else response["set_tree"]
        if not _same(got, want) or response["error"]:
            failures += 1
            print(f"FAIL {entries} {values_yaml!r}: got {got} error {response['error']}, want {want}", file=sys.stderr)
    for entries in (sets(("a", "1", "auto"), ("a.b", "2", "auto")), sets(("x[-1]", "1", "auto")),
                    sets(("p", "{1,2", "auto"))):
        if handle({"set": entries})["error"] is None:
            failures += 1
            print(f"FAIL {entries}: expected a Helm error", file=sys.stderr)
    print(f"helm_oracle self-test: {len(cases) + 3 - failures} passed, {failures} failed")
    return failures


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(1 if self_test() else 0)
    serve()
