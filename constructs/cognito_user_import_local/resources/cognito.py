"""AWS::Cognito::UserPool, its UserPoolClient and UserPoolGroup."""

from __future__ import annotations

from typing import Any

from .base import Environment, Provisioned, ResourceError, already_gone_is_fine, pick


class UserPool:
    _CREATE = (
        "Policies",
        "DeletionProtection",
        "LambdaConfig",
        "AutoVerifiedAttributes",
        "AliasAttributes",
        "UsernameAttributes",
        "SmsVerificationMessage",
        "EmailVerificationMessage",
        "EmailVerificationSubject",
        "VerificationMessageTemplate",
        "SmsAuthenticationMessage",
        "MfaConfiguration",
        "UserAttributeUpdateSettings",
        "DeviceConfiguration",
        "EmailConfiguration",
        "SmsConfiguration",
        "UserPoolTags",
        "AdminCreateUserConfig",
        "Schema",
        "UserPoolAddOns",
        "UsernameConfiguration",
        "AccountRecoverySetting",
        "UserPoolTier",
    )
    _UPDATE = tuple(
        name
        for name in _CREATE
        if name not in ("AliasAttributes", "UsernameAttributes", "Schema", "UsernameConfiguration")
    )
    _REPLACE = ("AliasAttributes", "UsernameAttributes", "UsernameConfiguration")

    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        name = props.get("UserPoolName") or env.physical_name(logical_id, 128)
        pool = env.client("cognito-idp").create_user_pool(PoolName=name, **pick(props, self._CREATE))[
            "UserPool"
        ]
        return self._provisioned(env, pool["Id"])

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        changed = [name for name in self._REPLACE if props.get(name) != old.get(name)]
        if changed:
            raise ResourceError(
                f"changing {', '.join(changed)} replaces a user pool (and loses its users); "
                "run destroy-local first to do that"
            )
        cognito = env.client("cognito-idp")
        old_names = {attribute.get("Name") for attribute in old.get("Schema", [])}
        added = [attribute for attribute in props.get("Schema", []) if attribute.get("Name") not in old_names]
        if added:
            cognito.add_custom_attributes(UserPoolId=current.physical_id, CustomAttributes=added)
        settings = pick(props, self._UPDATE)
        if "UserPoolName" in props:
            settings["PoolName"] = props["UserPoolName"]
        cognito.update_user_pool(UserPoolId=current.physical_id, **settings)
        return self._provisioned(env, current.physical_id)

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        with already_gone_is_fine("ResourceNotFoundException"):
            env.client("cognito-idp").delete_user_pool(UserPoolId=physical_id)

    @staticmethod
    def _provisioned(env: Environment, pool_id: str) -> Provisioned:
        provider = f"cognito-idp.{env.region}.amazonaws.com/{pool_id}"
        return Provisioned(
            pool_id,
            {
                "Arn": env.arn("cognito-idp", f"userpool/{pool_id}"),
                "ProviderName": provider,
                "ProviderURL": f"https://{provider}",
                "UserPoolId": pool_id,
            },
        )


class UserPoolClient:
    """AWS::Cognito::UserPoolClient: Ref is the client id; Fn::GetAtt gives ClientId, Name, ClientSecret."""

    _SETTINGS = (
        "ExplicitAuthFlows",
        "RefreshTokenValidity",
        "AccessTokenValidity",
        "IdTokenValidity",
        "TokenValidityUnits",
        "ReadAttributes",
        "WriteAttributes",
        "SupportedIdentityProviders",
        "CallbackURLs",
        "LogoutURLs",
        "DefaultRedirectURI",
        "AllowedOAuthFlows",
        "AllowedOAuthScopes",
        "AllowedOAuthFlowsUserPoolClient",
        "AnalyticsConfiguration",
        "PreventUserExistenceErrors",
        "EnableTokenRevocation",
        "EnablePropagateAdditionalUserContextData",
        "AuthSessionValidity",
        "RefreshTokenRotation",
    )
    _REPLACE = ("UserPoolId", "GenerateSecret")

    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        client = env.client("cognito-idp").create_user_pool_client(
            UserPoolId=props["UserPoolId"],
            ClientName=props.get("ClientName") or env.physical_name(logical_id, 128),
            GenerateSecret=_true(props.get("GenerateSecret")),
            **pick(props, self._SETTINGS),
        )["UserPoolClient"]
        return self._provisioned(client)

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        changed = [name for name in self._REPLACE if props.get(name) != old.get(name)]
        if changed:
            raise ResourceError(
                f"changing {', '.join(changed)} replaces a user pool client (its id changes); "
                "run destroy-local first to do that"
            )
        settings = pick(props, self._SETTINGS)
        # Cognito's update resets what it is not given; the emulator keeps it: lists left out are emptied.
        settings.update(
            {
                name: []
                for name in self._SETTINGS
                if name in old and name not in props and isinstance(old[name], list)
            }
        )
        client = env.client("cognito-idp").update_user_pool_client(
            UserPoolId=props["UserPoolId"],
            ClientId=current.physical_id,
            ClientName=props.get("ClientName") or str(current.attributes.get("Name", logical_id)),
            **settings,
        )["UserPoolClient"]
        return self._provisioned(client)

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        with already_gone_is_fine("ResourceNotFoundException"):
            env.client("cognito-idp").delete_user_pool_client(
                UserPoolId=props["UserPoolId"], ClientId=physical_id
            )

    @staticmethod
    def _provisioned(client: dict[str, Any]) -> Provisioned:
        attributes = {"ClientId": client["ClientId"], "Name": client["ClientName"]}
        if client.get("ClientSecret"):
            attributes["ClientSecret"] = client["ClientSecret"]
        return Provisioned(str(client["ClientId"]), attributes)


class UserPoolGroup:
    """AWS::Cognito::UserPoolGroup: Ref is the group's name (a generated one when GroupName is not set)."""

    _SETTINGS = ("Description", "Precedence", "RoleArn")

    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        name = props.get("GroupName") or env.physical_name(logical_id, 128)
        env.client("cognito-idp").create_group(
            UserPoolId=props["UserPoolId"], GroupName=name, **pick(props, self._SETTINGS)
        )
        return Provisioned(str(name))

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        changed = [name for name in ("UserPoolId", "GroupName") if props.get(name) != old.get(name)]
        if changed:
            raise ResourceError(
                f"changing {', '.join(changed)} replaces a group (and loses its members); "
                "run destroy-local first to do that"
            )
        env.client("cognito-idp").update_group(
            UserPoolId=props["UserPoolId"], GroupName=current.physical_id, **pick(props, self._SETTINGS)
        )
        return current

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        with already_gone_is_fine("ResourceNotFoundException"):
            env.client("cognito-idp").delete_group(UserPoolId=props["UserPoolId"], GroupName=physical_id)


def _true(value: Any) -> bool:
    """A CloudFormation boolean: true or "true"."""
    return value is True or str(value).lower() == "true"
