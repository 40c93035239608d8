/**
 * Pipeline and config sources the tests send. They are real OpenHCS code: the server compiles
 * and runs them on the synthetic plates the tests write.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./python.js";

const examples = join(REPO_ROOT, "examples", "pipelines");

/** Normalise → z-projection → count cells: three OpenHCS functions. */
export const PIPELINE_NORMALIZE_PROJECT_COUNT = readFileSync(
  join(examples, "normalize_project_count.py"),
  "utf8",
);

/** One worker, OpenHCS defaults otherwise. */
export const CONFIG_ONE_WORKER = readFileSync(join(examples, "cpu_config.py"), "utf8");

/** A step whose parameters are wrong for the function: it fails inside a worker, at run time. */
export const PIPELINE_WITH_STEP_ERROR = `from openhcs.core.config import PipelineConfig
from openhcs.core.steps.function_step import FunctionStep
from openhcs.processing.backends.processors.numpy_processor import stack_percentile_normalize

pipeline_config = PipelineConfig()
pipeline_steps = [
    FunctionStep(
        func=(stack_percentile_normalize, {"low_percentile": 1.0, "high_percentile": "not a number"}),
        name="normalize_badly",
    )
]
`;

/** Python that fails while the server builds the pipeline (a NameError). */
export const PIPELINE_WITH_NAME_ERROR = `from openhcs.core.config import PipelineConfig
pipeline_config = PipelineConfig()
pipeline_steps = [undefined_step_factory()]
`;
