"""Shared code below every app: errors, parsers, the rate limiter, refusal responses, links, the current study.

It imports no app of the project (.importlinter), so every app may import it.
"""
