# OpenHCS configuration: one worker process, OpenHCS defaults otherwise.
from openhcs.core.config import GlobalPipelineConfig

config = GlobalPipelineConfig(num_workers=1)
