"""Reusable widgets of the operator's app."""
