"""The recap read from storage (test_from_storage.py) runs on both backends."""

from tests.support.backends import backend, store, store_at

__all__ = ["backend", "store", "store_at"]
