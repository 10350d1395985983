"""Tropa's own date formats per language (``FORMAT_MODULE_PATH``), where Django's differ
from what Tropa's users read without doubt."""
