"""A model version's artifact: the fitted forecaster as bytes (stored in the database) and back.

Training writes artifacts, recommending reads them; both import this module, neither the other
(the newest ready version is app.queries.latest_model).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from forecasting.model import DemandForecaster


def model_bytes(model: Any) -> bytes:
    """The model's saved file as bytes (it is stored in the database, not on one machine)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.npz"
        model.save(path)
        return path.read_bytes()


def load_model(artifact: bytes) -> DemandForecaster:
    """A DemandForecaster from bytes written by `model_bytes`."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.npz"
        path.write_bytes(artifact)
        return DemandForecaster.load(path)
