"""Reporters: pure functions from an AuditResult to text or bytes, one module per format."""
