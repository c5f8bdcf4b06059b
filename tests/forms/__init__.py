"""Makers of test fixtures: a parsed report written back out as the forms agencies publish
(DOCX, PDF, HTML), so each reader can be checked against the text form's values."""
