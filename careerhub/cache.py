"""Django's Redis cache, with one Redis client per connection pool instead of one per command.

Django builds a ``redis.Redis`` client for every cache call (the pools are kept): the client's
construction (its table of response callbacks) costs more than the command's round trip on a
local Redis, and every write pays it twice in the write throttle's count. redis-py clients are
safe to share between threads, and the pools they share already were.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)  # kept for the process's life, as its client is
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def client(self, *, write: bool = False):
        """The Redis client, for what the cache's API cannot say in one command (the write throttle)."""
        return self._cache.get_client(write=write)
