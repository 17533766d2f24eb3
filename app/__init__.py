"""Doorstep: plan and prove door-to-door anti-fraud publicity."""
