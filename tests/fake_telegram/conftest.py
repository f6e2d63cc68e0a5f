from tests.fake_telegram.fixtures import fake_telegram, make_fake_telegram  # noqa: F401
