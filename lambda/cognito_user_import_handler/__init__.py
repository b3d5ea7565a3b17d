"""Lambda code of cdk-cognito-user-import: the Custom::CognitoUserImport handler and its CSV rules.

Pure standard library plus crhelper and boto3, so the construct (at synth time), the tests and the
Lambda all import the same modules.
"""
