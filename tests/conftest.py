import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pytest
from hypothesis import settings

from batchaudit.engine import Audit, audit
from batchaudit.ingest.load import load
from batchaudit.model.packs import load_pack

SAMPLE_DATA = Path(__file__).parents[1] / "sample_data"


@pytest.fixture(scope="session")
def sample_audit() -> Audit:
    """The audit of sample_data/, made once for the whole session."""
    return audit(load(detected=[SAMPLE_DATA]), load_pack("oregon"))


# Properties are about values, not speed: no deadline (a loaded CI machine is slow at times).
settings.register_profile("batchaudit", deadline=None)
settings.load_profile("batchaudit")
