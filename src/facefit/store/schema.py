"""Imports every module that defines tables, so ``Base.metadata`` is complete (Alembic, tests).

Each stage that stores data keeps its tables in its own ``store/<area>.py`` and adds one import here.
"""

from facefit.store import (
    calibration,  # noqa: F401
    live,  # noqa: F401
    models,  # noqa: F401
    photos,  # noqa: F401
    safety_habits,  # noqa: F401
    study,  # noqa: F401
    web,  # noqa: F401
)
from facefit.store.base import Base

metadata = Base.metadata
