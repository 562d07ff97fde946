"""``make image-check``: goldthread's container image, built and run for real.

Run by ``.ci/image-check`` (which installs podman, buildah, runc and
debootstrap from Debian's packages, and checkov and podman-compose into
their own virtualenv) as ``python -m image_check``. What it checks is listed
in docs/deploy.md, "How the image is verified". Facts of the machine it runs
on (the container runtime, process limits, the TLS proxy's certificate) are
handled in :mod:`image_check.machine`, never in the project's deploy files.
"""
