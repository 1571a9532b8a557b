from __future__ import annotations

from pathlib import Path

import pytest

from leadsync.definitions import default_definitions_path, load_definitions
from leadsync.exceptions import ConfigError
from tests.conftest import REPO

MINIMAL = """
[stages.lead]
label = "Lead"
mode = "computed"
[stages.mql]
label = "MQL"
mode = "computed"
[[stages.mql.entry]]
min_score = 30
[stages.sql]
label = "SQL"
mode = "computed"
[[stages.sql.entry]]
triggers = ["demo_request"]
[stages.opportunity]
label = "Opportunity"
mode = "manual"
[stages.customer]
label = "Customer"
mode = "manual"
[stages.nurture]
label = "Nurture"
mode = "computed"
[stages.disqualified]
label = "Disqualified"
mode = "manual"
[fit_gate]
when = { field = "fit_score", op = ">=", value = 0 }
[owners]
fallback = "ops@example.com"
"""


def load(tmp_path: Path, text: str):
    path = tmp_path / "definitions.toml"
    path.write_text(text, encoding="utf-8")
    return load_definitions(path)


def problems(tmp_path: Path, text: str) -> dict[str, tuple[str, str]]:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    for problem in caught.value.problems:
        assert problem.file.endswith("definitions.toml")
        assert problem.hint, problem
    return {p.path: (p.message, p.hint) for p in caught.value.problems}


def test_the_shipped_default_is_the_documented_mappings_file() -> None:
    assert default_definitions_path().read_bytes() == (REPO / "mappings" / "definitions.toml").read_bytes()
    definitions = load_definitions()
    assert definitions.name == "default"
    assert len(definitions.version) == 12


def test_a_minimal_file_loads(tmp_path: Path) -> None:
    assert load(tmp_path, MINIMAL).funnel.stage_named(" sql ") is not None


def test_the_version_follows_the_content(tmp_path: Path) -> None:
    first = load(tmp_path, MINIMAL).version
    assert load(tmp_path, "name = 'b'\n" + MINIMAL).version != first
    assert load(tmp_path, MINIMAL).version == first


@pytest.mark.parametrize(
    ("edit", "path", "words"),
    [
        (("[fit_gate]", "[fit_gate]\nwhenn = 1"), "fit_gate.whenn", "unknown key"),
        (("[owners]", "[owners]\nkeep_existng = true"), "owners.keep_existng", "unknown key"),
        (
            ('triggers = ["demo_request"]', 'triggers = ["demo"]'),
            "stages.sql.entry.0.triggers.0",
            "Input should be",
        ),
        (("min_score = 30", 'min_score = "thirty"'), "stages.mql.entry.0.min_score", "valid integer"),
        (
            ("min_score = 30", "min_score = 30\nwithin_days = 1000000"),
            "stages.mql.entry.0.within_days",
            "less",
        ),
        (("min_score = 30", 'min_temperature = "tepid"'), "stages.mql.entry.0.min_temperature", "'warm'"),
        (('mode = "manual"', 'mode = "auto"'), "stages.opportunity.mode", "'computed'"),
        (("[stages.nurture]", "[stages.nurturing]"), "stages.nurturing", "Input should be"),
        (('fallback = "ops@example.com"', ""), "owners.fallback", "required key is missing"),
    ],
)
def test_shape_errors_name_the_key(tmp_path: Path, edit: tuple[str, str], path: str, words: str) -> None:
    found = problems(tmp_path, MINIMAL.replace(*edit, 1))
    assert path in found, found
    assert words in found[path][0]


def test_a_misspelt_key_gets_a_suggestion(tmp_path: Path) -> None:
    found = problems(tmp_path, MINIMAL.replace("[owners]", "[owners]\nasign_from = 'mql'"))
    assert "`assign_from`" in found["owners.asign_from"][1]


EXTRA = {
    "missing stage": (
        MINIMAL.replace('[stages.customer]\nlabel = "Customer"\nmode = "manual"\n', ""),
        "stages.customer",
        "not defined",
    ),
    "entry on manual": (
        MINIMAL + "[[stages.opportunity.entry]]\nmin_score = 90\n",
        "stages.opportunity.entry",
        "manual stage",
    ),
    "entry on lead": (
        MINIMAL + "[[stages.lead.entry]]\nmin_score = 1\n",
        "stages.lead.entry",
        "everyone starts",
    ),
    "entry on nurture": (
        MINIMAL + "[[stages.nurture.entry]]\nmin_score = 1\n",
        "stages.nurture.entry",
        "[recycle]",
    ),
    "unreachable": (
        MINIMAL.replace("[[stages.mql.entry]]\nmin_score = 30\n", ""),
        "stages.mql.entry",
        "no one can reach it",
    ),
    "manual lead": (
        MINIMAL.replace('label = "Lead"\nmode = "computed"', 'label = "Lead"\nmode = "manual"'),
        "stages.lead.mode",
        "must be computed",
    ),
    "no criterion": (MINIMAL.replace("min_score = 30", 'name = "x"'), "stages.mql.entry[0]", "at least one"),
    "unknown checklist": (
        MINIMAL.replace("min_score = 30", 'checklist = "spin"'),
        "stages.mql.entry[0].checklist",
        "unknown checklist",
    ),
    "too many checked": (
        MINIMAL.replace("min_score = 30", 'checklist = "bant"\nmin_checked = 5'),
        "stages.mql.entry[0].min_checked",
        "only 4 items",
    ),
    "checked without list": (
        MINIMAL.replace("min_score = 30", "min_score = 30\nmin_checked = 2"),
        "stages.mql.entry[0].min_checked",
        "needs a checklist",
    ),
    "duplicate alias": (
        MINIMAL.replace('label = "SQL"', 'label = "SQL"\naliases = ["mql"]'),
        "stages.sql.aliases[0]",
        "already names mql",
    ),
    "recycle manual": (MINIMAL + '[recycle]\nfrom = ["customer"]\n', "recycle.from[0]", "cannot recycle"),
    "unknown gate field": (
        MINIMAL.replace('field = "fit_score"', 'field = "fitscore"'),
        "fit_gate.when.field",
        "unknown field",
    ),
    "bad operator": (MINIMAL.replace('op = ">="', 'op = "=>"'), "fit_gate.when.op", "unknown operator"),
    "text in ordering": (
        MINIMAL.replace("value = 0 }", 'value = "high" }'),
        "fit_gate.when.value",
        "compares numbers",
    ),
    "bad regex": (
        MINIMAL.replace('op = ">=", value = 0', 'op = "matches", value = "(["'),
        "fit_gate.when.value",
        "regular expression",
    ),
    "empty group": (
        MINIMAL.replace('when = { field = "fit_score", op = ">=", value = 0 }', "when = { all = [] }"),
        "fit_gate.when.all",
        "non-empty list",
    ),
    "score in fit rule": (
        MINIMAL + '[[scoring.fit.rules]]\nname = "x"\npoints = 1\nwhen = { field = "score", '
        'op = ">", value = 1 }\n',
        "scoring.fit.rules[0].when.field",
        "unknown field",
    ),
    "hot below warm": (
        MINIMAL + "[temperature]\nwarm_from = 50\nhot_above = 40\n",
        "temperature.hot_above",
        "below warm_from",
    ),
    "band upside down": (
        MINIMAL + "[[scoring.fit.employees]]\nmin = 500\nmax = 100\npoints = 5\n",
        "scoring.fit.employees[0].max",
        "below min",
    ),
    "bad country": (
        MINIMAL + '[scoring.fit.countries]\npoints = 5\nvalues = ["France"]\n',
        "scoring.fit.countries.values[0]",
        "alpha-2",
    ),
    "late assignment": (
        MINIMAL.replace("[owners]", '[owners]\nassign_from = "opportunity"'),
        "owners.assign_from",
        "always ends with an owner",
    ),
    "bad fallback": (
        MINIMAL.replace("ops@example.com", "ops at example"),
        "owners.fallback",
        "invalid e-mail",
    ),
    "bad pool": (
        MINIMAL + '[[owners.territories]]\nname = "t"\npool = ["nope"]\n',
        "owners.territories[0].pool[0]",
        "invalid e-mail",
    ),
    "same territory": (
        MINIMAL + '[[owners.territories]]\nname = "t"\npool = ["a@example.com"]\n'
        '[[owners.territories]]\nname = "t"\npool = ["b@example.com"]\n',
        "owners.territories[1].name",
        "used twice",
    ),
    "built-in checklist": (MINIMAL + '[checklists]\nbant = ["a"]\n', "checklists.bant", "built-in"),
    "repeated items": (MINIMAL + '[checklists]\nmine = ["a", "a"]\n', "checklists.mine", "distinct items"),
    "empty title phrase": (
        MINIMAL + '[[job_levels]]\nlevel = "ceo"\ntitles = ["ceo", "*"]\n',
        "job_levels[0].titles[1]",
        "match every title",
    ),
    "computed disqualified": (
        MINIMAL.replace(
            'label = "Disqualified"\nmode = "manual"', 'label = "Disqualified"\nmode = "computed"'
        ),
        "stages.disqualified.mode",
        "never computed",
    ),
    "misspelt count": (
        MINIMAL.replace(
            'field = "fit_score", op = ">=", value = 0', 'field = "count.hard_bounces", op = "=", value = 0'
        ),
        "fit_gate.when.field",
        "unknown field",
    ),
    "nested list": (
        MINIMAL.replace('op = ">=", value = 0', 'op = "in", value = [["a"]]'),
        "fit_gate.when.value",
        "plain values",
    ),
}


@pytest.mark.parametrize("case", sorted(EXTRA))
def test_cross_checks_name_the_key_and_the_fix(tmp_path: Path, case: str) -> None:
    text, path, words = EXTRA[case]
    found = problems(tmp_path, text)
    assert path in found, found
    assert words in found[path][0]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace("ops@example.com", "ops at example")
        + "[temperature]\nwarm_from = 50\nhot_above = 40\n"
        + '[recycle]\nfrom = ["customer"]\n'
    )
    found = problems(tmp_path, text)
    assert {"owners.fallback", "temperature.hot_above", "recycle.from[0]"} <= set(found)


def test_unreadable_files_are_problems(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_definitions(tmp_path / "absent.toml")
    found = problems(tmp_path, "[stages\n")
    assert "not valid TOML" in found[""][0]
