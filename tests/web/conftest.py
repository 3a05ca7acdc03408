# Log-in failures and throttle counts of each test's own, as in the API's account tests.
from tests.accounts.conftest import media_root, own_cache_keys  # noqa: F401
