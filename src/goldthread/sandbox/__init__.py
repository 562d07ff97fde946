"""Local GitHub and Jira stand-ins with a seeded organisation.

Like moto for AWS: try, test and benchmark goldthread without a real account.
See docs/sandbox.md.
"""
