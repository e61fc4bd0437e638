"""Hostile rule files (issue 15): the expression parser, the YAML loader and rule semantics.
Each case: exit 2, file:line, the limit's name where a limit is hit, no traceback, bounded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ipscore.spec.yamlfile import MAX_YAML_BYTES
from tests.hostile.conftest import assert_rejected, rule_copy, run_ipscore

DEMO = "ipscore/data/demo-patents-SYNTHETIC.csv"


def _with_criterion(when: str):
    def edit(data):
        data["versions"][0]["criteria"][0]["when"] = when

    return edit


@pytest.mark.parametrize(
    ("when", "limit"),
    [
        ("(" * 250 + "filing_date" + ")" * 250 + " == null", "expr-depth"),
        (" + ".join(["pledge_amount"] * 500) + " > 0", "expr-depth"),
        ("not " * 500 + "true", "expr-depth"),
        ("ipc in " + "[" * 165 + "]" * 165, "expr-depth"),
        ("pledge_amount in [" + ", ".join(["1"] * 250_000) + "]", "expr-length"),
    ],
    ids=["250-parens", "500-plus", "500-not", "165-lists", "1MB-list"],
)
def test_expression_limits(tmp_path, when, limit):
    rule = rule_copy(tmp_path, edit=_with_criterion(when))
    result = run_ipscore("rules", "check", str(rule))
    assert_rejected(result, file=rule, line=True, mentions=(limit,), within=10)


def test_expression_syntax_error_points_at_the_column(tmp_path):
    rule = rule_copy(tmp_path, edit=_with_criterion("pledge_amount >> 3"))
    assert_rejected(run_ipscore("rules", "check", str(rule)), file=rule, line=True)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_yaml_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["a: &a [" + ", ".join(['"lol"'] * 9) + "]"]
    for level in range(1, 10):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    bomb = _write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    result = run_ipscore("rules", "check", str(bomb))
    assert_rejected(result, file=bomb, line=True, mentions=("yaml-nodes",), within=10)


def test_yaml_nested_5000_deep(tmp_path):
    deep = _write(tmp_path, "deep.yaml", "x: " + "[" * 5000 + "]" * 5000 + "\n")
    result = run_ipscore("rules", "check", str(deep))
    assert_rejected(result, file=deep, line=True, mentions=("yaml-depth",), within=10)


def test_yaml_too_big_is_refused_before_parsing(tmp_path):
    padding = "# " + "x" * 98 + "\n"
    big = _write(tmp_path, "big.yaml", "id: big\n" + padding * (MAX_YAML_BYTES // 100 + 10))
    result = run_ipscore("rules", "check", str(big))
    assert_rejected(result, file=big, mentions=("yaml-bytes",), within=5)


def test_duplicate_key_names_both_lines(tmp_path):
    rule = rule_copy(tmp_path, text=lambda t: t.replace("\ntitle:", "\ntitle: twice\ntitle:", 1))
    result = run_ipscore("rules", "check", str(rule))
    assert_rejected(result, file=rule, line=True, mentions=("duplicate key 'title'", "first at"))


def test_impossible_date(tmp_path):
    rule = rule_copy(tmp_path, text=lambda t: t.replace("from: 2021-01-01", "from: 2021-02-30", 1))
    assert "2021-02-30" in rule.read_text("utf-8")
    result = run_ipscore("rules", "check", str(rule))
    assert_rejected(result, file=rule, line=True, mentions=("2021-02-30",))


def test_plan_unit_arithmetic_is_not_computed(tmp_path):
    rule = rule_copy(
        tmp_path,
        "plans/gd-14th-ip.yaml",
        text=lambda t: t.replace("unit: 万件", "unit: 10**10**10", 1),
    )
    result = run_ipscore("rules", "check", str(rule))
    assert_rejected(result, file=rule, line=True, mentions=("unit-complexity",), within=10)


def test_number_of_conditions_is_capped(tmp_path):
    def many(data):
        first = data["versions"][0]["criteria"][0]
        data["versions"][0]["criteria"] = [dict(first, id=f"c{i}") for i in range(70)]

    rule = rule_copy(tmp_path, edit=many)
    assert_rejected(
        run_ipscore("rules", "check", str(rule)),
        file=rule,
        line=True,
        mentions=("limit conditions",),
    )


def _table_file(text: str, new: str) -> str:
    """The rule text with its table's `file:` set to `new`."""
    changed = re.sub(r"(\n\s+file: )tables/\S+", lambda m: m.group(1) + new, text, count=1)
    assert changed != text
    return changed


@pytest.mark.parametrize(
    ("table", "words"),
    [
        (".", ("a folder",)),
        ("/dev/zero", ("outside the rule's folder", "--allow-table-path")),
        ("/etc/shadow", ("outside the rule's folder", "--allow-table-path")),
    ],
    ids=["directory", "dev-zero", "etc-shadow"],
)
def test_table_file_must_be_a_nearby_regular_file(tmp_path, table, words):
    rule = rule_copy(tmp_path, text=lambda t: _table_file(t, table))
    assert_rejected(run_ipscore("rules", "check", str(rule)), file=rule, line=True, mentions=words)
    classify = run_ipscore("classify", DEMO, "--rules", str(rule))
    assert_rejected(classify, file=rule, line=True, mentions=words)


def test_allowed_table_path_must_still_be_a_regular_file(tmp_path):
    rule = rule_copy(tmp_path, text=lambda t: _table_file(t, "/dev/zero"))
    result = run_ipscore("--allow-table-path", "/dev", "rules", "check", str(rule))
    assert_rejected(result, file=rule, line=True, mentions=("not a regular file",), within=10)


def test_allowed_table_path_is_accepted(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    rule = rule_copy(tmp_path)
    (rule.parent / "tables").rename(elsewhere)
    rule.write_text(rule.read_text("utf-8").replace("tables/", f"{elsewhere}/"), "utf-8")
    assert run_ipscore("rules", "check", str(rule)).code == 2
    assert run_ipscore("--allow-table-path", str(elsewhere), "rules", "check", str(rule)).code == 0


def test_example_outside_every_version(tmp_path):
    def early(data):
        data["examples"][0]["as_of"] = "1990-01-01"

    rule = rule_copy(tmp_path, edit=early)
    for command in ("check", "test"):
        result = run_ipscore("rules", command, str(rule))
        assert_rejected(result, file=rule, line=True, mentions=("no version in force",))


def test_index_qualify_syntax_error(tmp_path):
    rule = rule_copy(
        tmp_path, "indices/gd-strong-city.yaml", edit=lambda d: d.update(qualify="total >= ((")
    )
    assert_rejected(run_ipscore("score", str(rule)), file=rule, line=True, mentions=("qualify",))


def test_list_parameter_used_in_field(tmp_path):
    def listed(data):
        for version in data["versions"]:
            version["parameters"]["maintenance_start"]["value"] = ["filing_date", "grant_date"]

    rule = rule_copy(tmp_path, edit=listed)
    result = run_ipscore("classify", DEMO, "--rules", str(rule))
    assert_rejected(result, file=rule, line=True, mentions=("field($maintenance_start)",))
