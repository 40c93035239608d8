# OpenHCS pipeline: normalise each channel, flatten the z-stack, count cells.
# Sent to the server as source; the server compiles and runs it.
from openhcs.constants.constants import VariableComponents
from openhcs.core.config import LazyProcessingConfig, PipelineConfig
from openhcs.core.steps.function_step import FunctionStep
from openhcs.processing.backends.analysis.cell_counting_cpu import count_cells_single_channel
from openhcs.processing.backends.processors.numpy_processor import (
    create_projection,
    stack_percentile_normalize,
)

pipeline_config = PipelineConfig()
pipeline_steps = [
    FunctionStep(
        func=(stack_percentile_normalize, {"low_percentile": 1.0, "high_percentile": 99.0}),
        name="normalize",
    ),
    FunctionStep(
        func=create_projection,
        name="z_projection",
        processing_config=LazyProcessingConfig(variable_components=[VariableComponents.Z_INDEX]),
    ),
    FunctionStep(func=count_cells_single_channel, name="count_cells"),
]
