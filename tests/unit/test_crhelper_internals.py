"""What ImportResource relies on inside crhelper 2.0.12: a crhelper that changes these fails here,
loudly, instead of misbehaving in a deployment (a FAILED answer after SUCCESS, a rule left behind)."""

from __future__ import annotations

import inspect
from importlib.metadata import version

from crhelper import CfnResource

from cognito_user_import_handler.resource import ImportResource

OVERRIDDEN = {
    "_crhelper_init": ["self", "event", "context"],
    "_wrap_function": ["self", "func"],
    "_polling_init": ["self", "event"],
    "_put_rule": ["self"],
    "_add_permission": ["self", "rule_arn"],
    "_remove_targets": ["self", "rule_arn"],
    "_remove_permission": ["self", "sid"],
    "_delete_rule": ["self", "rule_arn"],
    "_send": ["self", "status", "reason", "send_response"],
}
CALLED = {"_setup_polling": ["self"], "_remove_polling": ["self"], "_cfn_response": ["self", "event"]}
SET_BY_REGISTER = ("_create_func", "_update_func", "_delete_func", "_poll_create_func", "_poll_update_func")


def test_crhelper_is_the_version_this_subclass_was_written_against() -> None:
    assert version("crhelper") == "2.0.12"


def test_the_private_methods_overridden_or_called_keep_their_signatures() -> None:
    for name, parameters in {**OVERRIDDEN, **CALLED}.items():
        method = getattr(CfnResource, name, None)
        assert method is not None, f"crhelper.CfnResource.{name} is gone"
        assert list(inspect.signature(method).parameters) == parameters, name
    for name in OVERRIDDEN:
        assert getattr(ImportResource, name) is not getattr(CfnResource, name), (
            f"{name} is no longer overridden"
        )


def test_the_request_functions_are_looked_up_where_register_puts_them() -> None:
    source = inspect.getsource(CfnResource)
    for name in SET_BY_REGISTER:
        assert f"self.{name}" in source, name
    # crhelper finds the function for a request as _[poll_]<type>_func, and polls by CrHelperPoll.
    assert '"_{}_func"' in source and '"_poll" + request_type' in source
    assert "'CrHelperPoll' not in event.keys()" in source
