"""The IAM role Amazon Cognito assumes to write a user import job's CloudWatch Logs."""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam

from cognito_user_import.nag import acknowledge_wildcard_resources
from constructs import Construct

COGNITO_SERVICE_PRINCIPAL = "cognito-idp.amazonaws.com"

#: What Cognito needs to write an import job's log (Cognito developer guide, CloudWatch Logs role page).
LOGS_ACTIONS = (
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:DescribeLogStreams",
    "logs:PutLogEvents",
)


def cognito_log_group_arns(scope: Construct, name_pattern: str) -> list[str]:
    """ARNs of the log groups matching ``name_pattern`` and of their streams, in ``scope``'s environment."""
    stack = Stack.of(scope)
    group = stack.format_arn(
        service="logs",
        resource="log-group",
        resource_name=name_pattern,
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )
    return [group, f"{group}:log-stream:*"]


class ImportLogsRole(iam.Role):
    """The role Cognito writes user import job logs with, least privilege.

    It trusts ``cognito-idp.amazonaws.com`` (``sts:AssumeRole``) and allows only ``logs:CreateLogGroup``,
    ``logs:CreateLogStream``, ``logs:DescribeLogStreams`` and ``logs:PutLogEvents`` on this account's and
    region's ``/aws/cognito/*`` log groups and their streams. Usable on its own, and shareable.

    The trust policy carries no confused-deputy condition (``aws:SourceAccount``/``aws:SourceArn``): AWS's
    documentation shows none and whether Cognito sends those keys when it assumes this role is unconfirmed,
    so a condition could make every import job fail. Once you have confirmed one works in your account,
    pass your own role through ``UserImport(logs_role=...)``.
    """

    def __init__(self, scope: Construct, id: str, *, description: str | None = None) -> None:
        """
        :param description: the role's description. Default: says what the role is for.
        """
        log_groups = cognito_log_group_arns(scope, "/aws/cognito/*")
        super().__init__(
            scope,
            id,
            assumed_by=iam.ServicePrincipal(COGNITO_SERVICE_PRINCIPAL),
            description=description or "Lets Amazon Cognito write user import job logs to /aws/cognito/*",
            inline_policies={
                "ImportJobLogs": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(
                            actions=list(LOGS_ACTIONS),
                            resources=log_groups,
                        )
                    ]
                )
            },
        )
        acknowledge_wildcard_resources(
            self,
            log_groups,
            reason=(
                "Cognito names an import job's log group /aws/cognito/userpools/<pool id>/<pool name> "
                "and its stream <job id>/<job name>, none known before the job exists; AWS documents "
                "this role with /aws/cognito/* as its resource."
            ),
        )
