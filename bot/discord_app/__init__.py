"""The discord.py adapter: gateway events in, engine calls; engine posts out, API calls.

Kept thin on purpose: the rules live in :mod:`bot.core` and :mod:`bot.runtime`.
"""
