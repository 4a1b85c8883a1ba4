"""The sample licensee's year: what it harvests, receives, repackages and processes, the
production-batch mistakes it makes, and what became of every package.
"""

from __future__ import annotations

import numpy as np

from batchaudit.sample import catalog
from batchaudit.sample import rates as r
from batchaudit.sample.lineage import PASSING_STATES, Builder, IntArray, Lineage

HARVEST_BUDS = "harvest buds lot"
HARVEST_SHAKE = "harvest shake lot"
RECEIVED = "received"
COMBINED = "combined buds"
COMBINED_AGAIN = "combined combined buds"
CONCENTRATE = "concentrate production batch"
EXTRACT = "extract production batch"
PRE_ROLL = "pre-roll"
EDIBLES = "edibles production batch"
EDIBLES_EACH = "edibles (each)"
CONCENTRATE_REPACKAGED = "repackaged concentrate"
WASTE = "waste"
REPACKAGED = "repackaged buds"
REPACKAGED_AGAIN = "repackaged buds again"
BUDS_BATCH_SAME_CATEGORY = "buds production batch without category change"
CONCENTRATE_BATCH_SAME_CATEGORY = "concentrate production batch without category change"
PRE_ROLL_BATCH = "pre-roll production batch"
CONCENTRATE_EACH_BATCH = "concentrate (each) production batch"
CONCENTRATE_WITHOUT_BATCH = "concentrate without production batch"
EDIBLES_WITHOUT_BATCH = "edibles without production batch"

# kinds this licensee has tested itself: they carry their own lab results
TESTED_HERE = (HARVEST_BUDS, HARVEST_SHAKE, CONCENTRATE, EXTRACT, EDIBLES)

_SHARES: dict[str, tuple[float, int]] = {  # kind: (share of all packages, minimum)
    HARVEST_BUDS: (r.HARVEST_BUDS_LOT_SHARE, 1),
    HARVEST_SHAKE: (r.HARVEST_SHAKE_LOT_SHARE, 1),
    RECEIVED: (r.RECEIVED_FROM_OTHER_LICENSEES_SHARE, 1),
    COMBINED: (r.COMBINED_BUDS_LOTS_SHARE, 1),
    COMBINED_AGAIN: (r.COMBINED_COMBINED_LOTS_SHARE, 0),
    CONCENTRATE: (r.CONCENTRATE_PRODUCTION_BATCH_SHARE, 1),
    EXTRACT: (r.EXTRACT_PRODUCTION_BATCH_SHARE, 1),
    PRE_ROLL: (r.PRE_ROLL_SHARE, 1),
    EDIBLES: (r.EDIBLES_PRODUCTION_BATCH_SHARE, 1),
    EDIBLES_EACH: (r.EDIBLES_EACH_SHARE, 1),
    CONCENTRATE_REPACKAGED: (r.CONCENTRATE_REPACKAGED_SHARE, 1),
    WASTE: (r.WASTE_SHARE, 1),
    # one leaf that can be discontinued (PB004) and one that may get children
    BUDS_BATCH_SAME_CATEGORY: (r.PRODUCTION_BATCH_WITHOUT_CATEGORY_CHANGE_SHARE * 2 / 3, 2),
    CONCENTRATE_BATCH_SAME_CATEGORY: (r.PRODUCTION_BATCH_WITHOUT_CATEGORY_CHANGE_SHARE / 3, 0),
    PRE_ROLL_BATCH: (r.PRODUCTION_BATCH_WITHIN_TEST_GROUP_SHARE * 0.6, 1),
    CONCENTRATE_EACH_BATCH: (r.PRODUCTION_BATCH_WITHIN_TEST_GROUP_SHARE * 0.4, 0),
    CONCENTRATE_WITHOUT_BATCH: (r.PROCESSING_WITHOUT_PRODUCTION_BATCH_SHARE * 0.6, 1),
    EDIBLES_WITHOUT_BATCH: (r.PROCESSING_WITHOUT_PRODUCTION_BATCH_SHARE * 0.4, 0),
}


# The kinds that make findings: the mistakes, and the combined lots whose tabs grow long.
MISTAKEN = (
    BUDS_BATCH_SAME_CATEGORY, CONCENTRATE_BATCH_SAME_CATEGORY, PRE_ROLL_BATCH,
    CONCENTRATE_EACH_BATCH, CONCENTRATE_WITHOUT_BATCH, EDIBLES_WITHOUT_BATCH, COMBINED,
    COMBINED_AGAIN,
)  # fmt: skip


def plan_counts(packages: int, mistakes: float = 1.0) -> dict[str, int]:
    """How many packages of each kind; they add up to exactly `packages`. `mistakes` times
    the usual share of the kinds that make findings (the rest stays plain repackaging)."""
    counts = dict.fromkeys((*_SHARES, REPACKAGED, REPACKAGED_AGAIN), 0)
    if packages < r.MIN_PACKAGES_FOR_MISTAKES:  # too few for a whole business: harvest, repack
        counts[HARVEST_BUDS] = min(packages, max(1, packages // 3))
        counts[HARVEST_SHAKE] = packages // 6
    else:
        shares = {k: s * (mistakes if k in MISTAKEN else 1) for k, (s, _) in _SHARES.items()}
        counts.update({k: max(_SHARES[k][1], int(packages * s)) for k, s in shares.items()})
    rest = packages - sum(counts.values())
    counts[REPACKAGED_AGAIN] = round(rest * r.REPACKAGED_AGAIN_SHARE)
    counts[REPACKAGED] = rest - counts[REPACKAGED_AGAIN]
    return counts


def lineage_cycle_pairs(packages: int) -> int:
    if packages < r.MIN_PACKAGES_FOR_LINEAGE_CYCLE:
        return 0
    return 1 + (packages - r.MIN_PACKAGES_FOR_LINEAGE_CYCLE) // r.PACKAGES_PER_EXTRA_LINEAGE_CYCLE


def _pool(*parts: IntArray) -> IntArray:
    return np.sort(np.concatenate(parts))


def _receive(b: Builder, count: int) -> IntArray:
    """Packages bought from other licensees: their sources are the sender's, not exported."""
    rng, packages = b.rng, b.allocate(RECEIVED, count)
    categories = ("Buds", "Non-Infused (Plain) Pre-Roll", "Concentrate", "Edibles (each)")
    category = rng.choice(np.array(categories, dtype=object), count, p=[0.5, 0.15, 0.2, 0.15])
    b.category[packages], b.state[packages] = category, "TestPassed"
    b.strain[packages] = [
        catalog.STRAINS[s][0] for s in rng.integers(len(catalog.STRAINS), size=count)
    ]
    b.item[packages] = [f"{s} Buds" for s in b.strain[packages]]
    for name, styles in (
        ("Non-Infused (Plain) Pre-Roll", catalog.PRE_ROLL_STYLES),
        ("Concentrate", catalog.CONCENTRATE_STYLES),
    ):
        b.name_items(packages[category == name], styles)
    edibles = packages[category == "Edibles (each)"]
    b.strain[edibles] = ""
    b.item[edibles] = rng.choice(
        np.array(catalog.RECEIVED_EDIBLE_ITEMS, dtype=object), len(edibles)
    )
    b.set_quantity(packages, 100, 2000, "g")
    b.set_quantity(packages[np.isin(category, categories[1::2])], 20, 400, "ea")
    b.day[packages] = catalog.FIRST_HARVEST_DAY + rng.integers(20, 330, count)
    minute = rng.integers(8 * 60, 18 * 60, count)
    b.received_minute[packages] = (b.day[packages] + rng.integers(1, 7, count)) * 1440 + minute
    partner = rng.integers(len(catalog.PARTNERS), size=count)
    two_sources = rng.random(count) < 0.2
    for at, (i, p, two) in enumerate(zip(packages, partner, two_sources, strict=True)):
        license_number, code = catalog.PARTNERS[p]
        b.received_from[i] = license_number
        b.tag[i] = f"{catalog.TAG_PREFIX}{code}{1_000_000 + i:010d}"
        senders = [
            f"{catalog.TAG_PREFIX}{code}{5_000_000 + 2 * i + k:010d}" for k in range(1 + two)
        ]
        b.unknown_sources[i] = ", ".join(senders)
        if category[at] in ("Concentrate", "Edibles (each)"):  # processed by the sender
            b.production_batch[i], b.batch_number[i] = True, f"L{code[-3:]}-{i:06d}"
    return packages


def _make_packages(b: Builder, n: dict[str, int]) -> IntArray:
    """Every kind in creation order; returns the repackaged-again buds (for the cycles)."""
    hb, hs = b.harvest_lots(n[HARVEST_BUDS], n[HARVEST_SHAKE])
    b.draw_states(hb, r.HARVEST_LOT_TESTING_STATES)
    b.draw_states(hs, r.HARVEST_LOT_TESTING_STATES)
    received = _receive(b, n[RECEIVED])
    buds_ok = b.passing(hb)
    lots = b.rng.choice(r.COMBINED_LOT_COUNTS, n[COMBINED], p=r.COMBINED_LOT_COUNT_WEIGHTS)
    lots[:1] = max(r.COMBINED_LOT_COUNTS)  # at least one tab with too many tested packages
    combined = b.derive(
        COMBINED, n[COMBINED], buds_ok, "Buds", production_batch=False, lots=lots,
        amount=(1000, 8000, "g"),
    ).packages  # fmt: skip
    combined = _pool(combined, b.derive(
        COMBINED_AGAIN, n[COMBINED_AGAIN], combined, "Buds", production_batch=False,
        lots=np.full(n[COMBINED_AGAIN], 2), amount=(2000, 12000, "g"),
    ).packages)  # fmt: skip
    concentrate, extract = _process_shake(b, n, b.passing(hs))

    buds = _pool(buds_ok, combined, received[b.category[received] == "Buds"])
    repackaged = b.derive(
        REPACKAGED, n[REPACKAGED], buds, "Buds", production_batch=False, amount=(28, 450, "g")
    ).packages
    for kind, batch in ((PRE_ROLL, False), (PRE_ROLL_BATCH, True)):
        made = b.derive(
            kind, n[kind], _pool(buds, repackaged), "Non-Infused (Plain) Pre-Roll",
            production_batch=batch, amount=(50, 1000, "ea"),
        )  # fmt: skip
        b.name_items(made.packages, catalog.PRE_ROLL_STYLES)
    tested_buds = hb[np.isin(b.state[hb], ("TestFailed", *PASSING_STATES))]
    same_buds = b.derive(
        BUDS_BATCH_SAME_CATEGORY, n[BUDS_BATCH_SAME_CATEGORY],
        _pool(tested_buds, combined, repackaged), "Buds", production_batch=True,
        amount=(28, 2000, "g"),
    ).packages  # fmt: skip

    concentrate_ok = b.passing(concentrate)
    _make_edibles(b, n, concentrate_ok, b.passing(extract))
    _make_concentrate_products(b, n, concentrate, concentrate_ok, received)

    # half of the same-category production batches get children; the rest stay leaves
    pool = _pool(repackaged, combined, same_buds[1::2])
    again = b.derive(
        REPACKAGED_AGAIN, n[REPACKAGED_AGAIN], pool, "Buds", production_batch=False,
        amount=(28, 450, "g"),
    )  # fmt: skip
    waste = b.derive(
        WASTE, n[WASTE], _pool(hb, hs), "Waste", production_batch=False, amount=(10, 500, "g")
    )
    from_buds = b.category[waste.first_source] == "Buds"
    b.item[waste.packages] = np.where(from_buds, "Bud Waste", "Trim Waste")
    b.state[waste.packages] = "NotRequired"
    return again.packages


def _process_shake(b: Builder, n: dict[str, int], shake_ok: IntArray) -> tuple[IntArray, IntArray]:
    """Concentrate and extracts from shake/trim; the careless ones without the box."""
    concentrate_styles = catalog.CONCENTRATE_STYLES
    for kind, category, styles, batch, amount in (
        (CONCENTRATE, "Concentrate", concentrate_styles, True, (50, 1500, "g")),
        (EXTRACT, "Extracts", catalog.EXTRACT_STYLES, True, (100, 2000, "g")),
        (CONCENTRATE_WITHOUT_BATCH, "Concentrate", concentrate_styles, False, (50, 900, "g")),
    ):
        lots = b.rng.integers(1, 4, n[kind])
        made = b.derive(
            kind, n[kind], shake_ok, category, production_batch=batch, lots=lots, amount=amount
        )
        b.name_items(made.packages, styles)
        if batch:
            b.draw_states(made.packages, r.PROCESSED_LOT_TESTING_STATES)
    concentrate, extract = (np.flatnonzero(b.kind == k) for k in (CONCENTRATE, EXTRACT))
    return concentrate, extract


def _make_edibles(
    b: Builder, n: dict[str, int], concentrate_ok: IntArray, extract_ok: IntArray
) -> None:
    """Bulk edibles from concentrate and extracts, and packaged edibles (each) from those."""
    lots = b.rng.integers(1, 3, n[EDIBLES])
    pool = _pool(concentrate_ok, extract_ok)
    edibles = b.derive(EDIBLES, n[EDIBLES], pool, "Edibles", production_batch=True, lots=lots)
    kind = EDIBLES_WITHOUT_BATCH
    careless = b.derive(kind, n[kind], concentrate_ok, "Edibles", production_batch=False)
    bulk_items = np.array(list(catalog.EDIBLE_EACH_ITEMS), dtype=object)
    for made in (edibles, careless):
        b.strain[made.packages] = ""
        b.item[made.packages] = b.rng.choice(bulk_items, len(made.packages))
        b.set_quantity(made.packages, 500, 5000, "g")
    b.draw_states(edibles.packages, r.PROCESSED_LOT_TESTING_STATES)
    each = b.derive(
        EDIBLES_EACH, n[EDIBLES_EACH], b.passing(edibles.packages), "Edibles (each)",
        production_batch=False, amount=(50, 500, "ea"),
    )  # fmt: skip
    b.item[each.packages] = [catalog.EDIBLE_EACH_ITEMS[i] for i in b.item[each.first_source]]


def _make_concentrate_products(
    b: Builder, n: dict[str, int], concentrate: IntArray, ok: IntArray, received: IntArray
) -> None:
    """Concentrate repackaged in bulk and into carts and jars, and the mistaken batches."""
    pool = _pool(ok, received[b.category[received] == "Concentrate"])
    tested = concentrate[np.isin(b.state[concentrate], ("TestFailed", *PASSING_STATES))]
    bulk_count = n[CONCENTRATE_REPACKAGED] // 2
    each_count = n[CONCENTRATE_REPACKAGED] - bulk_count
    grams, each = (20, 500, "g"), (50, 500, "ea")
    same, each_batch = CONCENTRATE_BATCH_SAME_CATEGORY, CONCENTRATE_EACH_BATCH
    for kind, count, sources, category, batch, amount in (
        (CONCENTRATE_REPACKAGED, bulk_count, pool, "Concentrate", False, grams),
        (CONCENTRATE_REPACKAGED, each_count, pool, "Concentrate (each)", False, each),
        (same, n[same], tested, "Concentrate", True, grams),
        (each_batch, n[each_batch], ok, "Concentrate (each)", True, each),
    ):
        made = b.derive(kind, count, sources, category, production_batch=batch, amount=amount)
        if category == "Concentrate (each)":
            b.name_items(made.packages, catalog.CONCENTRATE_EACH_STYLES)


def _add_cycles(b: Builder, candidates: IntArray, pairs: int) -> IntArray:
    """Pairs of packages that list each other as a source: corrupted lineage (LN002)."""
    if not pairs:
        return np.zeros(0, dtype=np.int64)
    pick = b.rng.choice(len(candidates) // 2, pairs, replace=False)
    first, second = candidates[2 * pick], candidates[2 * pick + 1]
    b.edges.append((np.concatenate([first, second]), np.concatenate([second, first])))
    return np.concatenate([first, second])


def build_lineage(packages: int, rng: np.random.Generator, mistakes: float = 1.0) -> Lineage:
    """The whole sample: `packages` packages, their sources, states and fates."""
    b = Builder(packages, rng)
    again = _make_packages(b, plan_counts(packages, mistakes))
    kept_active = _add_cycles(b, again, lineage_cycle_pairs(packages))
    kept_active = np.append(kept_active, np.flatnonzero(b.kind == BUDS_BATCH_SAME_CATEGORY)[:1])
    return b.finish(kept_active)
