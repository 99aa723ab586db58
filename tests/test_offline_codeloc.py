"""tree-sitter code locations: enclosing function/class of edits in Python, JavaScript and TypeScript."""

from skillforge.distill.offline.codeloc import diff_locations, enclosing, language_of, snippet_location

PY = "import os\n\nclass Parser:\n    def parse(self, text):\n        value = text.strip()\n        return value\n\ndef main():\n    pass\n"
JS = "const helper = () => {\n  return 1;\n};\n\nclass Widget {\n  render() {\n    return helper();\n  }\n}\n"


def test_python_enclosing_method_and_function() -> None:
    assert enclosing(PY, 4, "python") == "Parser.parse"
    assert enclosing(PY, 8, "python") == "main"
    assert enclosing(PY, 0, "python") == ""


def test_javascript_enclosing_method_and_arrow_function() -> None:
    assert enclosing(JS, 6, "javascript") == "Widget.render"
    assert enclosing(JS, 1, "javascript") == "helper"


def test_typescript_snippet_location() -> None:
    loc = snippet_location("src/k.ts", "export class Store {\n  get(): number { return 1; }\n}\n")
    assert (loc.language, loc.symbol) == ("typescript", "Store")


def test_diff_hunk_uses_header_context_and_inner_definition() -> None:
    diff = (
        "diff --git a/pkg/core.py b/pkg/core.py\n--- a/pkg/core.py\n+++ b/pkg/core.py\n"
        "@@ -70,4 +70,5 @@ class Table(Base):\n"
        "     def check(self):\n         a = 1\n-        return a\n+        return a + 1\n"
        "@@ -200,3 +201,3 @@ class Table(Base):\n"
        "         x = 1\n-        y = 2\n+        y = 3\n"
        "diff --git a/web/app.js b/web/app.js\n--- a/web/app.js\n+++ b/web/app.js\n"
        "@@ -1,4 +1,4 @@\n class Widget {\n   render() {\n-    return 1;\n+    return 2;\n   }\n"
    )
    locs = diff_locations(diff)
    assert [(x.file, x.symbol, x.line) for x in locs] == [
        ("pkg/core.py", "Table.check", 72),
        ("pkg/core.py", "Table", 202),
        ("web/app.js", "Widget.render", 3),
    ]


def test_languages_by_extension() -> None:
    assert [language_of(p) for p in ("a.py", "b.tsx", "c.sh", "d.md")] == ["python", "tsx", "bash", ""]


def test_codex_apply_patch_locations() -> None:
    from skillforge.distill.offline.codeloc import patch_locations

    patch = "*** Begin Patch\n*** Update File: src/app.py\n@@ class App:\n     def run(self):\n-        return 1\n+        return 2\n*** End Patch"
    assert [(x.file, x.symbol) for x in patch_locations(patch)] == [("src/app.py", "App.run")]
