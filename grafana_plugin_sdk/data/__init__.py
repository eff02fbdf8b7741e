"""Data frames (Go SDK's ``data`` package): ``Frame``, ``Field``, their types and metadata, Arrow and JSON codecs."""

from ._errors import FrameError
from ._field import Field
from ._fill import FillMissing, FillMode
from ._frame import Frame, FrameInclude
from ._meta import FieldConfig, FrameMeta, FrameType, Notice, NoticeSeverity, QueryStat
from ._timeseries import long_to_wide, wide_to_long
from ._types import FieldType

__all__ = [
    "Field",
    "FieldConfig",
    "FieldType",
    "FillMissing",
    "FillMode",
    "Frame",
    "FrameError",
    "FrameInclude",
    "FrameMeta",
    "FrameType",
    "Notice",
    "NoticeSeverity",
    "QueryStat",
    "long_to_wide",
    "wide_to_long",
]
