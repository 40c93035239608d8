"""The files a run wrote (tables, ROI zips, its own image files), served to clients.

A run's files are those under OpenHCS's output plate directory for that run (the
directory holding ``openhcs_metadata.json`` above the run's streamed image paths;
docs/openhcs-measurements.md), written while the run ran. The relay reads nothing
else, whatever a client asks: no absolute paths, no ``..``, no symlinks on the way,
only regular files, each within a size cap.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from openhcs_remote.server.relay.relay_errors import (
    FileNotFoundInRunError,
    FilePathError,
    FileTooLargeError,
    NotTheRunsFileError,
    RunFilesUnknownError,
)

#: OpenHCS writes this file at the top of every output plate it makes.
OUTPUT_PLATE_MARKER = "openhcs_metadata.json"
#: How far above an image file its output plate directory may be (``<root>/<sub_dir>/<file>``,
#: with room for nested sub-directories).
MAX_ROOT_DEPTH = 4
MAX_LISTED_FILES = 20_000
MAX_WALKED_ENTRIES = 200_000
MAX_PATH_CHARS = 1000
#: File times are a second coarse on some file systems; OpenHCS stamps start and end itself.
CLOCK_SLACK_SECONDS = 2.0


def find_output_root(paths: Iterable[str]) -> str | None:
    """Return the output plate directory above the first absolute image path that has one."""
    for raw in paths:
        if not raw or not os.path.isabs(raw):
            continue
        folder = Path(raw).parent
        for _ in range(MAX_ROOT_DEPTH):
            if (folder / OUTPUT_PLATE_MARKER).is_file():
                return str(folder)
            if folder.parent == folder:
                break
            folder = folder.parent
    return None


@dataclass(frozen=True)
class RunWindow:
    """Where and when a run wrote: its output root and the times it ran (epoch seconds)."""

    execution_id: str
    root: Path
    started: float
    ended: float | None

    def owns(self, mtime: float) -> bool:
        """Whether a file last written at ``mtime`` was written by this run."""
        if mtime < self.started - CLOCK_SLACK_SECONDS:
            return False
        return self.ended is None or mtime <= self.ended + CLOCK_SLACK_SECONDS


def checked_relative_path(value: str, field: str = "path") -> PurePosixPath:
    """Refuse anything but a plain relative path below the run's directory."""
    if len(value) > MAX_PATH_CHARS or "\x00" in value or "\\" in value:
        raise FilePathError(f"not a plain relative path: {value[:80]!r}", field=field)
    path = PurePosixPath(value)
    if path.is_absolute():
        raise FilePathError(f"{value!r} is absolute; paths are relative to the run", field=field)
    if any(part in ("..", "") for part in path.parts) or value.startswith("~"):
        raise FilePathError(f"{value!r} leaves the run's directory", field=field)
    return path


def _real_root(window: RunWindow) -> Path:
    try:
        return Path(os.path.realpath(window.root, strict=True))
    except OSError as error:
        raise RunFilesUnknownError(
            f"run {window.execution_id}'s output directory {window.root} is gone: {error}"
        ) from error


def _resolve(window: RunWindow, relative: PurePosixPath, field: str) -> Path:
    """Return the file inside the run's root; refuse a symlink anywhere on the way."""
    root = _real_root(window)
    target = root.joinpath(*relative.parts)
    walked = root
    for part in relative.parts:
        walked = walked / part
        try:
            mode = os.lstat(walked).st_mode
        except FileNotFoundError:
            raise FileNotFoundInRunError(
                f"run {window.execution_id} has no file {relative}", field=field
            ) from None
        except OSError as error:
            raise FilePathError(f"{relative}: {error}", field=field) from error
        if stat.S_ISLNK(mode):
            raise FilePathError(
                f"{relative} passes through a symlink; the relay follows none", field=field
            )
    return target


def list_run_files(window: RunWindow, under: str | None = None) -> dict[str, Any]:
    """List the run's regular files (relative POSIX paths, sizes, times), sorted by path."""
    root = _real_root(window)
    start = root
    if under:
        start = _resolve(window, checked_relative_path(under, "under"), "under")
    files: list[dict[str, Any]] = []
    walked = 0
    truncated = False
    for folder, directories, names in os.walk(start, followlinks=False):
        directories.sort()
        for name in sorted(names):
            walked += 1
            if walked > MAX_WALKED_ENTRIES or len(files) >= MAX_LISTED_FILES:
                truncated = True
                break
            full = os.path.join(folder, name)
            try:
                info = os.lstat(full)
            except FileNotFoundError:  # removed while we walked
                continue
            if not stat.S_ISREG(info.st_mode) or not window.owns(info.st_mtime):
                continue
            files.append(
                {
                    "path": Path(full).relative_to(root).as_posix(),
                    "size": info.st_size,
                    "mtime": info.st_mtime,
                }
            )
        if truncated:
            break
    return {"root": str(window.root), "files": files, "truncated": truncated}


def read_run_file(window: RunWindow, value: str, max_bytes: int) -> tuple[dict[str, Any], bytes]:
    """Read one file of the run: its description and its bytes."""
    relative = checked_relative_path(value)
    target = _resolve(window, relative, "path")
    try:
        # O_NOFOLLOW: a symlink swapped in after the check is still refused.
        descriptor = os.open(target, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as error:
        raise FilePathError(f"{relative}: {error.strerror}", field="path") from error
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise FilePathError(f"{relative} is not a regular file", field="path")
        if not window.owns(info.st_mtime):
            raise NotTheRunsFileError(
                f"{relative} was not written by run {window.execution_id} "
                "(it predates the run or was written after it ended)",
                field="path",
            )
        if info.st_size > max_bytes:
            raise FileTooLargeError(
                f"{relative} is {info.st_size} bytes, more than the relay's cap of "
                f"{max_bytes} (RelayLimits.max_file_bytes)",
                field="path",
            )
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew while we read
        raise FileTooLargeError(f"{relative} grew past {max_bytes} bytes", field="path")
    return {"path": relative.as_posix(), "size": len(data), "mtime": info.st_mtime}, data
