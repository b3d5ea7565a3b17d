"""Cognito's user-import CSV, as pure Python: the facts, the rules a file must follow, and its conversion.

No AWS calls and no dependencies beyond the standard library, so the handler (in the Lambda), the
construct (at synth time) and ``cognito-user-import validate`` check a file the same way.
"""
