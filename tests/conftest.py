"""Root conftest: the emulator's fixtures (emulator_server, emulator) for every test."""

pytest_plugins = ["cognito_user_import_emulator.testing"]
