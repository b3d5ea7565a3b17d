"""cdk-cognito-user-import: seed Amazon Cognito user pools through user import jobs during ``cdk deploy``.

``UserImport`` imports a ``UserCsv`` into a pool; ``ImportLogsRole`` is the role Cognito writes the job's
logs with. ``UserRecord`` (users written in Python) and ``ExistingUsers`` come from the handler package,
so the construct and the Lambda share one definition.

The construct classes load aws_cdk (and with it a Node.js process) on first use only, so the
emulator, the local driver and `cognito-user-import validate` start without it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cognito_user_csv.users import UserRecord
from cognito_user_import_handler.properties import ExistingUsers

if TYPE_CHECKING:
    from cognito_user_import.logs_role import ImportLogsRole
    from cognito_user_import.sources import UserCsv
    from cognito_user_import.user_import import UserImport

__all__ = ["ExistingUsers", "ImportLogsRole", "UserCsv", "UserImport", "UserRecord"]

_LAZY = {
    "ImportLogsRole": "cognito_user_import.logs_role",
    "UserCsv": "cognito_user_import.sources",
    "UserImport": "cognito_user_import.user_import",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'cognito_user_import' has no attribute {name!r}")
