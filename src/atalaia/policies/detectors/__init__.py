"""Detectors: pure functions from text (or an attachment, or a time) to spans. No I/O, no settings.

Each module is one detector; `_text`, `_numbers` and `_evasion` hold what they share.
"""
