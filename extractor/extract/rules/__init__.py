"""The deterministic rules engine: one module per task, wired together in engine.py."""
