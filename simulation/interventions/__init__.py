"""Interventions (DESIGN.md section 4): one module each, listed in ``registry.CATALOGUE``."""
