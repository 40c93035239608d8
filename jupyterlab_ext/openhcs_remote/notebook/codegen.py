"""Turn a pipeline and a config into the Python source the server runs.

Strings (and paths to ``.py`` files) pass through unchanged. OpenHCS objects are rendered by
OpenHCS's own generator (``PipelineDocumentAuthority.render`` and
``ConfigDocumentAuthority.render``) when ``openhcs`` is importable in the kernel: the code the
server compiles is then exactly what OpenHCS would write for those objects. Nothing here
imports openhcs unless an object needs it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .shim_errors import CodeGenerationError

DEFAULT_CONFIG_CODE = (
    "from openhcs.core.config import GlobalPipelineConfig\nconfig = GlobalPipelineConfig()\n"
)


def pipeline_and_config_code(pipeline: Any, config: Any = None) -> tuple[str, str]:
    """Return ``(pipeline_code, config_code)`` for a pipeline and a config.

    Parameters
    ----------
    pipeline
        Python source defining ``pipeline_steps``, a path to such a file, a list of OpenHCS
        ``FunctionStep`` objects, or an OpenHCS ``PipelineDocument``.
    config
        Python source defining ``config``, a path, a ``GlobalPipelineConfig``, a
        ``PipelineConfig`` (the pipeline-level config, rendered into the pipeline code), or
        ``None`` for OpenHCS's defaults.

    Raises
    ------
    CodeGenerationError
        An object that is neither source nor an OpenHCS object, or OpenHCS refused to render it.
    """
    pipeline_config = None
    if _is_openhcs(config, "PipelineConfig"):
        pipeline_config, config = config, None
    return _pipeline_code(pipeline, pipeline_config), _config_code(config)


def _source(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        return Path(value).read_text(encoding="utf-8")
    return None


def _pipeline_code(pipeline: Any, pipeline_config: Any) -> str:
    source = _source(pipeline)
    if source is not None:
        if pipeline_config is not None:
            raise CodeGenerationError(
                "a PipelineConfig object cannot be combined with pipeline source; "
                "set pipeline_config in the source instead"
            )
        return source
    try:
        from openhcs.core.config import PipelineConfig
        from openhcs.core.pipeline_document import PipelineDocument, PipelineDocumentAuthority
    except ImportError as error:
        raise CodeGenerationError(
            f"pipeline is a {type(pipeline).__name__}, not source code, and openhcs is not "
            "installed in this kernel to turn it into code; pass the pipeline as a string"
        ) from error
    if isinstance(pipeline, PipelineDocument):
        steps, pipeline_config = (
            pipeline.pipeline_steps,
            pipeline_config or pipeline.pipeline_config,
        )
    elif isinstance(pipeline, Sequence):
        steps = list(pipeline)
    else:
        raise CodeGenerationError(
            f"pipeline must be source code, a path, a list of FunctionStep or a "
            f"PipelineDocument, not {type(pipeline).__name__}"
        )
    try:
        document = PipelineDocumentAuthority.from_values(
            pipeline_config=pipeline_config or PipelineConfig(), pipeline_steps=steps
        )
        return PipelineDocumentAuthority.render(document)
    except (TypeError, ValueError) as error:
        raise CodeGenerationError(f"OpenHCS could not render the pipeline: {error}") from error


def _config_code(config: Any) -> str:
    if config is None:
        return DEFAULT_CONFIG_CODE
    source = _source(config)
    if source is not None:
        return source
    if not _is_openhcs(config, "GlobalPipelineConfig"):
        raise CodeGenerationError(
            "config must be source code, a path, a GlobalPipelineConfig or a PipelineConfig, "
            f"not {type(config).__name__}"
        )
    from openhcs.core.config import GlobalPipelineConfig
    from openhcs.core.config_document import ConfigDocumentAuthority

    try:
        return ConfigDocumentAuthority.render(config, expected_config_type=GlobalPipelineConfig)
    except (TypeError, ValueError) as error:
        raise CodeGenerationError(f"OpenHCS could not render the config: {error}") from error


def _is_openhcs(value: Any, class_name: str) -> bool:
    """Whether ``value`` is an instance of ``openhcs.core.config.<class_name>``.

    Checked by name first, so a kernel without openhcs never imports it for a string.
    """
    if value is None or isinstance(value, (str, os.PathLike)):
        return False
    if not any(cls.__name__ == class_name for cls in type(value).__mro__):
        return False
    try:
        from openhcs.core import config as openhcs_config
    except ImportError:
        return False
    return isinstance(value, getattr(openhcs_config, class_name))
