"""Every error class of the package derives from one root and carries its own code."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import openhcs_remote
from openhcs_remote.errors import OpenHCSRemoteError


def _error_classes() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for module in pkgutil.walk_packages(openhcs_remote.__path__, "openhcs_remote."):
        if ".labextension" in module.name or module.name.endswith("__main__"):
            continue
        loaded = importlib.import_module(module.name)
        for _, value in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__.startswith("openhcs_remote"):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def test_the_package_defines_errors_in_the_shim_the_relay_and_the_launcher():
    modules = {cls.__module__.split(".")[1] for cls in _error_classes()}
    assert {"notebook", "server", "errors"} <= modules


def test_every_error_derives_from_the_one_root():
    strays = [
        cls.__qualname__ for cls in _error_classes() if not issubclass(cls, OpenHCSRemoteError)
    ]
    assert strays == []


def test_every_error_below_the_root_has_a_code_of_its_own():
    classes = [cls for cls in _error_classes() if cls is not OpenHCSRemoteError]
    shared = [cls.__qualname__ for cls in classes if cls.code == OpenHCSRemoteError.code]
    assert shared == []
    assert all(cls.code.startswith("ERR_") for cls in classes)
