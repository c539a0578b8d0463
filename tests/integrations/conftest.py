"""The qa fixtures (samples store, one QAService), shared with the integration tests."""

from tests.qa.conftest import qa_service, qa_settings, qa_store  # noqa: F401
