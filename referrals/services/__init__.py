"""Writes for the referrals app, one module per part of the journey (style.md habit 2)."""
