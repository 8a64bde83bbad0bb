"""Where settings come from: environment variables first, then an optional vanphong.toml.

The TOML file is looked for at $VANPHONG_CONFIG, else ./vanphong.toml. Keys in the file use
the same names as the environment variables (DATABASE_URL, VANPHONG_DATA_DIR, ...).
"""

from __future__ import annotations

import os
import secrets
import tempfile
import tomllib
from functools import lru_cache
from pathlib import Path


class ConfigError(Exception):
    pass


@lru_cache(maxsize=1)
def _toml_values() -> dict[str, object]:
    explicit = os.environ.get("VANPHONG_CONFIG")
    path = Path(explicit) if explicit else Path.cwd() / "vanphong.toml"
    if not path.exists():
        if explicit:
            raise ConfigError(f"VANPHONG_CONFIG points to {path}, which does not exist")
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def get(name: str, default: str | None = None) -> str | None:
    if name in os.environ:
        return os.environ[name]
    value = _toml_values().get(name)
    return default if value is None else str(value)


def get_bool(name: str, default: bool = False) -> bool:
    value = get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def get_int(name: str, default: int) -> int:
    value = get(name)
    return default if value is None else int(value)


def data_dir() -> Path:
    default = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "vanphong"
    path = Path(get("VANPHONG_DATA_DIR") or default).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data folder."""
    explicit = get("VANPHONG_SECRET_KEY")
    if explicit:
        return explicit
    return generated_secret(directory / "secret_key")


def generated_secret(path: Path, nbytes: int = 50) -> str:
    """A random secret kept in `path` (readable by the owner only), created on first use.

    Written to a temporary file and linked into place, so a process that starts at the same
    moment never reads a half-written file, and the first writer wins."""
    if not path.exists():
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(nbytes))
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass
        finally:
            os.unlink(temporary)
    return path.read_text().strip()
