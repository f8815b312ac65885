"""The shipped tables: regeneration, descriptor, loader and its errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from crm_course import data
from crm_course.world import DEFAULT_MEMBERS, DEFAULT_SEED, simulate
from crm_course.world.datapackage import write
from crm_course.world.schema import TABLES

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("data")
    write(simulate(n_members=DEFAULT_MEMBERS, seed=DEFAULT_SEED), out)
    return out


def test_regeneration_reproduces_shipped_files_byte_for_byte(regenerated):
    shipped = sorted(p.name for p in DATA.iterdir() if p.is_file())
    fresh = sorted(p.name for p in regenerated.iterdir())
    assert shipped == fresh
    for name in shipped:
        assert (DATA / name).read_bytes() == (regenerated / name).read_bytes(), f"data/{name} is stale: run make data"


def test_descriptor_lists_every_table_with_its_schema():
    desc = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in desc["resources"]] == list(TABLES)
    for res in desc["resources"]:
        header = (DATA / res["path"]).read_text(encoding="utf-8").split("\n", 1)[0].split(",")
        assert header == [f["name"] for f in res["schema"]["fields"]]
        assert res["schema"]["primaryKey"] == list(TABLES[res["name"]].primary_key)
        assert res["bytes"] == (DATA / res["path"]).stat().st_size


def test_tables_load_typed_with_keys_unique_and_foreign_keys_resolving():
    tables = data.load_all()
    assert data.foreign_key_problems(tables) == []
    tx = tables["transactions"]
    assert pd.api.types.is_datetime64_any_dtype(tx["order_date"])
    assert isinstance(tx["status"].dtype, pd.CategoricalDtype)
    assert tables["customers"]["age_band"].cat.ordered
    assert tables["agents"]["empowered"].dtype == bool
    # Declined orders earn nothing; pending ones have no decision date yet.
    declined = tx["status"] == "declined"
    assert (tx.loc[declined, ["commission", "cashback"]] == 0).all().all()
    assert tx.loc[tx["status"] == "pending", "decision_date"].isna().all()
    assert (tx["decision_date"].dropna() > tx.loc[tx["decision_date"].notna(), "order_date"]).all()
    # Nobody orders before joining.
    joined = tx.merge(tables["customers"][["customer_id", "signup_date"]], on="customer_id")
    assert (joined["order_date"] >= joined["signup_date"]).all()


def test_foreign_key_problems_reports_a_dangling_key():
    tables = data.load_all()
    tables["contacts"].loc[0, "agent_id"] = 10_000
    assert data.foreign_key_problems(tables) == ["contacts.agent_id: 1 value(s) not in agents.agent_id"]


def test_load_returns_a_fresh_copy():
    first = data.load("agents")
    first.loc[0, "engagement"] = -1.0
    assert data.load("agents").loc[0, "engagement"] >= 0


def test_load_works_from_another_working_directory(tmp_path):
    code = "from crm_course.data import load; print(len(load('key_accounts')))"
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert run.stdout.strip() == str(len(data.load("key_accounts")))


def test_unknown_table_names_the_choices():
    with pytest.raises(ValueError, match=r"name: expected one of customers, .*; found 'customer'"):
        data.load("customer")
    with pytest.raises(TypeError, match="name: expected a table name"):
        data.load(3)


@pytest.fixture()
def copy_of_data(tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest)
    return dest


def test_edited_file_fails_the_checksum(copy_of_data):
    path = copy_of_data / "agents.csv"
    path.write_text(path.read_text().replace("\n1,", "\n1 ,", 1))
    with pytest.raises(ValueError, match=r"agents \(agents.csv\): the file differs .*'make data'"):
        data.load("agents", folder=copy_of_data)


def test_damaged_values_name_the_column(copy_of_data):
    path = copy_of_data / "contacts.csv"
    lines = path.read_text().split("\n")
    fields = lines[1].split(",")
    fields[-1] = "7"  # a CSAT of 7 on a 1-5 scale
    lines[1] = ",".join(fields)
    path.write_text("\n".join(lines))
    with pytest.raises(ValueError, match=r"column 'csat' should be at most 5; found 7"):
        data.load("contacts", folder=copy_of_data, verify=False)
    fields[-1] = "good"
    lines[1] = ",".join(fields)
    path.write_text("\n".join(lines))
    with pytest.raises(ValueError, match=r"column 'csat' should hold numbers; found 'good'"):
        data.load("contacts", folder=copy_of_data, verify=False)


def test_unknown_label_and_missing_column_are_reported(copy_of_data):
    path = copy_of_data / "customers.csv"
    text = path.read_text()
    path.write_text(text.replace(",search,", ",billboard,", 1))
    with pytest.raises(ValueError, match=r"column 'channel' should hold one of .*; found 'billboard'"):
        data.load("customers", folder=copy_of_data, verify=False)
    lines = text.split("\n")
    path.write_text("\n".join(",".join(line.split(",")[:-1]) for line in lines))
    with pytest.raises(ValueError, match=r"expected columns \[.*'device'\]; found"):
        data.load("customers", folder=copy_of_data, verify=False)


def test_missing_file_and_folder_are_reported(copy_of_data, tmp_path):
    (copy_of_data / "merchants.csv").unlink()
    with pytest.raises(FileNotFoundError, match="merchants.csv is missing; run 'make data'"):
        data.load("merchants", folder=copy_of_data)
    with pytest.raises(FileNotFoundError, match="expected a folder with datapackage.json"):
        data.load("merchants", folder=tmp_path / "nowhere")


def test_data_readme_states_the_headline_figures():
    text = (DATA / "README.md").read_text(encoding="utf-8")
    from crm_course.world.datapackage import headline_figures

    h = headline_figures(simulate())
    assert f"{h['top20_revenue_share']:.1%}" in text
    assert 0.60 <= h["top20_revenue_share"] <= 0.75
    for table in TABLES.values():
        for f in table.fields:
            assert f"`{f.name}`" in text


# -- which world load() reads, and worlds that keep their secrets ----------------------------------


@pytest.fixture(scope="module")
def small_private_world(tmp_path_factory):
    out = tmp_path_factory.mktemp("private")
    world = simulate(n_members=2_000, seed=987_654_321)
    write(world, out, private=True)
    return out, world


def test_kopilka_data_and_kopilka_toml_choose_the_active_world(small_private_world, tmp_path, monkeypatch):
    folder, world = small_private_world
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    kit = tmp_path / "kit"
    (kit / "notebooks").mkdir(parents=True)
    monkeypatch.chdir(kit / "notebooks")
    assert data.active_data_dir() == data.data_dir()  # nothing names another world: the shipped one
    (kit / "kopilka.toml").write_text(f'data = "{folder.as_posix()}"\n', encoding="utf-8")
    assert data.active_data_dir() == folder.resolve()
    assert len(data.load("customers")) == world.n_members != len(data.load("customers", folder=data.data_dir()))
    # The environment variable wins over the file (the grader sets it).
    monkeypatch.setenv(data.DATA_ENV, str(data.data_dir()))
    assert len(data.load("customers")) == DEFAULT_MEMBERS


def test_a_relative_kopilka_toml_and_bad_settings_are_reported(small_private_world, tmp_path, monkeypatch):
    folder, _ = small_private_world
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    shutil.copytree(folder, tmp_path / "data")
    (tmp_path / "kopilka.toml").write_text('data = "data"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert data.active_data_dir() == (tmp_path / "data").resolve()
    (tmp_path / "kopilka.toml").write_text("data = \n", encoding="utf-8")
    with pytest.raises(ValueError, match="kopilka.toml is damaged"):
        data.load("customers")
    (tmp_path / "kopilka.toml").write_text('folder = "data"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r'expected a line such as data = "data"; found None'):
        data.load("customers")
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match=r"\$KOPILKA_DATA: expected a folder with datapackage.json"):
        data.load("customers")


def test_a_private_world_names_neither_its_seed_nor_its_planted_effects(small_private_world):
    folder, world = small_private_world
    descriptor = (folder / "datapackage.json").read_text(encoding="utf-8")
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "generator" not in json.loads(descriptor)
    for text in (descriptor, readme):
        assert str(world.seed) not in text and "seed" not in text.lower()
        assert "persuade" not in text and "hidden truth" not in text
    assert "crm_course.world.params" not in readme
    # It still loads and verifies like any world.
    assert data.foreign_key_problems(data.load_all(folder=folder)) == []


def test_the_command_line_writes_a_private_world(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "crm_course.world", "--out", str(tmp_path), "--members", "500", "--seed", "4242", "--private"],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "4242" not in (tmp_path / "datapackage.json").read_text() + (tmp_path / "README.md").read_text()
