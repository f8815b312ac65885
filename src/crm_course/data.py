"""Load the Kopilka tables: the one way notebooks and researchers get data.

:func:`load` reads a table's CSV, checks it against the data dictionary
(``datapackage.json``, generated from :mod:`crm_course.world.schema`) and
returns a typed DataFrame: dates parsed, labels as pandas categories, counts
as integers, flags as booleans. It works from any working directory, from a
checkout (``data/`` at the top of the repository) and from an installed
package (the tables travel inside the wheel).

Which world ``load(name)`` reads
--------------------------------
Without ``folder=``, :func:`load` reads the *active* world
(:func:`active_data_dir`), the first of:

1. the folder named by the environment variable ``KOPILKA_DATA``;
2. the folder named by a ``kopilka.toml`` file (``data = "data"``, relative to
   that file) in the working directory or one of its parents: a student kit
   carries one next to its notebooks, so its notebooks read the kit's own
   (possibly personal) world;
3. the shipped world: the one the lecture, the practice notebooks and the
   tests use.

Examples
--------
>>> from crm_course.data import load, TABLE_NAMES
>>> customers = load("customers")
>>> customers["signup_date"].dtype
dtype('<M8[s]')
>>> TABLE_NAMES[:3]
('customers', 'merchants', 'transactions')
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from crm_course.world.schema import TABLES

__all__ = ["TABLE_NAMES", "active_data_dir", "data_dir", "foreign_key_problems", "load", "load_all"]

TABLE_NAMES: tuple[str, ...] = tuple(TABLES)

_HERE = Path(__file__).resolve().parent
_CANDIDATES = (_HERE.parent.parent / "data", _HERE / "_data")


#: The environment variable that names the active world's folder.
DATA_ENV = "KOPILKA_DATA"
#: The file that names the active world's folder for notebooks below it.
CONFIG_FILE = "kopilka.toml"


def data_dir() -> Path:
    """The folder holding the shipped tables (checkout first, then installed package)."""
    for folder in _CANDIDATES:
        if (folder / "datapackage.json").is_file():
            return folder
    raise FileNotFoundError(
        "The Kopilka tables were not found (looked in "
        + " and ".join(str(c) for c in _CANDIDATES)
        + "). From a checkout, run 'make data' to generate them."
    )


def _config_folder(start: Path) -> Path | None:
    """The folder named by the nearest ``kopilka.toml`` at or above ``start``, if any."""
    import tomllib

    for directory in (start, *start.parents):
        config = directory / CONFIG_FILE
        if config.is_file():
            try:
                settings = tomllib.loads(config.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ValueError(f"{config} is damaged (not valid TOML: {exc})") from None
            value = settings.get("data")
            if not isinstance(value, str) or not value:
                raise ValueError(f'{config}: expected a line such as data = "data"; found {value!r}')
            return (directory / value).resolve()
    return None


def active_data_dir() -> Path:
    """The folder :func:`load` reads when no ``folder`` is given.

    ``$KOPILKA_DATA`` if set, else the folder named by the nearest
    ``kopilka.toml`` at or above the working directory, else the shipped
    tables (:func:`data_dir`).

    Examples
    --------
    >>> active_data_dir() == data_dir()   # in the course repository, nothing overrides the shipped world
    True
    """
    import os

    named = os.environ.get(DATA_ENV)
    if named:
        return _resolve(named, where=f"${DATA_ENV}")
    configured = _config_folder(Path.cwd())
    if configured is not None:
        return _resolve(configured, where=CONFIG_FILE)
    return data_dir()


def _resolve(folder: str | Path | None, where: str = "folder") -> Path:
    if folder is None:
        return active_data_dir()
    folder = Path(folder)
    if not (folder / "datapackage.json").is_file():
        raise FileNotFoundError(f"{where}: expected a folder with datapackage.json; found none in {folder}")
    return folder


def _descriptor(folder: Path) -> dict:
    try:
        return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{folder / 'datapackage.json'} is damaged (not valid JSON: {exc})") from None


def _resource(descriptor: dict, name: str) -> dict:
    for res in descriptor["resources"]:
        if res["name"] == name:
            return res
    raise ValueError(f"name: expected one of {', '.join(TABLE_NAMES)}; found {name!r}")


def _convert(raw: pd.Series, field: dict, where: str) -> pd.Series:
    col, kind = field["name"], field["type"]
    cons = field.get("constraints", {})
    missing = raw.isna()
    if cons.get("required") and missing.any():
        raise ValueError(f"{where}: column {col!r} is required but has {int(missing.sum())} empty value(s)")
    if kind in {"integer", "number"}:
        values = pd.to_numeric(raw, errors="coerce")
        bad = values.isna() & ~missing
        if bad.any():
            raise ValueError(f"{where}: column {col!r} should hold numbers; found {raw[bad].iloc[0]!r}")
        if kind == "integer":
            if (values.dropna() % 1 != 0).any():
                raise ValueError(f"{where}: column {col!r} should hold whole numbers; found {raw[values % 1 != 0].iloc[0]}")
            values = values.astype("Int64" if missing.any() or not cons.get("required") else "int64")
        else:
            values = values.astype("float64")
        lo, hi = cons.get("minimum"), cons.get("maximum")
        if lo is not None and (values < lo).any():
            raise ValueError(f"{where}: column {col!r} should be at least {lo:g}; found {raw[values < lo].iloc[0]}")
        if hi is not None and (values > hi).any():
            raise ValueError(f"{where}: column {col!r} should be at most {hi:g}; found {raw[values > hi].iloc[0]}")
        return values
    if kind == "boolean":
        mapped = raw.map({"true": True, "false": False})
        bad = mapped.isna() & ~missing
        if bad.any():
            raise ValueError(f"{where}: column {col!r} should hold true/false; found {raw[bad].iloc[0]!r}")
        return mapped.astype("bool" if not missing.any() else "boolean")
    if kind == "date":
        values = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
        bad = values.isna() & ~missing
        if bad.any():
            raise ValueError(f"{where}: column {col!r} should hold dates YYYY-MM-DD; found {raw[bad].iloc[0]!r}")
        return values.astype("datetime64[s]")
    if "enum" in cons:
        allowed = cons["enum"]
        bad = ~raw.isin(allowed) & ~missing
        if bad.any():
            raise ValueError(f"{where}: column {col!r} should hold one of {allowed}; found {raw[bad].iloc[0]!r}")
        return pd.Series(pd.Categorical(raw, categories=allowed, ordered=bool(field.get("categoriesOrdered"))), index=raw.index)
    return raw.astype("string")


def _parse(raw_bytes: bytes, res: dict, where: str, verified: bool) -> pd.DataFrame:
    """Parse and type a table's bytes against its schema.

    A header without rows is refused unless the checksum showed that the file
    is the one the world wrote: a table that lost its rows is then caught even
    with ``verify=False``.
    """
    import io

    if not raw_bytes.strip():
        raise ValueError(f"{where}: the file is empty; expected a header row and one row per record. "
                         "Run 'make data' to regenerate it.")
    try:
        raw = pd.read_csv(io.BytesIO(raw_bytes), dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"{where}: the file is damaged and cannot be read as CSV ({exc})") from None
    fields = res["schema"]["fields"]
    expected = [f["name"] for f in fields]
    if list(raw.columns) != expected:
        raise ValueError(f"{where}: expected columns {expected}; found {list(raw.columns)}")
    if raw.empty and not verified:
        raise ValueError(f"{where}: the file has a header but no rows; a Kopilka world writes some in every "
                         "table. Run 'make data' to regenerate it.")
    df = pd.DataFrame({f["name"]: _convert(raw[f["name"]], f, where) for f in fields})
    key = res["schema"]["primaryKey"]
    if df.duplicated(key).any():
        raise ValueError(f"{where}: primary key {key} should be unique; found {int(df.duplicated(key).sum())} duplicate(s)")
    return df


#: Parsed tables keyed by their content: (table name, SHA-256 of the file's bytes, the schema, verified).
_CACHE: dict[tuple[str, str, str, bool], pd.DataFrame] = {}
_CACHE_SIZE = 16


def _read(name: str, folder: Path, verify: bool) -> pd.DataFrame:
    """Read a table, checking its checksum if asked; parse it unless these very bytes were parsed before.

    The file is read and hashed on every call (a few milliseconds for the
    largest table), so a table rewritten or damaged since the last call is
    never served from the cache; only the parsing is saved.
    """
    res = _resource(_descriptor(folder), name)
    path = folder / res["path"]
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; run 'make data' to regenerate the tables")
    where = f"{name} ({path.name})"
    raw_bytes = path.read_bytes()
    digest = "sha256:" + hashlib.sha256(raw_bytes).hexdigest()
    if verify and digest != res.get("hash"):
        raise ValueError(
            f"{where}: the file differs from the one described in datapackage.json (checksum mismatch); "
            "it was edited or damaged. Run 'make data' to regenerate it, or pass verify=False to read it anyway."
        )
    key = (name, digest, json.dumps(res["schema"], sort_keys=True), bool(verify))
    if key not in _CACHE:
        table = _parse(raw_bytes, res, where, verified=bool(verify))
        while len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))  # the oldest entry
        _CACHE[key] = table
    return _CACHE[key]


def load(name: str, *, folder: str | Path | None = None, verify: bool = True) -> pd.DataFrame:
    """Load one Kopilka table as a typed, validated DataFrame.

    Parameters
    ----------
    name : str
        One of :data:`TABLE_NAMES`: customers, merchants, transactions,
        merchant_panel, offer_experiment, agents, contacts, key_accounts.
    folder : path, optional
        A folder written by ``python -m crm_course.world --out FOLDER`` (a
        world with other parameters); defaults to the active world
        (:func:`active_data_dir`: the shipped data unless ``$KOPILKA_DATA``
        or a ``kopilka.toml`` names another).
    verify : bool
        Check the file's SHA-256 against the descriptor (catches edited or
        damaged files). With ``verify=False`` the file is still checked
        against the data dictionary: columns, types, ranges, labels, a
        unique primary key, and at least one row. An empty or damaged file
        raises a ``ValueError`` naming it.

    Returns
    -------
    pandas.DataFrame
        A fresh copy each call: changing it does not affect the next load.

    Notes
    -----
    The file is read again on every call, so a folder rewritten with another
    world, or a file damaged since the last call, is seen at once. Only the
    parsing is cached, keyed by a hash of the file's bytes.

    Examples
    --------
    >>> from crm_course.data import load
    >>> contacts = load("contacts")
    >>> int(contacts["csat"].min()), int(contacts["csat"].max())
    (1, 5)
    """
    if not isinstance(name, str):
        raise TypeError(f"name: expected a table name (str); found {type(name).__name__}")
    if name not in TABLES:
        raise ValueError(f"name: expected one of {', '.join(TABLE_NAMES)}; found {name!r}")
    return _read(name, _resolve(folder).resolve(), bool(verify)).copy()


def load_all(*, folder: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Load every table, keyed by name."""
    return {name: load(name, folder=folder) for name in TABLE_NAMES}


def foreign_key_problems(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Foreign-key values that do not resolve to a row of the referenced table."""
    problems = []
    for name, table in TABLES.items():
        for fk in table.foreign_keys:
            for side, columns in ((name, fk.fields), (fk.table, fk.reference)):
                if side not in tables:
                    raise ValueError(f"tables: missing table {side!r}; expected {', '.join(TABLE_NAMES)}")
                absent = [c for c in columns if c not in tables[side].columns]
                if absent:
                    raise ValueError(f"tables[{side!r}]: missing column(s) {', '.join(map(repr, absent))} of the "
                                     f"foreign key {name}.{','.join(fk.fields)} -> {fk.table}.{','.join(fk.reference)}")
            child = tables[name][list(fk.fields)].dropna()
            parent = tables[fk.table][list(fk.reference)]
            keys = pd.MultiIndex.from_frame(parent)
            missing = ~pd.MultiIndex.from_frame(child).isin(keys)
            if missing.any():
                problems.append(
                    f"{name}.{','.join(fk.fields)}: {int(missing.sum())} value(s) not in {fk.table}.{','.join(fk.reference)}"
                )
    return problems
