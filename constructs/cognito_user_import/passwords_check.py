"""Synth-time check of a passwords secret generated in the app: it names only users of the file.

A `secretsmanager.Secret` made with `generate_secret_string` shows at synth the usernames its value
will hold: `generate_string_key` and the keys of `secret_string_template`. The handler refuses at
deploy a secret naming a user the file lacks (a typo would pass unseen); here the same mistake is
refused before anything is deployed. Usernames are compared case-insensitively, so that a
case-insensitive pool is not refused wrongly (a case-sensitive pool's exact match is left to the
handler). A secret imported, or whose value is given or is a token, is left to the deployment.
"""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import Token
from aws_cdk import aws_secretsmanager as secretsmanager

from cognito_user_csv.reading import iter_usernames


def generated_usernames(secret: object) -> list[str]:
    """The usernames a generated secret of the app will hold (none known: an empty list)."""
    if not isinstance(secret, secretsmanager.Secret):
        return []
    cfn = secret.node.default_child
    spec = getattr(cfn, "generate_secret_string", None)
    if not isinstance(spec, secretsmanager.CfnSecret.GenerateSecretStringProperty):
        return []
    names: list[str] = []
    key, template = spec.generate_string_key, spec.secret_string_template
    if isinstance(key, str) and not Token.is_unresolved(key):
        names.append(key)
    if isinstance(template, str) and not Token.is_unresolved(template):
        try:
            value = json.loads(template)
        except ValueError:
            value = None
        if isinstance(value, dict):
            names.extend(str(name) for name in value)
    return names


def check_generated_passwords(owner: str, secret: object, path: Path, source_name: str) -> None:
    """Raise ValueError when the generated secret names a user the file does not hold."""
    named = generated_usernames(secret)
    if not named:
        return
    with path.open("rb") as stream:
        in_file = {name.casefold() for _, name in iter_usernames(stream)}
    unknown = sorted(name for name in named if name.casefold() not in in_file)
    if unknown:
        assert isinstance(secret, secretsmanager.Secret)
        raise ValueError(
            f"{owner}: passwords (the secret {secret.node.path}, generated with generate_string_key / "
            f"secret_string_template) names users that {source_name} does not hold: "
            f"{', '.join(repr(name) for name in unknown)}; it may name only usernames of the file's "
            "cognito:username column"
        )
