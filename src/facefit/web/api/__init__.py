"""The JSON API: one router per resource in ``routes/``, assembled in ``main``."""
