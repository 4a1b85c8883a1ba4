"""Building blocks of the sample's package lineage: packages made from harvests, received
from other licensees, or made from earlier packages, all drawn as whole numpy blocks.

Packages are numbered in creation order, so every source has a lower number than the
packages made from it (a lineage cycle is added afterwards, as data corruption).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from batchaudit.sample import catalog
from batchaudit.sample import rates as r

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
TextArray = NDArray[np.object_]

PASSING_STATES = ("TestPassed", "RetestPassed", "Remediated")
LOTS_PER_HARVEST = 5


class Derived(NamedTuple):
    packages: IntArray
    first_source: IntArray


@dataclass(frozen=True)
class Lineage:
    """The packages of the sample, one array entry per package, and their source links."""

    kind: TextArray
    category: TextArray
    item: TextArray
    strain: TextArray
    unit: TextArray
    quantity: NDArray[np.float64]
    production_batch: BoolArray
    batch_number: TextArray
    testing_state: TextArray
    packaged_day: IntArray  # days since 1970-01-01
    harvest_names: TextArray
    received_from: TextArray  # blank unless received from another licensee
    received_minute: IntArray  # minutes since 1970, for received packages
    unknown_sources: TextArray  # the sender's source tags of received packages
    tag: TextArray
    requires_remediation: BoolArray
    contains_remediated: BoolArray
    finished: BoolArray
    discontinued: BoolArray
    administrative_hold: BoolArray
    testing_sample: BoolArray
    edge_child: IntArray  # known source links, grouped by child in listing order
    edge_source: IntArray
    # With processing jobs (jobs.py): the job each package came out of ("" for none), and
    # whether its grid row lists its sources only in the job.
    processing_job: TextArray | None = None
    sources_hidden: BoolArray | None = None


def _text(size: int) -> TextArray:
    return np.full(size, "", dtype=object)


class Builder:
    """Fills the per-package arrays block by block, in creation order."""

    def __init__(self, packages: int, rng: np.random.Generator) -> None:
        self.rng = rng
        self.size = packages
        self.cursor = 0
        self.kind, self.category, self.item = _text(packages), _text(packages), _text(packages)
        self.strain, self.unit, self.state = _text(packages), _text(packages), _text(packages)
        self.harvest, self.batch_number = _text(packages), _text(packages)
        self.received_from, self.unknown_sources = _text(packages), _text(packages)
        self.tag = _text(packages)
        self.quantity = np.zeros(packages)
        self.day = np.zeros(packages, dtype=np.int64)
        self.received_minute = np.zeros(packages, dtype=np.int64)
        self.production_batch = np.zeros(packages, dtype=bool)
        self.contains_remediated = np.zeros(packages, dtype=bool)
        self.edges: list[tuple[IntArray, IntArray]] = []

    def allocate(self, kind: str, count: int) -> IntArray:
        packages = np.arange(self.cursor, self.cursor + count, dtype=np.int64)
        self.cursor += count
        self.kind[packages] = kind
        self.tag[packages] = [
            f"{catalog.TAG_PREFIX}{catalog.FACILITY_CODE}{catalog.FIRST_TAG_NUMBER + i:010d}"
            for i in packages
        ]
        return packages

    def passing(self, packages: IntArray) -> IntArray:
        return packages[np.isin(self.state[packages], PASSING_STATES)]

    def draw_states(self, packages: IntArray, mix: dict[str, float]) -> None:
        states = self.rng.choice(
            np.array(list(mix), dtype=object), size=len(packages), p=list(mix.values())
        )
        states[:1] = "TestPassed"  # so that every pool of tested packages has a member
        self.state[packages] = states

    def set_quantity(self, packages: IntArray, low: float, high: float, unit: str) -> None:
        amount = self.rng.uniform(low, high, len(packages))
        self.quantity[packages] = np.round(amount) if unit == "ea" else np.round(amount, 2)
        self.unit[packages] = unit

    def name_items(self, packages: IntArray, styles: tuple[str, ...]) -> None:
        style = np.array(styles, dtype=object)[self.rng.integers(len(styles), size=len(packages))]
        self.item[packages] = [
            f"{s} {t}" for s, t in zip(self.strain[packages], style, strict=True)
        ]

    def harvest_lots(self, buds: int, shake: int) -> tuple[IntArray, IntArray]:
        """Buds and Shake/Trim lots packaged from this licensee's harvests."""
        harvests = max(1, (buds + shake) // LOTS_PER_HARVEST)
        strain = self.rng.integers(len(catalog.STRAINS), size=harvests)
        day = catalog.FIRST_HARVEST_DAY + np.sort(self.rng.integers(0, 270, harvests))
        year = (
            day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        ).tolist()
        first_of_year = {y: year.index(y) for y in set(year)}
        names = [
            f"{y}-{catalog.STRAINS[s][1]}-H{i - first_of_year[y] + 1:03d}"
            for i, (y, s) in enumerate(zip(year, strain.tolist(), strict=True))
        ]
        lots = []
        for kind, count in (("harvest buds lot", buds), ("harvest shake lot", shake)):
            packages = self.allocate(kind, count)
            harvest = np.sort(self.rng.integers(harvests, size=count))
            self.harvest[packages] = np.array(names, dtype=object)[harvest]
            self.strain[packages] = [catalog.STRAINS[s][0] for s in strain[harvest]]
            self.day[packages] = day[harvest] + self.rng.integers(5, 21, count)
            lots.append(packages)
        hb, hs = lots
        self.category[hb], self.category[hs] = "Buds", "Shake/Trim"
        self.item[hb] = [f"{s} Buds" for s in self.strain[hb]]
        self.name_items(hs, ("Shake", "Trim"))
        self.set_quantity(hb, 500, 5000, "g")
        self.set_quantity(hs, 200, 4000, "g")
        pounds = hs[self.rng.random(len(hs)) < 0.2]
        self.set_quantity(pounds, 2, 20, "lb")
        return hb, hs

    def derive(
        self,
        kind: str,
        count: int,
        pool: IntArray,
        category: str,
        *,
        production_batch: bool,
        lots: IntArray | None = None,
        amount: tuple[float, float, str] | None = None,
    ) -> Derived:
        """Packages made from `lots` (default 1) neighbouring members of `pool` each."""
        packages = self.allocate(kind, count)
        if count and not len(pool):
            raise ValueError(f"no source packages to make {kind!r} from")
        wanted = np.ones(count, dtype=np.int64) if lots is None else lots
        wanted = np.minimum(wanted, len(pool))
        start = self.rng.integers(0, len(pool) - wanted + 1)
        first = np.cumsum(wanted) - wanted
        offset = np.arange(wanted.sum()) - np.repeat(first, wanted)
        sources = pool[np.repeat(start, wanted) + offset]
        self.edges.append((np.repeat(packages, wanted), sources))
        first_source = sources[first]
        self._inherit(packages, sources, first, wanted)
        self.category[packages] = category
        self.production_batch[packages] = production_batch
        self.state[packages] = "NotSubmitted" if production_batch else self.state[first_source]
        if amount is not None:
            self.set_quantity(packages, *amount)
        return Derived(packages, first_source)

    def _inherit(
        self, packages: IntArray, sources: IntArray, first: IntArray, wanted: IntArray
    ) -> None:
        """Dates, strain, item and harvests follow the sources, as Metrc shows them."""
        if not len(packages):
            return
        first_source = sources[first]
        self.day[packages] = np.maximum.reduceat(self.day[sources], first)
        self.day[packages] += self.rng.integers(1, 22, len(packages))
        remediated = self.contains_remediated[sources] | (self.state[sources] == "Remediated")
        self.contains_remediated[packages] = np.logical_or.reduceat(remediated, first)
        for name in ("strain", "item", "unit", "harvest"):
            getattr(self, name)[packages] = getattr(self, name)[first_source]
        for at in np.flatnonzero(wanted > 1):  # several sources: the union of their harvests
            lots = sources[first[at] : first[at] + wanted[at]]
            names = (n for h in self.harvest[lots] for n in h.split(", ") if n)
            self.harvest[packages[at]] = ", ".join(dict.fromkeys(names))

    def finish(self, kept_active: IntArray) -> Lineage:
        """Number the production batches, decide what became of each package, freeze."""
        self._number_batches()
        rng, size = self.rng, self.size
        none = np.zeros(0, dtype=np.int64)
        child = np.concatenate([none, *(c for c, _ in self.edges)])
        source = np.concatenate([none, *(s for _, s in self.edges)])
        order = np.argsort(child, kind="stable")
        has_children = np.zeros(size, dtype=bool)
        has_children[source] = True
        finished = rng.random(size) < np.where(
            has_children, r.USED_UP_SOURCE_FINISHED_RATE, r.SOLD_OR_USED_LEAF_FINISHED_RATE
        )
        discontinued = rng.random(size) < r.DISCONTINUED_RATE
        discontinued &= ~finished & ~has_children & (self.received_from == "")
        finished[kept_active] = discontinued[kept_active] = False
        hold = ~finished & ~discontinued & (rng.random(size) < r.ADMINISTRATIVE_HOLD_RATE)
        return Lineage(
            kind=self.kind,
            category=self.category,
            item=self.item,
            strain=self.strain,
            unit=self.unit,
            quantity=np.where(finished, 0.0, self.quantity),
            production_batch=self.production_batch,
            batch_number=self.batch_number,
            testing_state=self.state,
            packaged_day=self.day,
            harvest_names=self.harvest,
            received_from=self.received_from,
            received_minute=self.received_minute,
            unknown_sources=self.unknown_sources,
            tag=self.tag,
            requires_remediation=self.state == "TestFailed",
            contains_remediated=self.contains_remediated | (self.state == "Remediated"),
            finished=finished,
            discontinued=discontinued,
            administrative_hold=hold,
            testing_sample=rng.random(size) < r.TESTING_SAMPLE_RATE,
            edge_child=child[order],
            edge_source=source[order],
        )

    def _number_batches(self) -> None:
        """PB-<year>-<nnnn> on this licensee's production batches, in packaging order."""
        own = np.flatnonzero(self.production_batch & (self.received_from == ""))
        own = own[np.lexsort((own, self.day[own]))]
        year = self.day[own].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
        self.batch_number[own] = [
            f"PB-{y + 1970}-{k:04d}" for k, y in enumerate(year.tolist(), start=1)
        ]
