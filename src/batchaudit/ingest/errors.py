"""Problems that stop one input file from being read at all."""

from __future__ import annotations


class InputError(Exception):
    """One plain sentence naming the file and what to do; never shown as a traceback."""
