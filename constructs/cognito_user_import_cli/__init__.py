"""The `cognito-user-import` console script: emulator, deploy-local, destroy-local, validate."""
