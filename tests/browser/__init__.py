"""The browser tests (run in a pytest process of their own)."""
