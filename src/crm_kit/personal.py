"""Personal worlds: a Kopilka world for every student (or group), derived from the lecturer's secret.

A student's world is ``crm_course.world.simulate(members, seed)`` with the
seed taken from an HMAC-SHA256 of the lecturer's secret and the student's id
(:func:`personal_seed`): the same student always gets the same world, no two
students share one, and nobody without the secret can regenerate a world or
tell its seed. The world is written with ``private=True``, so neither its
``datapackage.json`` nor its README names the seed or the planted effects.
The planted effects themselves are the course's defaults, documented in
:mod:`crm_course.world.params`: every student studies the same company, and
only the members and the numbers differ.

:func:`using_world` makes a folder the active world of this Python process
(the one ``crm_course.data.load`` reads and the answer key computes on), for
the kit builder and the grader.

Examples
--------
>>> a, b = personal_seed("lecturer's secret", "s001"), personal_seed("lecturer's secret", "s002")
>>> a != b and a == personal_seed("lecturer's secret", "s001")
True
>>> personal_seed("another secret", "s001") != a
True
>>> check_student_id("anna.k@uni")
'anna.k@uni'
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "SECRET_ENV",
    "check_student_id",
    "personal_seed",
    "read_roster",
    "read_secret",
    "using_world",
    "write_personal_world",
]

#: The environment variable that may hold the lecturer's secret (rather than a command line).
SECRET_ENV = "CRM_KIT_SECRET"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$")
_ID_COLUMNS = ("id", "student_id", "student id", "username", "group")


def check_student_id(student_id: object) -> str:
    """Return ``student_id`` if it can name a folder on every system; raise ``ValueError`` otherwise.

    An id starts with a letter or digit and holds only letters, digits and
    ``_ . @ + -``, at most 64 characters: it becomes the name of the
    student's kit folder and of their submission folder.
    """
    if not isinstance(student_id, str) or not _ID.match(student_id) or student_id in (".", ".."):
        raise ValueError(
            "student id: expected letters, digits and _ . @ + - (starting with a letter or digit, "
            f"at most 64 characters), usable as a folder name; found {student_id!r}"
        )
    return student_id


def _key(secret: str | bytes) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    if not isinstance(key, bytes) or len(key) < 8:
        raise ValueError("secret: expected at least 8 characters (a long random phrase is best)")
    return key


def personal_seed(secret: str | bytes, student_id: str) -> int:
    """The seed of ``student_id``'s world: 63 bits of HMAC-SHA256(secret, id)."""
    digest = hmac.new(_key(secret), b"crm-course personal world\0" + check_student_id(student_id).encode(),
                      hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def read_secret(secret: str | None = None, secret_file: str | Path | None = None) -> bytes:
    """The lecturer's secret: given, read from a file (first line), or from ``$CRM_KIT_SECRET``.

    A file or the environment keeps the secret out of the shell's history.
    """
    if secret is not None and secret_file is not None:
        raise ValueError("secret: give the secret or a file that holds it, not both")
    if secret_file is not None:
        path = Path(secret_file)
        if not path.is_file():
            raise ValueError(f"secret file: expected a file holding the secret; found none at {path}")
        secret = path.read_text(encoding="utf-8").splitlines()[0].strip() if path.stat().st_size else ""
    elif secret is None:
        secret = os.environ.get(SECRET_ENV)
    if not secret:
        raise ValueError(
            f"secret: personal worlds need the lecturer's secret; give SECRET_FILE=path (or set ${SECRET_ENV})"
        )
    return _key(secret)


def read_roster(path: str | Path) -> list[str]:
    """The student (or group) ids of a roster CSV, in file order.

    The ids are taken from the column named ``id``, ``student_id``,
    ``student id``, ``username`` or ``group`` (any case), or from the only
    column of a one-column file; other columns (names, e-mail addresses)
    are ignored and never copied into a kit.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> roster = pathlib.Path(tempfile.mkdtemp()) / "roster.csv"
    >>> _ = roster.write_text("name,student_id\\nAnna,s001\\nBoris,s002\\n")
    >>> read_roster(roster)
    ['s001', 's002']
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"roster: expected a CSV file of student ids; found none at {path}")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise ValueError(f"roster {path.name}: expected a header line and one line per student; found {len(rows)} line(s)")
    header = [h.strip().casefold() for h in rows[0]]
    column = next((header.index(c) for c in _ID_COLUMNS if c in header), None)
    if column is None:
        if len(header) != 1:
            raise ValueError(
                f"roster {path.name}: expected a column named one of {', '.join(_ID_COLUMNS)}; found {rows[0]}"
            )
        column = 0
    ids = []
    for number, row in enumerate(rows[1:], start=2):
        value = row[column].strip() if column < len(row) else ""
        try:
            ids.append(check_student_id(value))
        except ValueError as err:
            raise ValueError(f"roster {path.name}, line {number}: {err}") from None
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"roster {path.name}: every id must appear once; repeated: {', '.join(repeated)}")
    return ids


def write_personal_world(folder: str | Path, secret: str | bytes, student_id: str, *, members: int | None = None) -> Path:
    """Simulate ``student_id``'s world and write it to ``folder`` without its seed or planted effects.

    Parameters
    ----------
    folder : path
        Created if missing.
    secret : str or bytes
        The lecturer's secret.
    student_id : str
    members : int, optional
        Members of the world (default: as many as the shipped world).

    Returns
    -------
    Path
        ``folder``.
    """
    from crm_course.world import DEFAULT_MEMBERS, simulate
    from crm_course.world.datapackage import write

    seed = personal_seed(secret, student_id)
    world = simulate(n_members=DEFAULT_MEMBERS if members is None else members, seed=seed)
    write(world, folder, private=True)
    return Path(folder)


@contextmanager
def using_world(folder: str | Path) -> Iterator[Path]:
    """Make ``folder`` the active world of this process for the ``with`` block.

    Sets ``$KOPILKA_DATA`` (which :func:`crm_course.data.active_data_dir`
    reads first) and empties the answer key's caches on the way in and out,
    so that expected answers are computed on this world and on no other.
    """
    from crm_course.data import DATA_ENV
    from crm_kit.exercises import clear_cache

    folder = Path(folder).resolve()
    if not (folder / "datapackage.json").is_file():
        raise ValueError(f"folder: expected a Kopilka world (a folder with datapackage.json); found none in {folder}")
    before = os.environ.get(DATA_ENV)
    os.environ[DATA_ENV] = str(folder)
    clear_cache()
    try:
        yield folder
    finally:
        if before is None:
            os.environ.pop(DATA_ENV, None)
        else:
            os.environ[DATA_ENV] = before
        clear_cache()
