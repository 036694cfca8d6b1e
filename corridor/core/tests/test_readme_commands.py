"""The README's "Scripted use" commands work exactly as printed, after `make setup`.

Each command runs in a subprocess, from a directory laid out like a checkout (manage.py,
.venv, bench and the small input files the commands name), against a fresh var/ directory
prepared by the recipe lines of the Makefile's `setup` target: var/dev.env written, SQLite
migrated, the demo data loaded. The environment has no SECRET_KEY, DEBUG or DATABASE_URL:
what the commands need must come from var/dev.env, as on a developer's machine.

"""

import csv
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
PYTHON = ".venv/bin/python"
SHARED = REPO.parent / "shared"
# Leave out of the subprocess's environment: the commands must work without them.
CONFIGURATION = ("SECRET_KEY", "DEBUG", "DATABASE_URL", "CORRIDOR_ALLOW_INSECURE_KEY", "SITE_URL")


def readme() -> Path:
    return REPO / "README.md"


def section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no section “{title}” in the README"
    return match.group(1)


def scripted_commands() -> list[list[str]]:
    """The first ```sh block of "Scripted use", one argument list per line."""
    block = re.search(r"```sh\n(.*?)```", section(readme().read_text(), "Scripted use"), re.S)
    assert block, "no sh block in “Scripted use”"
    return [shlex.split(line, comments=True) for line in block.group(1).splitlines() if line]


def setup_recipe() -> list[str]:
    """The recipe lines of the Makefile's `setup` target, its variables filled in."""
    makefile = (REPO / "Makefile").read_text()
    recipe = re.search(r"^setup:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe, "no setup target in the Makefile"
    values = dict(re.findall(r"^(\w+) *[:?]?= *(.*)$", makefile, re.M))
    values.update({"HOST": "127.0.0.1", "PORT": "8018"})

    def expand(text: str) -> str:
        while "$(" in text:
            text = re.sub(r"\$\((\w+)\)", lambda m: values[m.group(1)], text)
        return text

    return [expand(line.strip()) for line in recipe.group(1).splitlines()]


def environment(var: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in CONFIGURATION}
    env["CORRIDOR_VAR_DIR"] = str(var)
    return env


def run(argv, cwd: Path, env: dict, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


# --- the inputs the commands name --------------------------------------------------------


def write_projects_xlsx(target: Path):
    from openpyxl import Workbook

    source = REPO / "corridor/portfolio/tests/data/projects_good.csv"
    book = Workbook()
    sheet = book.active
    with source.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    book.save(target)


def write_hs_files(directory: Path):
    """A slice of the HS nomenclature (chapters 16 and 87) with every section's name."""
    codes = directory / "harmonized-system.csv"
    sections = directory / "sections.csv"
    shared = SHARED / "data/harmonized-system"
    if (shared / "harmonized-system.csv").exists():
        lines = (shared / "harmonized-system.csv").read_text(encoding="utf-8-sig").splitlines()
        kept = [lines[0]] + [
            line for line in lines[1:] if re.match(r"^[IVX]+,(16|87)", line)
        ]  # fmt: skip
        codes.write_text("\n".join(kept) + "\n", encoding="utf-8")
        shutil.copy(shared / "sections.csv", sections)
        return
    codes.write_text(
        "section,hscode,description,parent,level\n"
        "IV,16,Meat preparations,TOTAL,2\n"
        "IV,1602,Prepared or preserved meat,16,4\n"
        "XVII,87,Vehicles,TOTAL,2\n"
        "XVII,8704,Motor vehicles for the transport of goods,87,4\n"
        "XVII,870460,Vehicles; with only electric motor for propulsion,8704,6\n",
        encoding="utf-8",
    )
    sections.write_text("section,name\nIV,Prepared foodstuffs\nXVII,Vehicles\n", encoding="utf-8")


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A working directory laid out like the repository, for relative paths to resolve:
    root/work holds links to manage.py, .venv, corridor and bench, and the input files; root/shared
    links to ../shared when the data is there."""
    root = tmp_path_factory.mktemp("checkout")
    work = root / "work"
    work.mkdir()
    for name in ("manage.py", ".venv", "corridor", "bench"):
        (work / name).symlink_to(REPO / name)
    if SHARED.exists():
        (root / "shared").symlink_to(SHARED)
    write_projects_xlsx(work / "projects.xlsx")
    shutil.copy(
        REPO / "corridor/portfolio/tests/iati_data/activities_201.xml", work / "activities.xml"
    )
    write_hs_files(work)
    return work


@pytest.fixture(scope="module")
def set_up(checkout) -> dict:
    """The environment after `make setup`: its recipe, run in the checkout."""
    var = checkout / "var"
    env = environment(var)
    for line in setup_recipe():
        result = run(["sh", "-c", line], checkout, env)
        assert result.returncode == 0, f"{line}\n{result.stderr[-2000:]}"
    assert (var / "dev.env").exists()
    return env


# --- the tests -----------------------------------------------------------------------------


def test_the_readme_prints_commands_that_use_the_virtualenv():
    commands = scripted_commands()

    assert len(commands) >= 10
    for argv in commands:
        assert argv[:2] == [PYTHON, "manage.py"], shlex.join(argv)
        assert not any(a.startswith("[") for a in argv), f"not runnable as printed: {argv}"


@pytest.fixture(scope="module")
def dev_env(tmp_path_factory, checkout) -> dict:
    """Only var/dev.env, as `make setup` writes it: enough for --help (no database)."""
    env = environment(tmp_path_factory.mktemp("var"))
    result = run([PYTHON, "-m", "corridor.devenv"], checkout, env)
    assert result.returncode == 0, result.stderr
    return env


@pytest.mark.parametrize("name", sorted({argv[2] for argv in scripted_commands()}))
def test_every_command_answers_help(dev_env, checkout, name):
    result = run([PYTHON, "manage.py", name, "--help"], checkout, dev_env)

    assert result.returncode == 0, result.stderr
    assert "usage: manage.py" in result.stdout


def shared_data_missing(argv, cwd: Path) -> bool:
    return any(a.startswith("../shared/") and not (cwd / a).exists() for a in argv)


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="the README's commands run on the embedded SQLite database; run once, in the SQLite run",
)
def test_every_command_runs_as_printed(set_up, checkout):
    failures = []
    for argv in scripted_commands():
        if shared_data_missing(argv, checkout):
            continue  # ../shared/data is not part of the repository
        if argv[2] == "b2b_solve":
            # As printed, but stop after 5 seconds instead of 60 (the answer is the same
            # shape; the time limit is the only change).
            argv = [
                *argv[: argv.index("--time-limit") + 1],
                "5",
                *argv[argv.index("--time-limit") + 2 :],
            ]
        result = run(argv, checkout, set_up)
        if result.returncode != 0:
            failures.append(f"{shlex.join(argv)}\n{result.stderr.strip()[-1500:]}")

    assert not failures, "\n\n".join(failures)
    assert (checkout / "out.xml").exists()  # iati_export wrote its file
