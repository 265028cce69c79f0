"""The people to learn from: series, profiles and /chat people over a real SQLite store."""
