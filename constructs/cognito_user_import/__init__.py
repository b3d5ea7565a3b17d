"""cdk-cognito-user-import: seed Amazon Cognito user pools through user import jobs during ``cdk deploy``.

``UserImport`` imports a ``UserCsv`` into a pool; ``ImportLogsRole`` is the role Cognito writes the job's
logs with. ``UserRecord`` (users written in Python) and ``ExistingUsers`` come from the handler package,
so the construct and the Lambda share one definition.
"""

from cognito_user_import.logs_role import ImportLogsRole
from cognito_user_import.sources import UserCsv
from cognito_user_import.user_import import UserImport
from cognito_user_import_handler.properties import ExistingUsers
from cognito_user_import_handler.users import UserRecord

__all__ = ["ExistingUsers", "ImportLogsRole", "UserCsv", "UserImport", "UserRecord"]
