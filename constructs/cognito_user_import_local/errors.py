"""The errors a deploy-local or destroy-local ends with; their messages are what a person reads."""

from __future__ import annotations


class DeployError(RuntimeError):
    """The deployment (or destroy) failed; the message is the reason a person reads."""


class DeployCancelled(DeployError):
    """A person cancelled the deployment (Ctrl-C); what it made was rolled back."""
