"""A pack's [rules.CODE] tables, checked by the rules they set: the code exists, every key is
`enabled`, `severity` or one of the rule's settings, and every value fits."""

from __future__ import annotations

from typing import Any

from batchaudit.model.findings import Severity
from batchaudit.model.packs import Pack, load_pack, refusal
from batchaudit.rules.base import REGISTRY

RULE_SWITCHES = ("enabled", "severity")


def checked_pack(name_or_path: str) -> Pack:
    """Load a pack and check its rule settings; PackError names the file and key."""
    pack = load_pack(name_or_path)
    for code, given in pack.rules.items():
        _check_rule(pack, code, given)
    return pack


def _check_rule(pack: Pack, code: str, given: dict[str, Any]) -> None:
    if code not in REGISTRY:
        raise refusal(pack.path, f"rules.{code}", "is not a rule code (see `batchaudit rules`)")
    settings = {s.name for s in REGISTRY[code].settings}
    for key, value in given.items():
        where = f"rules.{code}.{key}"
        if key == "enabled" and not isinstance(value, bool):
            raise refusal(pack.path, where, "must be true or false")
        if key == "severity" and value not in [str(s) for s in Severity]:
            raise refusal(pack.path, where, "must be error, warning or note")
        if key in settings and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise refusal(pack.path, where, "must be a whole number, 0 or more")
        if key not in settings and key not in RULE_SWITCHES:
            known = ", ".join([*RULE_SWITCHES, *sorted(settings)])
            raise refusal(pack.path, where, f"unknown key (known: {known})")
