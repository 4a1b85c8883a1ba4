"""The rule catalog: importing this package registers every rule, in catalog order."""

from batchaudit.rules import (  # noqa: F401  (imported to register the rules)
    data_quality,
    lineage_rules,
    production_batches,
    results_tab,
)
from batchaudit.rules.base import REGISTRY, Rule, RuleInfo

CATALOG_ORDER = ("PB", "LT", "LN", "DQ")


def catalog() -> list[type[RuleInfo]]:
    """Every rule, ordered by family as the spec lists them, then by code."""
    return sorted(REGISTRY.values(), key=lambda rule: catalog_rank(rule.code))


def catalog_rank(code: str) -> tuple[int, str]:
    """Position of a rule code in the catalog: production batches first, data quality last."""
    return (CATALOG_ORDER.index(code[:2]), code)


def evaluated_rules() -> list[type[Rule]]:
    return [rule for rule in catalog() if issubclass(rule, Rule)]
