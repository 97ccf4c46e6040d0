"""Errors a user can act on: each message says what failed and what fixes it."""

from __future__ import annotations


class CxkbError(Exception):
    """Base class; the CLI prints these on one line and exits with status 1."""


class InputError(CxkbError):
    """A file or question cannot be used (unreadable, empty, wrong type, too long)."""


class IndexMissingError(CxkbError):
    """No index where one was expected."""


class IndexCorruptError(CxkbError):
    """An index exists but is half-written, tampered with, or fails its checksums."""


class IndexIncompatibleError(CxkbError):
    """An index from another format version or embedding model."""


class IndexLockedError(CxkbError):
    """Another writer holds the index."""


class ModelError(CxkbError):
    """The embedding model cannot be installed or loaded."""


class ConfigError(CxkbError):
    """A settings file or option is invalid."""
