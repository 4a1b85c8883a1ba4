"""How often each thing happens at the sample licensee: the knobs of the story.

Shares are of all packages; whatever the listed kinds leave over is plain repackaging of
buds, the most common thing a licensee does. Each mistake appears at least once once the
sample has MIN_PACKAGES_FOR_MISTAKES packages.
"""

from __future__ import annotations

from typing import Final

# What the licensee makes, as shares of all packages.
HARVEST_BUDS_LOT_SHARE: Final = 0.12
HARVEST_SHAKE_LOT_SHARE: Final = 0.07
RECEIVED_FROM_OTHER_LICENSEES_SHARE: Final = 0.06
COMBINED_BUDS_LOTS_SHARE: Final = 0.03
COMBINED_COMBINED_LOTS_SHARE: Final = 0.005
CONCENTRATE_PRODUCTION_BATCH_SHARE: Final = 0.05
EXTRACT_PRODUCTION_BATCH_SHARE: Final = 0.02
PRE_ROLL_SHARE: Final = 0.10
EDIBLES_PRODUCTION_BATCH_SHARE: Final = 0.03
EDIBLES_EACH_SHARE: Final = 0.03
CONCENTRATE_REPACKAGED_SHARE: Final = 0.05
WASTE_SHARE: Final = 0.02
# The rest is buds repackaging; this share of it repackages a repackaged package.
REPACKAGED_AGAIN_SHARE: Final = 0.4

# The mistakes (audit findings), as shares of all packages.
PRODUCTION_BATCH_WITHOUT_CATEGORY_CHANGE_SHARE: Final = 0.025  # PB001, and PB004 on leaves
PRODUCTION_BATCH_WITHIN_TEST_GROUP_SHARE: Final = 0.015  # PB002
PROCESSING_WITHOUT_PRODUCTION_BATCH_SHARE: Final = 0.015  # PB003
PACKAGES_PER_EXTRA_LINEAGE_CYCLE: Final = 20_000  # LN002: one pair from 100 packages on
MIN_PACKAGES_FOR_MISTAKES: Final = 60
MIN_PACKAGES_FOR_LINEAGE_CYCLE: Final = 100

# How many lots a combined buds package is made of (2, 3 or 4; 4 makes LT001).
COMBINED_LOT_COUNTS: Final = (2, 3, 4)
COMBINED_LOT_COUNT_WEIGHTS: Final = (0.45, 0.30, 0.25)

# Testing states of what the licensee tests itself.
HARVEST_LOT_TESTING_STATES: Final = {
    "TestPassed": 0.86,
    "RetestPassed": 0.04,
    "Remediated": 0.02,
    "TestFailed": 0.03,
    "TestingInProgress": 0.03,
    "SubmittedForTesting": 0.02,
}
PROCESSED_LOT_TESTING_STATES: Final = {
    "TestPassed": 0.84,
    "RetestPassed": 0.03,
    "TestFailed": 0.02,
    "NotSubmitted": 0.06,
    "SubmittedForTesting": 0.03,
    "TestingInProgress": 0.02,
}

# What became of the packages.
USED_UP_SOURCE_FINISHED_RATE: Final = 0.85
SOLD_OR_USED_LEAF_FINISHED_RATE: Final = 0.45
DISCONTINUED_RATE: Final = 0.01
ADMINISTRATIVE_HOLD_RATE: Final = 0.01
TESTING_SAMPLE_RATE: Final = 0.005
UNIT_POTENCY_FILLED_RATE: Final = 0.2  # of pre-rolls and edibles (each)

# Lab results.
REPEATED_INHERITED_RESULT_RATE: Final = 0.10  # results also listed under a later package
REVOKED_RETEST_RESULT_RATE: Final = 0.05  # of failed results later retested
REVOKED_RESULT_LINE_RATE: Final = 0.0005
INFORMATIONAL_ONLY_LINE_RATE: Final = 0.004

# How the export spells things.
SPACED_TESTING_STATE_RATE: Final = 0.05  # "Test Passed" for "TestPassed"
TRUE_FALSE_BOOLEAN_RATE: Final = 0.01  # True/False for Yes/No
BLANK_FOR_NO_RATE: Final = 0.01
TRAILING_SEPARATOR_RATE: Final = 1 / 3  # "1A4..., " as Metrc writes it
POUNDS_SHAKE_RATE: Final = 0.2
