"""Shared fixtures.

Peer models are read from ``../shared/peer-models`` relative to the repository root, or from
the directory named by ``HER2SIM_PEER_MODELS``. They are never copied into the project.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def peer_models_path() -> Path:
    env = os.environ.get("HER2SIM_PEER_MODELS")
    return Path(env) if env else REPO.parent / "shared" / "peer-models"


def shared_path() -> Path:
    env = os.environ.get("HER2SIM_SHARED")
    return Path(env) if env else REPO.parent / "shared"


@pytest.fixture(scope="session")
def peer_models() -> Path:
    path = peer_models_path()
    if not path.is_dir():
        # CI always has the folder; a missing one is an error, not a skip.
        raise FileNotFoundError(
            f"peer models not found at {path}; set HER2SIM_PEER_MODELS to the shared/peer-models folder"
        )
    return path


@pytest.fixture(scope="session")
def shared() -> Path:
    return shared_path()


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261124)
