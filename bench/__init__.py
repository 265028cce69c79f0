"""Benchmarks: ``make bench`` (``python -m bench``) prints one table and writes bench/RESULTS.md.

Every figure is printed next to a baseline measured in the same run and the
target it is held to. See ``python -m bench --help`` for running a part, or all
of it at a small size.
"""
