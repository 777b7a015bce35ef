"""Thin route modules: parse input, call a store/stage verb scoped by the caller, render the result."""
