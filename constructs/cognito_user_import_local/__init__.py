"""deploy-local / destroy-local: a synthesized CDK app driven into the local emulator like CloudFormation."""
