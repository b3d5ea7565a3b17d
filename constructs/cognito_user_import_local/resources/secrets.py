"""AWS::SecretsManager::Secret, its value given (SecretString) or generated (GenerateSecretString).

A generated value is made here, with `secrets`, by the rules of Secrets Manager's GetRandomPassword
(which CloudFormation uses): the character types not excluded, less ExcludeCharacters, at least one of
each included type unless RequireEachIncludedType is false. It goes to the emulator only: never to the
driver's output, its state or the resource's attributes.
"""

from __future__ import annotations

import json
import secrets
import string
from typing import Any

from .base import Environment, Provisioned, ResourceError, already_gone_is_fine

PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
"""GetRandomPassword's punctuation: the 32 printable ASCII characters that are neither letters nor digits."""
DEFAULT_LENGTH = 32
MAX_LENGTH = 4096
_TYPES = (
    ("ExcludeLowercase", string.ascii_lowercase),
    ("ExcludeUppercase", string.ascii_uppercase),
    ("ExcludeNumbers", string.digits),
    ("ExcludePunctuation", PUNCTUATION),
)


def _flag(spec: dict[str, Any], name: str, default: bool) -> bool:
    value = spec.get(name, default)
    return value if isinstance(value, bool) else str(value).lower() == "true"


def generate_password(spec: dict[str, Any]) -> str:
    """A random password as GenerateSecretString's options ask (PasswordLength, Exclude*, IncludeSpace,
    RequireEachIncludedType); ResourceError when they leave no way to make one."""
    length = int(spec.get("PasswordLength", DEFAULT_LENGTH))
    if not 1 <= length <= MAX_LENGTH:
        raise ResourceError(
            f"GenerateSecretString: PasswordLength {length} is not between 1 and {MAX_LENGTH}"
        )
    excluded = set(str(spec.get("ExcludeCharacters", "")))
    groups = [
        "".join(c for c in characters if c not in excluded)
        for name, characters in _TYPES
        if not _flag(spec, name, False)
    ]
    if _flag(spec, "IncludeSpace", False) and " " not in excluded:
        groups.append(" ")
    groups = [group for group in groups if group]
    alphabet = "".join(groups)
    if not alphabet:
        raise ResourceError("GenerateSecretString: its options exclude every character")
    required = (
        [secrets.choice(group) for group in groups] if _flag(spec, "RequireEachIncludedType", True) else []
    )
    if len(required) > length:
        raise ResourceError(
            f"GenerateSecretString: PasswordLength {length} is too short to hold each of the "
            f"{len(required)} included character types"
        )
    characters = required + [secrets.choice(alphabet) for _ in range(length - len(required))]
    secrets.SystemRandom().shuffle(characters)
    return "".join(characters)


def secret_value(props: dict[str, Any]) -> str | None:
    """The secret's value: SecretString, or one generated from GenerateSecretString (put into its
    SecretStringTemplate under GenerateStringKey when both are given, as CloudFormation does); None
    when neither is given (CloudFormation then makes a secret without a value)."""
    generate = props.get("GenerateSecretString")
    if generate is None:
        return str(props["SecretString"]) if "SecretString" in props else None
    if "SecretString" in props:
        raise ResourceError("give SecretString or GenerateSecretString, not both")
    template, key = generate.get("SecretStringTemplate"), generate.get("GenerateStringKey")
    if (template is None) != (key is None):
        raise ResourceError("GenerateSecretString: SecretStringTemplate and GenerateStringKey go together")
    password = generate_password(generate)
    if template is None:
        return password
    try:
        document = json.loads(str(template))
    except json.JSONDecodeError as error:
        raise ResourceError(f"GenerateSecretString: SecretStringTemplate is not JSON ({error.msg})") from None
    if not isinstance(document, dict):
        raise ResourceError("GenerateSecretString: SecretStringTemplate must be a JSON object")
    return json.dumps({**document, str(key): password})


class Secret:
    """AWS::SecretsManager::Secret: Ref and Fn::GetAtt Id are its ARN."""

    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        name = props.get("Name") or env.physical_name(logical_id, 256)
        settings: dict[str, Any] = {
            key: props[key] for key in ("Description", "KmsKeyId", "Tags") if key in props
        }
        if props.get("ReplicaRegions"):
            settings["AddReplicaRegions"] = props["ReplicaRegions"]
        value = secret_value(props)
        if value is not None:
            settings["SecretString"] = value
        arn = env.client("secretsmanager").create_secret(Name=name, **settings)["ARN"]
        return Provisioned(str(arn), {"Id": str(arn)})

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        if props.get("Name") != old.get("Name"):
            raise ResourceError("renaming a secret replaces it; run destroy-local first to do that")
        client = env.client("secretsmanager")
        settings: dict[str, Any] = {key: props[key] for key in ("Description", "KmsKeyId") if key in props}
        value_changed = any(
            props.get(key) != old.get(key) for key in ("SecretString", "GenerateSecretString")
        )
        value = secret_value(props) if value_changed else None
        if value is not None:  # as CloudFormation does: a new version, generated afresh when generated
            settings["SecretString"] = value
        if settings:
            client.update_secret(SecretId=current.physical_id, **settings)
        self._retag(client, current.physical_id, props, old)
        return current

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        # CloudFormation deletes a stack's secret at once, without a recovery window.
        with already_gone_is_fine("ResourceNotFoundException"):
            env.client("secretsmanager").delete_secret(SecretId=physical_id, ForceDeleteWithoutRecovery=True)

    @staticmethod
    def _retag(client: Any, arn: str, props: dict[str, Any], old: dict[str, Any]) -> None:
        tags = {tag["Key"]: tag["Value"] for tag in props.get("Tags", [])}
        old_tags = {tag["Key"]: tag["Value"] for tag in old.get("Tags", [])}
        gone = sorted(set(old_tags) - set(tags))
        if gone:
            client.untag_resource(SecretId=arn, TagKeys=gone)
        changed = [{"Key": key, "Value": value} for key, value in tags.items() if old_tags.get(key) != value]
        if changed:
            client.tag_resource(SecretId=arn, Tags=changed)
