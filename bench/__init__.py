"""Kaskad's benchmark (``make bench``): password hashing, and the login page, a full login and a lesson
page of a shipped course under gunicorn, each against a bare Flask baseline measured in the same run,
with peak memory.

Performance figures live here and only here: the unit tests never assert on timings.
"""
