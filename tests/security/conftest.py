"""The page helpers of tests/web (signed_in, post) for the security tests."""
from tests.web.conftest import _fresh_context_per_request, post, signed_in  # noqa: F401
